#pragma once
// A file written front to back through an aligned staging buffer, so that large files (the
// checkpoints of big models, hundreds of MB each epoch) can go around the page cache: on the VMs
// measured, copying into it cost ~3 s of system time per GB (dd: 3.1 s buffered against 0.12 s with
// O_DIRECT), which was all of ESC-10 mel_conv training's system time. Files that stay under one
// stage are written through the cache in one write; where the file system refuses O_DIRECT (some
// FUSE and network file systems, tmpfs before Linux 6.6) or TFGRAM_DIRECT_IO=off, everything is.
// Use inside replace_file_atomic's callback.
#include <cstddef>
#include <memory>
#include <string>

namespace tfgram::util {

class StagedFileWriter {
 public:
  /// Bytes that patch() may still rewrite after they were appended: a header whose checksum is
  /// known only once the rest is written.
  static constexpr size_t kPatchable = 4096;

  /// Creates (truncates) `file`; errors name `shown_as` (the path the user asked for).
  StagedFileWriter(std::string file, std::string shown_as);
  ~StagedFileWriter();
  StagedFileWriter(const StagedFileWriter&) = delete;
  StagedFileWriter& operator=(const StagedFileWriter&) = delete;

  void append(const void* data, size_t size);
  /// Rewrites bytes [offset, offset + size) < kPatchable, already appended.
  void patch(size_t offset, const void* data, size_t size);
  /// Writes what is staged and closes the file; throws std::runtime_error naming the path.
  void close();
  size_t size() const { return total_; }

 private:
  void flush_stage();
  void open_direct();
  void write_at(const char* data, size_t size, size_t offset);

  std::string file_, shown_as_;
  int fd_ = -1;
  bool direct_ = false;
  bool flushed_ = false;  // a stage reached the file: patches go to head_
  size_t filled_ = 0, total_ = 0, written_ = 0;
  struct Free {
    void operator()(char* p) const;
  };
  std::unique_ptr<char, Free> stage_, head_;
};

}  // namespace tfgram::util
