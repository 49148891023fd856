#include "data/data_test_util.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdlib>

#include "support/golden.h"

namespace tfgram::data::testing {

namespace fs = std::filesystem;

ScopedEnv::ScopedEnv(std::string name, const std::optional<std::string>& value) : name_(std::move(name)) {
  if (const char* old = std::getenv(name_.c_str())) old_ = old;
  if (value) {
    ::setenv(name_.c_str(), value->c_str(), 1);
  } else {
    ::unsetenv(name_.c_str());
  }
}

ScopedEnv::~ScopedEnv() {
  if (old_) {
    ::setenv(name_.c_str(), old_->c_str(), 1);
  } else {
    ::unsetenv(name_.c_str());
  }
}

DataTest::DataTest() : xdg_("XDG_CACHE_HOME", cache_home_.path().string()) {}

torch::Tensor tone(int64_t n, double freq, double rate, int64_t channels, double amp) {
  const auto t = torch::arange(n, torch::kFloat64) / rate;
  std::vector<torch::Tensor> rows;
  for (int64_t c = 0; c < channels; ++c) {
    rows.push_back(amp / static_cast<double>(c + 1) * torch::sin(2.0 * M_PI * freq * t + static_cast<double>(c)));
  }
  return torch::stack(rows).to(torch::kFloat32);
}

void write_tone(const std::string& path, int64_t n, double freq, int64_t rate, AudioEncoding encoding,
                int64_t channels) {
  write_audio(path, tone(n, freq, static_cast<double>(rate), channels), rate, encoding);
}

std::string fsdd_root() { return (fs::path(tfgram::testing::data_dir()) / "fsdd").string(); }
std::string esc10_root() { return (fs::path(tfgram::testing::data_dir()) / "esc10").string(); }

MemoryDataset::MemoryDataset(torch::Tensor waveforms, std::vector<int64_t> labels, std::vector<ClipInfo> infos,
                             std::vector<int64_t> failing)
    : waveforms_(std::move(waveforms)), labels_(std::move(labels)), infos_(std::move(infos)),
      failing_(std::move(failing)) {
  infos_.resize(static_cast<size_t>(waveforms_.size(0)));
  int64_t classes = 0;
  for (const int64_t label : labels_) classes = std::max(classes, label + 1);
  std::vector<std::string> names;
  for (int64_t c = 0; c < classes; ++c) names.push_back("class" + std::to_string(c));
  map_ = LabelMap(names);
}

torch::Tensor MemoryDataset::waveform(int64_t index) const {
  check_index(index);
  ++reads_;
  for (const int64_t bad : failing_) {
    if (bad == index) throw std::runtime_error("memory example " + std::to_string(index) + " is unreadable");
  }
  return waveforms_[index];
}

}  // namespace tfgram::data::testing
