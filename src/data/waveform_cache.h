#pragma once
// The on-disk cache of decoded datasets (private to src/data). One file per dataset identity:
//
//   header  64 bytes: magic "TFGRAMWC", u32 version, u32 byte-order mark, u64 meta bytes,
//           u64 sample count, u64 meta checksum, u64 sample checksum, u64 header checksum, u64 0
//   meta    identity string; every source's path, size and mtime; every clip's status
//           (decoded or the reason it failed), sample rate, offset and length
//   samples float32, starting at the next multiple of 64 bytes
//
// A read checks the header, the file size, both checksums, the identity and every source's
// stamp; any difference is reported as stale or corrupt and the caller rebuilds.
#include <torch/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "tfgram/data/cache.h"

namespace tfgram::data::detail {

/// A source file as a cache file remembers it (size −1 when it could not be stat'ed).
struct SourceStamp {
  std::string path;
  int64_t size = -1;
  int64_t mtime_ns = 0;
};
std::vector<SourceStamp> stamp_sources(const std::vector<std::string>& paths);

/// One clip: samples [offset, offset + length) of the sample block, or why decoding failed.
struct CachedClip {
  bool ok = true;
  std::string reason;
  int64_t sample_rate = 0;
  int64_t offset = 0;
  int64_t length = 0;
};

struct CacheContent {
  torch::Tensor samples;  ///< 1-D float32
  std::vector<CachedClip> clips;
};

struct CacheRead {
  CacheStatus status = CacheStatus::kMiss;
  std::string note;      ///< why stale/corrupt
  CacheContent content;  ///< filled on kHit
};

/// `directory`/<name>-<16 hex digits of the identity's hash>.tfwc
std::string cache_file_path(const std::string& directory, const std::string& name,
                            const std::string& identity);
CacheRead read_cache(const std::string& path, const std::string& identity,
                     const std::vector<SourceStamp>& sources);
/// Writes through a temporary file renamed into place; std::runtime_error with the reason when
/// that fails (the temporary is removed).
void write_cache(const std::string& path, const std::string& identity,
                 const std::vector<SourceStamp>& sources, const CacheContent& content);

/// A fast 64-bit checksum (four independent multiply–xorshift lanes) for corruption checks.
uint64_t checksum(const void* data, size_t bytes);

}  // namespace tfgram::data::detail
