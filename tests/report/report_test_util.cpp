#include "report/report_test_util.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <iterator>

#include "tfgram/report/png.h"

namespace tfgram::report::testing {
namespace fs = std::filesystem;

TempFolder::TempFolder() {
  static std::atomic<int> counter{0};
  path_ = fs::temp_directory_path() /
          ("tfgram-report-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  fs::remove_all(path_);
  fs::create_directories(path_);
}

TempFolder::~TempFolder() {
  std::error_code ignored;
  fs::remove_all(path_, ignored);
}

std::vector<std::string> TempFolder::entries() const {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(path_)) names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

double png_luminance_variance(const std::string& path) {
  const RgbImage image = read_png(path);
  double sum = 0.0;
  double squares = 0.0;
  const auto n = static_cast<double>(image.width * image.height);
  for (size_t i = 0; i + 2 < image.pixels.size(); i += 3) {
    const double l = 0.2126 * image.pixels[i] + 0.7152 * image.pixels[i + 1] + 0.0722 * image.pixels[i + 2];
    sum += l;
    squares += l * l;
  }
  const double mean = sum / n;
  return squares / n - mean * mean;
}

}  // namespace tfgram::report::testing
