// Every input the fuzzers found (fuzz/regressions/<target>/) through the same library call as its
// fuzz target: refused with an exception, never a crash. Under the sanitizer build
// (scripts/sanitize.sh) a read outside a buffer fails the test too.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "support/temp_dir.h"
#include "tfgram/data/audio_file.h"
#include "tfgram/models/published_weights.h"
#include "tfgram/util/atomic_file.h"

namespace tfgram::testing {
namespace {
namespace fs = std::filesystem;

std::vector<std::string> inputs(const std::string& target) {
  std::vector<std::string> out;
  const fs::path folder = fs::path(TFGRAM_FUZZ_REGRESSIONS_DIR) / target;
  if (fs::is_directory(folder)) {
    for (const auto& entry : fs::directory_iterator(folder)) out.push_back(entry.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// A zip directory pointing past the end of the file: LibTorch's in-memory reader copied from
// outside the buffer (heap-buffer-overflow under ASan).
TEST(FuzzRegressions, PublishedWeightsFilesAreRefusedWithoutReadingOutside) {
  const auto files = inputs("fuzz_published");
  ASSERT_FALSE(files.empty()) << TFGRAM_FUZZ_REGRESSIONS_DIR;
  for (const auto& file : files) {
    EXPECT_THROW(models::read_tensor_dict(file), std::runtime_error) << file;
  }
}

// A stereo float WAV whose two channels near FLT_MAX summed to Inf in the channel mean: a decoded
// clip held Inf samples although each stored sample was finite.
TEST(FuzzRegressions, AudioFilesDecodeToFiniteSamplesOrAreRefused) {
  const auto files = inputs("fuzz_audio");
  ASSERT_FALSE(files.empty()) << TFGRAM_FUZZ_REGRESSIONS_DIR;
  TempDir dir;
  static const char* const kNames[] = {"in.wav", "in.flac", "in.ogg", "in.WAV"};
  for (const auto& file : files) {
    const auto bytes = util::read_file(file);  // as fuzz/fuzz_audio.cpp: the first byte picks the extension
    ASSERT_FALSE(bytes.empty());
    const auto path = dir / kNames[static_cast<unsigned char>(bytes[0]) % 4];
    util::write_file_atomic(path, bytes.substr(1));
    try {
      const auto clip = data::read_audio(path);
      for (const float x : clip.samples) ASSERT_TRUE(std::isfinite(x)) << file;
    } catch (const data::AudioFileError&) {
    }
  }
}

}  // namespace
}  // namespace tfgram::testing
