#include "tfgram/experiment/results_file.h"

#include <filesystem>
#include <stdexcept>

#include "tfgram/util/atomic_file.h"
#include "tfgram/util/integrity.h"

namespace tfgram::experiment {
namespace fs = std::filesystem;
namespace {
constexpr const char* kKind = "results";
constexpr const char* kFailureKind = "failure";
constexpr int kFailureVersion = 1;

std::string failure_path(const std::string& folder) { return (fs::path(folder) / "failed.txt").string(); }

std::string first_line(const std::string& text) {
  std::string line = text.substr(0, text.find('\n'));
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line.empty() ? "unknown error" : line;
}
}  // namespace

std::string seal_results(const std::string& csv) { return util::seal_text(csv, kKind, kResultsFormatVersion); }

Csv parse_results(const std::string& text, const std::string& origin) {
  return parse_csv(util::unseal_text(text, kKind, kResultsFormatVersion, origin), origin);
}

Csv read_results_csv(const std::string& path) {
  std::string text;
  try {
    text = util::read_file(path);
  } catch (const std::runtime_error& e) {
    throw std::invalid_argument(e.what());
  }
  return parse_results(text, path);
}

void record_failure(const std::string& folder, const std::string& reason) {
  fs::create_directories(folder);
  util::write_file_atomic(failure_path(folder), util::seal_text(first_line(reason) + "\n", kFailureKind, kFailureVersion));
}

std::optional<std::string> recorded_failure(const std::string& folder) {
  const auto path = failure_path(folder);
  if (!fs::exists(path)) return std::nullopt;
  try {
    return first_line(util::unseal_text(util::read_file(path), kFailureKind, kFailureVersion, path));
  } catch (const std::exception& e) {
    return std::string("failed (its record is unreadable: ") + e.what() + ")";
  }
}

void clear_failure(const std::string& folder) {
  std::error_code ignored;
  fs::remove(failure_path(folder), ignored);
}

}  // namespace tfgram::experiment
