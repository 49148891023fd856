// The decoded-dataset cache: miss, hit, stale, corrupt, skipped files, where it lives.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "data/data_test_util.h"
#include "tfgram/data/cache.h"
#include "tfgram/data/folder_dataset.h"

namespace tfgram::data::testing {
namespace {

namespace fs = std::filesystem;

class DataCache : public DataTest {
 protected:
  DataCache() {
    root = temp.path() / "set";
    write_tone(temp.file("set/bird/a.wav"), 1600, 440.0, 16000);
    write_tone(temp.file("set/bird/b.flac"), 2000, 660.0, 16000);
    write_tone(temp.file("set/frog/c.ogg"), 3200, 220.0, 16000);
  }

  FolderDataset load(AudioOptions options = AudioOptions().sample_rate(8000)) const {
    return FolderDataset(root.string(), options);
  }

  static void expect_same(const FileDataset& a, const FileDataset& b) {
    ASSERT_EQ(a.size(), b.size());
    for (int64_t i = 0; i < a.size(); ++i) {
      EXPECT_EQ(a.info(i).path, b.info(i).path);
      EXPECT_EQ(a.label(i), b.label(i));
      EXPECT_TRUE(torch::equal(a.waveform(i), b.waveform(i))) << i;
    }
  }

  // Rewrites `path` with other content and a later modification time.
  static void rewrite(const fs::path& path, double freq) {
    write_tone(path.string(), 1600, freq, 16000);
    fs::last_write_time(path, fs::last_write_time(path) + std::chrono::seconds(5));
  }

  std::vector<fs::path> cache_files() const {
    std::vector<fs::path> files;
    if (!fs::exists(cache_dir())) return files;
    for (const auto& entry : fs::directory_iterator(cache_dir())) files.push_back(entry.path());
    return files;
  }

