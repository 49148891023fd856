// write_file_atomic: small files through the page cache, large ones with O_DIRECT where the file
// system allows it (padded to the block size, then cut back), through the cache where it does not
// or TFGRAM_DIRECT_IO=off says so.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "support/temp_dir.h"
#include "tfgram/util/atomic_file.h"

namespace tfgram::testing {
namespace {

// Bytes that differ from block to block, so a misplaced or padded block changes the contents.
std::string pattern(size_t size, unsigned seed) {
  std::string s(size, '\0');
  uint32_t x = seed * 2654435761u + 1;
  for (auto& c : s) {
    x = x * 1664525u + 1013904223u;
    c = static_cast<char>(x >> 24);
  }
  return s;
}

void expect_round_trip(const std::string& folder) {
  // Above the direct-write threshold (16 MiB), in pieces whose sizes are not block multiples.
  const std::string a = pattern((size_t{9} << 20) + 7, 1), b = pattern((size_t{8} << 20) + 4093, 2);
  const std::string path = folder + "/big.bin";
  util::write_file_atomic(path, std::vector<std::string_view>{a, b});
  ASSERT_EQ(std::filesystem::file_size(path), a.size() + b.size());
  EXPECT_TRUE(util::read_file(path) == a + b) << path;
  // Replacing it with a shorter large file leaves no tail of the old one.
  const std::string c = pattern((size_t{16} << 20) + 1, 3);
  util::write_file_atomic(path, c);
  EXPECT_TRUE(util::read_file(path) == c) << path;
  util::write_file_atomic(folder + "/small.txt", "small\n");
  EXPECT_EQ(util::read_file(folder + "/small.txt"), "small\n");
  for (const auto& entry : std::filesystem::directory_iterator(folder)) {
    EXPECT_EQ(entry.path().filename().string().find(".tmp."), std::string::npos) << entry.path();
  }
}

TEST(AtomicFile, LargeAndSmallFilesRoundTripOnDisk) {
  TempDir dir;
  expect_round_trip(dir.path().string());
}

// TFGRAM_DIRECT_IO=off: the same files through the page cache (the path taken where the file
// system refuses O_DIRECT; tmpfs accepts it since Linux 6.6, so no folder here forces it).
TEST(AtomicFile, LargeFilesRoundTripThroughThePageCache) {
  ::setenv("TFGRAM_DIRECT_IO", "off", 1);
  TempDir dir;
  expect_round_trip(dir.path().string());
  ::unsetenv("TFGRAM_DIRECT_IO");
}

// On tmpfs, whichever way its kernel takes O_DIRECT.
TEST(AtomicFile, LargeFilesRoundTripOnTmpfs) {
  if (!std::filesystem::is_directory("/dev/shm")) GTEST_SKIP() << "no /dev/shm";
  const std::string folder = "/dev/shm/tfgram_atomic_file_test." + std::to_string(::getpid());
  std::filesystem::create_directories(folder);
  expect_round_trip(folder);
  std::filesystem::remove_all(folder);
}

}  // namespace
}  // namespace tfgram::testing
