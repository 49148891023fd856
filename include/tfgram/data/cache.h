#pragma once
// Where decoded, resampled datasets are cached, and what a load found there.
#include <torch/arg.h>

#include <string>

namespace tfgram::data {

/// Cache settings for file datasets. A cache file holds the fitted waveforms of one dataset
/// (identified by its kind, its root folder or manifest, the target rate and the length policy)
/// together with the path, size and modification time of every source file; a load compares
/// those with the files on disk and verifies checksums, rebuilding the file when anything
/// differs. Writes go to a temporary file that is renamed into place, so readers never see a
/// partial file.
struct CacheOptions {
  /// Use and write the cache.
  TORCH_ARG(bool, enabled) = true;
  /// Directory for cache files; empty means default_cache_directory().
  TORCH_ARG(std::string, directory) = "";
};

/// What a dataset load found in the cache.
enum class CacheStatus {
  kDisabled,  ///< caching off (or not applicable: lazy datasets)
  kMiss,      ///< no cache file yet: decoded and written
  kHit,       ///< valid cache file: nothing decoded
  kStale,     ///< sources or options changed since it was written: decoded and rewritten
  kCorrupt,   ///< bad header, size or checksum: decoded and rewritten
};

std::string to_string(CacheStatus status);

/// $XDG_CACHE_HOME/tfgram when XDG_CACHE_HOME is set (and absolute), else $HOME/.cache/tfgram.
/// Throws std::runtime_error when neither variable is usable.
std::string default_cache_directory();

/// options.directory(), or default_cache_directory() when that is empty.
std::string cache_directory(const CacheOptions& options);

}  // namespace tfgram::data