  fs::path root;
};

TEST_F(DataCache, FirstLoadMissesAndWritesSecondLoadHits) {
  const auto first = load();
  EXPECT_EQ(first.report().cache, CacheStatus::kMiss);
  EXPECT_EQ(first.report().cache_note, "");
  ASSERT_EQ(cache_files().size(), 1u);
  EXPECT_EQ(cache_files()[0].string(), first.report().cache_path);
  EXPECT_EQ(cache_files()[0].extension(), ".tfwc");
  EXPECT_EQ(fs::path(first.report().cache_path).parent_path(), cache_dir());

  const auto second = load();
  EXPECT_EQ(second.report().cache, CacheStatus::kHit);
  expect_same(first, second);
  EXPECT_EQ(second.sample_rate(), 8000);
  EXPECT_EQ(second.waveform(0).numel(), 800);  // 1600 samples at 16 kHz
  // Only the final file: the temporary was renamed into place.
  EXPECT_EQ(cache_files().size(), 1u);
}

TEST_F(DataCache, ChangedSourceIsStaleAndRebuilt) {
  const auto first = load();
  rewrite(root / "bird" / "a.wav", 1000.0);
  const auto second = load();
  EXPECT_EQ(second.report().cache, CacheStatus::kStale);
  EXPECT_NE(second.report().cache_note.find("a.wav"), std::string::npos) << second.report().cache_note;
  EXPECT_FALSE(torch::equal(first.waveform(0), second.waveform(0)));
  const auto fresh = load(AudioOptions().sample_rate(8000).cache(CacheOptions().enabled(false)));
  expect_same(second, fresh);
  EXPECT_EQ(load().report().cache, CacheStatus::kHit);
}

TEST_F(DataCache, AddedFileIsStale) {
  load();
  write_tone((root / "frog" / "d.wav").string(), 1000, 300.0, 16000);
  const auto again = load();
  EXPECT_EQ(again.report().cache, CacheStatus::kStale);
  EXPECT_EQ(again.size(), 4);
  EXPECT_EQ(cache_files().size(), 1u);  // rewritten in place of the old one
}

TEST_F(DataCache, CorruptFilesAreDetectedAndRebuilt) {
  const auto reference = load(AudioOptions().sample_rate(8000).cache(CacheOptions().enabled(false)));
  const std::string path = load().report().cache_path;

  // A flipped byte in the samples.
  {
    std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
    file.seekg(-100, std::ios::end);
    char c = 0;
    file.read(&c, 1);
    file.seekp(-100, std::ios::end);
    c = static_cast<char>(c ^ 0x10);
    file.write(&c, 1);
  }
  auto rebuilt = load();
  EXPECT_EQ(rebuilt.report().cache, CacheStatus::kCorrupt);
  EXPECT_NE(rebuilt.report().cache_note.find("checksum"), std::string::npos);
  expect_same(rebuilt, reference);
  EXPECT_EQ(load().report().cache, CacheStatus::kHit);

  // Cut short.
  fs::resize_file(path, fs::file_size(path) - 4);
  EXPECT_EQ(load().report().cache, CacheStatus::kCorrupt);
  EXPECT_EQ(load().report().cache, CacheStatus::kHit);

  // Not a cache file at all.
  std::ofstream(path, std::ios::trunc) << "garbage that is long enough to cover a whole 64-byte header, surely!!";
  EXPECT_EQ(load().report().cache, CacheStatus::kCorrupt);
  std::ofstream(path, std::ios::trunc) << "short";
  EXPECT_EQ(load().report().cache, CacheStatus::kCorrupt);
  const auto last = load();
  EXPECT_EQ(last.report().cache, CacheStatus::kHit);
  expect_same(last, reference);
}

TEST_F(DataCache, DecodeOptionsSelectTheirOwnFile) {
  EXPECT_EQ(load(AudioOptions().sample_rate(8000)).report().cache, CacheStatus::kMiss);
  EXPECT_EQ(load(AudioOptions().sample_rate(4000)).report().cache, CacheStatus::kMiss);
  const auto fitted = load(AudioOptions().sample_rate(8000).length(1000).length_policy(LengthPolicy::kCentre));
  EXPECT_EQ(fitted.report().cache, CacheStatus::kMiss);
  EXPECT_EQ(fitted.waveform(2).numel(), 1000);
  EXPECT_EQ(cache_files().size(), 3u);
  // Options that do not change the samples share the file.
  EXPECT_EQ(load(AudioOptions().sample_rate(4000).threads(1).on_error(OnError::kSkip)).report().cache,
            CacheStatus::kHit);
}

TEST_F(DataCache, DisabledCacheWritesNothing) {
  const auto data = load(AudioOptions().cache(CacheOptions().enabled(false)));
  EXPECT_EQ(data.report().cache, CacheStatus::kDisabled);
  EXPECT_TRUE(cache_files().empty());
  const auto lazy = load(AudioOptions().preload(false));
  EXPECT_EQ(lazy.report().cache, CacheStatus::kDisabled);
  EXPECT_TRUE(cache_files().empty());
}

TEST_F(DataCache, ExplicitDirectoryWins) {
  const fs::path elsewhere = temp.path() / "elsewhere";
  const auto data = load(AudioOptions().cache(CacheOptions().directory(elsewhere.string())));
  EXPECT_EQ(fs::path(data.report().cache_path).parent_path(), elsewhere);
  EXPECT_TRUE(fs::exists(data.report().cache_path));
  EXPECT_TRUE(cache_files().empty());
}

TEST_F(DataCache, UnwritableDirectoryIsReportedNotFatal) {
  const std::string blocker = temp.file("blocker");
  std::ofstream(blocker) << "a file where a folder should be";
  const auto data = load(AudioOptions().cache(CacheOptions().directory(blocker + "/cache")));
  EXPECT_EQ(data.report().cache, CacheStatus::kMiss);
  EXPECT_NE(data.report().cache_note.find("not written"), std::string::npos) << data.report().cache_note;
  EXPECT_EQ(data.size(), 3);
}

TEST_F(DataCache, DefaultDirectoryFollowsXdgThenHome) {
  {
    ScopedEnv xdg("XDG_CACHE_HOME", "/tmp/some-cache");
    EXPECT_EQ(default_cache_directory(), "/tmp/some-cache/tfgram");
  }
  {
    ScopedEnv xdg("XDG_CACHE_HOME", std::nullopt);
    ScopedEnv home("HOME", "/home/someone");
    EXPECT_EQ(default_cache_directory(), "/home/someone/.cache/tfgram");
    ScopedEnv relative("XDG_CACHE_HOME", "relative/path");  // ignored, as XDG says
    EXPECT_EQ(default_cache_directory(), "/home/someone/.cache/tfgram");
  }
  {
    ScopedEnv xdg("XDG_CACHE_HOME", std::nullopt);
    ScopedEnv home("HOME", std::nullopt);
    EXPECT_THROW(default_cache_directory(), std::runtime_error);
    EXPECT_EQ(cache_directory(CacheOptions().directory("/x")), "/x");
  }
  EXPECT_EQ(to_string(CacheStatus::kStale), "stale");
}

TEST_F(DataCache, SkippedFilesAreReplayedFromTheCache) {
  std::ofstream((root / "frog" / "broken.wav").string()).close();  // empty
  const auto skip = AudioOptions().sample_rate(8000).on_error(OnError::kSkip);
  const auto first = load(skip);
  EXPECT_EQ(first.report().cache, CacheStatus::kMiss);
  ASSERT_EQ(first.report().skipped.size(), 1u);
  EXPECT_EQ(first.size(), 3);

  const auto second = load(skip);
  EXPECT_EQ(second.report().cache, CacheStatus::kHit);
  ASSERT_EQ(second.report().skipped.size(), 1u);
  EXPECT_EQ(second.report().skipped[0].path, first.report().skipped[0].path);
  EXPECT_EQ(second.report().skipped[0].reason, first.report().skipped[0].reason);
  expect_same(first, second);

  // A loader that does not skip fails on the cached failure just as on the file itself.
  try {
    load(AudioOptions().sample_rate(8000));
    ADD_FAILURE() << "expected an AudioFileError";
  } catch (const AudioFileError& error) {
    EXPECT_NE(error.path().find("broken.wav"), std::string::npos);
    EXPECT_NE(error.reason().find("empty"), std::string::npos);
  }
}

}  // namespace
}  // namespace tfgram::data::testing
