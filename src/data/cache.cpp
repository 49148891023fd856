#include "tfgram/data/cache.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <torch/torch.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string_view>

#include "tfgram/util/atomic_file.h"
#include "tfgram/util/check.h"
#include "tfgram/util/file_name.h"
#include "waveform_cache.h"

namespace tfgram::data {

std::string to_string(CacheStatus status) {
  switch (status) {
    case CacheStatus::kDisabled: return "disabled";
    case CacheStatus::kMiss: return "miss";
    case CacheStatus::kHit: return "hit";
    case CacheStatus::kStale: return "stale";
    case CacheStatus::kCorrupt: return "corrupt";
  }
  return "unknown";
}

std::string default_cache_directory() {
  // The XDG base-directory rules ignore relative values.
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  if (xdg != nullptr && xdg[0] == '/') return (std::filesystem::path(xdg) / "tfgram").string();
  const char* home = std::getenv("HOME");
  if (home != nullptr && home[0] != '\0') {
    return (std::filesystem::path(home) / ".cache" / "tfgram").string();
  }
  throw std::runtime_error(
      "cache: neither XDG_CACHE_HOME nor HOME is set; set one, or name a directory with "
      "CacheOptions::directory");
}

std::string cache_directory(const CacheOptions& options) {
  return options.directory().empty() ? default_cache_directory() : options.directory();
}

namespace detail {
namespace {

namespace fs = std::filesystem;

constexpr char kMagic[8] = {'T', 'F', 'G', 'R', 'A', 'M', 'W', 'C'};
constexpr uint32_t kVersion = 1;
constexpr uint32_t kByteOrderMark = 0x01020304;
constexpr size_t kHeaderBytes = 64;

struct Header {
  char magic[8];
  uint32_t version;
  uint32_t byte_order;
  uint64_t meta_bytes;
  uint64_t sample_count;
  uint64_t meta_checksum;
  uint64_t sample_checksum;
  uint64_t header_checksum;  // of the 48 bytes before it
  uint64_t reserved;
};
static_assert(sizeof(Header) == kHeaderBytes, "cache header must be 64 bytes");

uint64_t align64(uint64_t n) { return (n + 63) & ~uint64_t{63}; }

uint64_t mix(uint64_t x) {
  x ^= x >> 31;
  x *= 0x7FB5D329728EA185ULL;
  x ^= x >> 27;
  x *= 0x81DADEF4BC2DD44DULL;
  return x ^ (x >> 33);
}

// Meta block serialisation: fixed-width little-endian integers, length-prefixed strings.
class MetaWriter {
 public:
  void u64(uint64_t v) { append(&v, sizeof(v)); }
  void i64(int64_t v) { append(&v, sizeof(v)); }
  void u8(uint8_t v) { append(&v, sizeof(v)); }
  void str(const std::string& s) {
    u64(s.size());
    append(s.data(), s.size());
  }
  const std::string& bytes() const { return bytes_; }

 private:
  void append(const void* p, size_t n) { bytes_.append(static_cast<const char*>(p), n); }
  std::string bytes_;
};

class MetaReader {
 public:
  MetaReader(const char* data, size_t size) : data_(data), size_(size) {}
  uint64_t u64() { uint64_t v; take(&v, sizeof(v)); return v; }
  int64_t i64() { int64_t v; take(&v, sizeof(v)); return v; }
  uint8_t u8() { uint8_t v; take(&v, sizeof(v)); return v; }
  /// A view into the block: comparing thousands of paths needs no copies.
  std::string_view view() {
    const uint64_t n = u64();
    if (n > size_ - pos_) throw std::out_of_range("string runs past the meta block");
    const std::string_view s(data_ + pos_, n);
    pos_ += n;
    return s;
  }
  std::string str() { return std::string(view()); }
  bool done() const { return pos_ == size_; }

