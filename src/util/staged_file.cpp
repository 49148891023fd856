#include "tfgram/util/staged_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace tfgram::util {
namespace {

constexpr size_t kAlign = StagedFileWriter::kPatchable;  // a multiple of every logical block size in use
constexpr size_t kStage = size_t{8} << 20;

[[noreturn]] void fail(const std::string& path, int error) {
  throw std::runtime_error("cannot write " + path + ": " + std::strerror(error));
}

char* aligned(size_t size) {
  auto* p = static_cast<char*>(std::aligned_alloc(kAlign, size));
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

// TFGRAM_DIRECT_IO=off keeps every write in the page cache (a file system where direct writes are
// slow, or a reader that wants the file cached).
bool direct_io_allowed() {
  const char* setting = std::getenv("TFGRAM_DIRECT_IO");
  return setting == nullptr || (std::strcmp(setting, "off") != 0 && std::strcmp(setting, "0") != 0);
}

}  // namespace

void StagedFileWriter::Free::operator()(char* p) const { std::free(p); }

StagedFileWriter::StagedFileWriter(std::string file, std::string shown_as)
    : file_(std::move(file)), shown_as_(std::move(shown_as)), stage_(aligned(kStage)), head_(aligned(kAlign)) {}

StagedFileWriter::~StagedFileWriter() {
  if (fd_ >= 0) ::close(fd_);
}

void StagedFileWriter::open_direct() {
  if (direct_io_allowed()) {
    fd_ = ::open(file_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_DIRECT, 0644);
    direct_ = fd_ >= 0;
    if (fd_ < 0 && errno != EINVAL) fail(shown_as_, errno);
  }
  if (fd_ < 0) fd_ = ::open(file_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0) fail(shown_as_, errno);
}

void StagedFileWriter::write_at(const char* data, size_t size, size_t offset) {
  for (size_t done = 0; done < size;) {
    const ssize_t n = ::pwrite(fd_, data + done, size - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    // O_DIRECT accepted at open but refused for this file: go on through the page cache.
    if (n < 0 && errno == EINVAL && direct_ && ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) & ~O_DIRECT) == 0) {
      direct_ = false;
      continue;
    }
    if (n <= 0) fail(shown_as_, n < 0 ? errno : EIO);
    // A short direct write leaves the rest unaligned: finish it through the cache.
    if (direct_ && static_cast<size_t>(n) % kAlign != 0) {
      ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) & ~O_DIRECT);
      direct_ = false;
    }
    done += static_cast<size_t>(n);
  }
}

void StagedFileWriter::flush_stage() {
  if (fd_ < 0) open_direct();
  if (!flushed_) std::memcpy(head_.get(), stage_.get(), std::min(kAlign, filled_));
  // The last stage of a direct file is padded to the block size; close() cuts the file back.
  const size_t bytes = direct_ ? (filled_ + kAlign - 1) / kAlign * kAlign : filled_;
  std::memset(stage_.get() + filled_, 0, bytes - filled_);
  write_at(stage_.get(), bytes, written_);
  written_ += filled_;
  filled_ = 0;
  flushed_ = true;
}

void StagedFileWriter::append(const void* data, size_t size) {
  const auto* bytes = static_cast<const char*>(data);
  while (size > 0) {
    const size_t take = std::min(size, kStage - filled_);
    std::memcpy(stage_.get() + filled_, bytes, take);
    filled_ += take;
    total_ += take;
    bytes += take;
    size -= take;
    if (filled_ == kStage) flush_stage();
  }
}

void StagedFileWriter::patch(size_t offset, const void* data, size_t size) {
  if (offset + size > kPatchable || offset + size > total_) {
    throw std::logic_error("StagedFileWriter::patch: bytes not appended or beyond the patchable head");
  }
  std::memcpy((flushed_ ? head_.get() : stage_.get()) + offset, data, size);
}

void StagedFileWriter::close() {
  if (!flushed_) {
    // One stage or less: one buffered write, as for any small file.
    fd_ = ::open(file_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd_ < 0) fail(shown_as_, errno);
    write_at(stage_.get(), filled_, 0);
  } else {
    if (filled_ > 0) flush_stage();
    // The head again, with its patches (a whole block: direct writes are block-sized).
    write_at(head_.get(), direct_ ? kAlign : std::min(kAlign, total_), 0);
    if (::ftruncate(fd_, static_cast<off_t>(total_)) != 0) fail(shown_as_, errno);
  }
  const int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) fail(shown_as_, errno);
}

}  // namespace tfgram::util
