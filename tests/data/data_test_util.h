#pragma once
// Shared helpers for the data-layer tests: temporary folders, environment overrides, generated
// audio files, a small in-memory dataset.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <atomic>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "support/temp_dir.h"
#include "tfgram/data/audio_file.h"
#include "tfgram/data/dataset.h"

namespace tfgram::data::testing {

using tfgram::testing::TempDir;

/// Sets (or, with nullopt, unsets) an environment variable until destroyed.
class ScopedEnv {
 public:
  ScopedEnv(std::string name, const std::optional<std::string>& value);
  ~ScopedEnv();
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  std::string name_;
  std::optional<std::string> old_;
};

/// Base fixture: XDG_CACHE_HOME points at a fresh temporary folder for the test, so nothing
/// reaches the user's cache; `temp` holds the files a test generates.
class DataTest : public ::testing::Test {
 protected:
  DataTest();
  std::filesystem::path cache_home() const { return cache_home_.path(); }
  /// Where FileDatasets put their cache files in this test.
  std::filesystem::path cache_dir() const { return cache_home_.path() / "tfgram"; }

  TempDir temp;

 private:
  TempDir cache_home_;
  ScopedEnv xdg_;
};

/// (channels, n) sines at `freq` Hz (channel c has amplitude amp/(c+1) and phase c).
torch::Tensor tone(int64_t n, double freq, double rate, int64_t channels = 1, double amp = 0.5);
/// Writes a short tone file at `path` (format from the extension).
void write_tone(const std::string& path, int64_t n, double freq, int64_t rate,
                AudioEncoding encoding = AudioEncoding::kDefault, int64_t channels = 1);

/// $TFGRAM_DATA_DIR/fsdd and /esc10 (../shared/data by default).
std::string fsdd_root();
std::string esc10_root();

/// A dataset held in memory: rows of `waveforms`, labels, optional infos; waveform() of an index
/// in `failing` throws std::runtime_error.
class MemoryDataset : public Dataset {
 public:
  MemoryDataset(torch::Tensor waveforms, std::vector<int64_t> labels, std::vector<ClipInfo> infos = {},
                std::vector<int64_t> failing = {});
  std::string name() const override { return "memory"; }
  int64_t size() const override { return waveforms_.size(0); }
  torch::Tensor waveform(int64_t index) const override;
  int64_t label(int64_t index) const override { return labels_.at(static_cast<size_t>(index)); }
  const ClipInfo& info(int64_t index) const override { return infos_.at(static_cast<size_t>(index)); }
  const LabelMap& label_map() const override { return map_; }
  int64_t sample_rate() const override { return 8000; }
  /// waveform() calls so far.
  int64_t reads() const { return reads_.load(); }

 private:
  torch::Tensor waveforms_;
  std::vector<int64_t> labels_;
  std::vector<ClipInfo> infos_;
  std::vector<int64_t> failing_;
  LabelMap map_;
  mutable std::atomic<int64_t> reads_{0};
};

}  // namespace tfgram::data::testing
