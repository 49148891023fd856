// Every input the fuzzers found (fuzz/regressions/<target>/) through the same library call as its
// fuzz target: refused with an exception, never a crash. Under the sanitizer build
// (scripts/sanitize.sh) a read outside a buffer fails the test too.
#include <gtest/gtest.h>

#include <filesystem>

#include "support/temp_dir.h"
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

}  // namespace
}  // namespace tfgram::testing