 private:
  void take(void* out, size_t n) {
    if (n > size_ - pos_) throw std::out_of_range("meta block ends early");
    std::memcpy(out, data_ + pos_, n);
    pos_ += n;
  }
  const char* data_;
  size_t size_;
  size_t pos_ = 0;
};

struct Mapping {
  void* base = MAP_FAILED;
  size_t size = 0;
  ~Mapping() {
    if (base != MAP_FAILED) ::munmap(base, size);
  }
};

std::string hex16(uint64_t v) {
  char buffer[17];
  std::snprintf(buffer, sizeof(buffer), "%016llx", static_cast<unsigned long long>(v));
  return buffer;
}

// Cache files keep plain names: separators, dots and shell-special characters become '_'.
std::string safe_name(const std::string& name) { return util::safe_file_name(name, ".,=+*?<>|!#$%&;()[]{}`~", "dataset"); }

CacheRead fail(CacheStatus status, std::string note) {
  CacheRead read;
  read.status = status;
  read.note = std::move(note);
  return read;
}

}  // namespace

uint64_t checksum(const void* data, size_t bytes) {
  const auto* p = static_cast<const unsigned char*>(data);
  constexpr uint64_t kMul = 0x9FB21C651E98DF25ULL;
  uint64_t lane[4] = {0x243F6A8885A308D3ULL, 0x13198A2E03707344ULL, 0xA4093822299F31D0ULL,
                      0x082EFA98EC4E6C89ULL};
  size_t i = 0;
  // Four independent chains keep the multiplier busy; each step is a bijection of the lane, so a
  // changed word always changes its lane.
  for (; i + 32 <= bytes; i += 32) {
    for (int l = 0; l < 4; ++l) {
      uint64_t word;
      std::memcpy(&word, p + i + 8 * l, 8);
      lane[l] = (lane[l] ^ word) * kMul;
      lane[l] ^= lane[l] >> 29;
    }
  }
  for (int l = 0; i + 8 <= bytes; i += 8, ++l) {
    uint64_t word;
    std::memcpy(&word, p + i, 8);
    lane[l] = (lane[l] ^ word) * kMul;
    lane[l] ^= lane[l] >> 29;
  }
  uint64_t tail = 0;  // the last 0–7 bytes
  std::memcpy(&tail, p + i, bytes - i);
  uint64_t h = mix(bytes ^ mix(tail ^ (bytes - i)));
  for (const uint64_t l : lane) h = mix(h ^ l) * kMul;
  return mix(h);
}

std::vector<SourceStamp> stamp_sources(const std::vector<std::string>& paths) {
  std::vector<SourceStamp> stamps(paths.size());
  // Clips of one folder come together: stat them relative to that folder, so the kernel does
  // not walk the whole path for each of thousands of files.
  std::string folder;
  int folder_fd = -1;
  for (size_t i = 0; i < paths.size(); ++i) {
    const std::string& path = paths[i];
    stamps[i].path = path;
    const size_t slash = path.rfind('/');
    const std::string parent = slash == std::string::npos ? "." : path.substr(0, slash + 1);
    if (parent != folder || folder_fd < 0) {
      if (folder_fd >= 0) ::close(folder_fd);
      folder = parent;
      folder_fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    }
    struct stat st {};
    const bool ok = folder_fd >= 0
                        ? ::fstatat(folder_fd, path.c_str() + (slash == std::string::npos ? 0 : slash + 1), &st, 0) == 0
                        : ::stat(path.c_str(), &st) == 0;
    if (ok) {
      stamps[i].size = st.st_size;
      stamps[i].mtime_ns = int64_t{st.st_mtim.tv_sec} * 1000000000 + st.st_mtim.tv_nsec;
    }
  }
  if (folder_fd >= 0) ::close(folder_fd);
  return stamps;
}

std::string cache_file_path(const std::string& directory, const std::string& name,
                            const std::string& identity) {
  const uint64_t key = checksum(identity.data(), identity.size());
  return (fs::path(directory) / (safe_name(name) + "-" + hex16(key) + ".tfwc")).string();
}

CacheRead read_cache(const std::string& path, const std::string& identity,
                     const std::vector<SourceStamp>& sources) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    // Missing (or unreachable, e.g. a permission problem): nothing to trust, so decode.
    if (errno == ENOENT) return fail(CacheStatus::kMiss, "");
    return fail(CacheStatus::kMiss, std::string("cannot open: ") + std::strerror(errno));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || st.st_size < static_cast<off_t>(kHeaderBytes)) {
    ::close(fd);
    return fail(CacheStatus::kCorrupt, "shorter than its 64-byte header");
  }
  Header header{};
  if (::pread(fd, &header, sizeof(header), 0) != static_cast<ssize_t>(sizeof(header))) {
    ::close(fd);
    return fail(CacheStatus::kCorrupt, "header cannot be read");
  }
  if (std::memcmp(header.magic, kMagic, sizeof(kMagic)) != 0) {
    ::close(fd);
    return fail(CacheStatus::kCorrupt, "not a tfgram cache file (bad magic)");
  }
  if (header.header_checksum != checksum(&header, 48)) {
    ::close(fd);
    return fail(CacheStatus::kCorrupt, "header checksum mismatch");
  }
  if (header.version != kVersion || header.byte_order != kByteOrderMark) {
    ::close(fd);
    return fail(CacheStatus::kStale, "written by another cache format version or byte order");
  }
  const uint64_t data_offset = align64(kHeaderBytes + header.meta_bytes);
  const uint64_t expected = data_offset + header.sample_count * sizeof(float);
  if (header.meta_bytes > static_cast<uint64_t>(st.st_size) ||
      header.sample_count > static_cast<uint64_t>(st.st_size) ||
      expected != static_cast<uint64_t>(st.st_size)) {
    ::close(fd);
    return fail(CacheStatus::kCorrupt, "file has " + std::to_string(st.st_size) +
                                           " bytes but its header implies " + std::to_string(expected));
  }

  // Pages come straight from the page cache, without a copy. Mapped read-only first: populating a
  // writable private mapping would copy every page. Made writable afterwards, so a caller that
  // edits a waveform in place only changes its own copy-on-write page, never the file.
  auto mapping = std::make_shared<Mapping>();
  mapping->size = static_cast<size_t>(st.st_size);
  mapping->base = ::mmap(nullptr, mapping->size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
  ::close(fd);
  if (mapping->base == MAP_FAILED) {
    return fail(CacheStatus::kCorrupt, std::string("cannot be mapped: ") + std::strerror(errno));
  }
  if (::mprotect(mapping->base, mapping->size, PROT_READ | PROT_WRITE) != 0) {
    return fail(CacheStatus::kCorrupt, std::string("cannot be remapped writable: ") + std::strerror(errno));
  }
  const char* base = static_cast<const char*>(mapping->base);
  const char* meta = base + kHeaderBytes;
  if (checksum(meta, header.meta_bytes) != header.meta_checksum) {
    return fail(CacheStatus::kCorrupt, "metadata checksum mismatch");
  }

  CacheContent content;
  try {
    MetaReader reader(meta, header.meta_bytes);
    if (reader.view() != identity) return fail(CacheStatus::kStale, "dataset or audio options changed");
    const uint64_t count = reader.u64();
    if (count != sources.size()) {
      return fail(CacheStatus::kStale, "the dataset lists " + std::to_string(sources.size()) +
                                           " files now, " + std::to_string(count) + " when cached");
    }
    for (const auto& source : sources) {
      const std::string_view cached_path = reader.view();
      const int64_t size = reader.i64();
      const int64_t mtime = reader.i64();
      if (cached_path != source.path) {
        return fail(CacheStatus::kStale, "file list changed ('" + source.path + "' is new)");
      }
      if (size != source.size || mtime != source.mtime_ns) {
        return fail(CacheStatus::kStale, "'" + source.path + "' changed (size or modification time)");
      }
    }
    content.clips.resize(count);
    for (auto& clip : content.clips) {
      clip.ok = reader.u8() != 0;
      clip.reason = reader.str();
      clip.sample_rate = reader.i64();
      clip.offset = reader.i64();
      clip.length = reader.i64();
      if (clip.offset < 0 || clip.length < 0 ||
          static_cast<uint64_t>(clip.offset + clip.length) > header.sample_count) {
        return fail(CacheStatus::kCorrupt, "a clip lies outside the sample block");
      }
    }
    if (!reader.done()) return fail(CacheStatus::kCorrupt, "metadata has trailing bytes");
  } catch (const std::out_of_range& error) {
    return fail(CacheStatus::kCorrupt, std::string("metadata is malformed: ") + error.what());
  }

  char* samples = static_cast<char*>(mapping->base) + data_offset;
  if (checksum(samples, header.sample_count * sizeof(float)) != header.sample_checksum) {
    return fail(CacheStatus::kCorrupt, "sample checksum mismatch");
  }
  // The tensor keeps the mapping alive for as long as any view of it exists.
  content.samples = torch::from_blob(
      samples, {static_cast<int64_t>(header.sample_count)}, [mapping](void*) {},
      torch::TensorOptions().dtype(torch::kFloat32));
  CacheRead read;
  read.status = CacheStatus::kHit;
  read.content = std::move(content);
  return read;
}

void write_cache(const std::string& path, const std::string& identity,
                 const std::vector<SourceStamp>& sources, const CacheContent& content) {
  util::require(content.clips.size() == sources.size(), "write_cache", "clips and sources differ in number");
  const torch::Tensor samples = content.samples.defined()
                                    ? content.samples.to(torch::kFloat32).contiguous()
                                    : torch::empty({0}, torch::kFloat32);
  MetaWriter meta;
  meta.str(identity);
  meta.u64(sources.size());
  for (const auto& source : sources) {
    meta.str(source.path);
    meta.i64(source.size);
    meta.i64(source.mtime_ns);
  }
  for (const auto& clip : content.clips) {
    meta.u8(clip.ok ? 1 : 0);
    meta.str(clip.reason);
    meta.i64(clip.sample_rate);
    meta.i64(clip.offset);
    meta.i64(clip.length);
  }
  const std::string& meta_bytes = meta.bytes();
  const uint64_t sample_bytes = static_cast<uint64_t>(samples.numel()) * sizeof(float);

  Header header{};
  std::memcpy(header.magic, kMagic, sizeof(kMagic));
  header.version = kVersion;
  header.byte_order = kByteOrderMark;
  header.meta_bytes = meta_bytes.size();
  header.sample_count = static_cast<uint64_t>(samples.numel());
  header.meta_checksum = checksum(meta_bytes.data(), meta_bytes.size());
  header.sample_checksum = checksum(samples.data_ptr<float>(), sample_bytes);
  header.header_checksum = checksum(&header, 48);

  const fs::path target(path);
  std::error_code error;
  fs::create_directories(target.parent_path(), error);
  if (error) {
    throw std::runtime_error("cannot create cache directory '" + target.parent_path().string() +
                             "': " + error.message());
  }
  // Each writer has its own temporary: processes loading the same dataset at once each write
  // theirs and the last rename wins; both files are complete. No fsync: a file torn by a crash fails
  // its size or checksum test and is rebuilt.
  const std::string padding(align64(kHeaderBytes + meta_bytes.size()) - kHeaderBytes - meta_bytes.size(), '\0');
  try {
    util::replace_file_atomic(
        path,
        [&](const std::string& temp) {
          std::FILE* file = std::fopen(temp.c_str(), "wb");
          if (file == nullptr) throw std::runtime_error("cannot create '" + temp + "': " + std::strerror(errno));
          bool ok = std::fwrite(&header, sizeof(header), 1, file) == 1;
          ok = ok && std::fwrite(meta_bytes.data(), 1, meta_bytes.size(), file) == meta_bytes.size();
          ok = ok && std::fwrite(padding.data(), 1, padding.size(), file) == padding.size();
          ok = ok && (sample_bytes == 0 ||
                      std::fwrite(samples.data_ptr<float>(), 1, sample_bytes, file) == sample_bytes);
          const int write_errno = errno;
          ok = (std::fclose(file) == 0) && ok;
          if (!ok) throw std::runtime_error(std::strerror(write_errno));
        },
        util::Sync::none);
  } catch (const std::runtime_error& e) {
    throw std::runtime_error("cannot write cache file '" + path + "': " + e.what());
  }
}

}  // namespace detail
}  // namespace tfgram::data
