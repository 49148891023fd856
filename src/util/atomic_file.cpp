#include "tfgram/util/atomic_file.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "tfgram/util/staged_file.h"

namespace tfgram::util {
namespace fs = std::filesystem;

namespace {
constexpr const char* kTempMark = ".tmp.";

std::string temp_name(const std::string& path) {
  static std::atomic<unsigned> counter{0};
  return path + kTempMark + std::to_string(::getpid()) + "." + std::to_string(counter++);
}

[[noreturn]] void fail(const std::string& what, const std::string& path, int error) {
  throw std::runtime_error("cannot " + what + " " + path + ": " + std::strerror(error));
}

// fsync, reporting failure: a full disk or an I/O error can surface only here (delayed allocation).
void fsync_file(const std::string& temp, const std::string& path) {
  const int fd = ::open(temp.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail("write", path, errno);
  if (::fsync(fd) != 0) {
    const int error = errno;
    ::close(fd);
    if (error != EINVAL && error != EROFS) fail("write", path, error);  // EINVAL: no fsync (pipes, some FUSE)
    return;
  }
  ::close(fd);
}

void fsync_folder(const std::string& folder) {
  const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);  // best effort: the rename itself has happened
  ::close(fd);
}
}  // namespace

void replace_file_atomic(const std::string& path, const std::function<void(const std::string&)>& write,
                         Sync sync) {
  const fs::path target(path);
  if (target.has_parent_path()) fs::create_directories(target.parent_path());
  const std::string temp = temp_name(path);
  try {
    write(temp);
    if (sync == Sync::durable) fsync_file(temp, path);
    if (std::rename(temp.c_str(), path.c_str()) != 0) fail("replace", path, errno);
  } catch (...) {
    std::error_code ignored;
    fs::remove(temp, ignored);
    throw;
  }
  if (sync == Sync::durable) fsync_folder(target.has_parent_path() ? target.parent_path().string() : ".");
}

namespace {

// Writes all of [data, data + size) at the file's current position.
void write_all(int fd, const char* data, size_t size, const std::string& path) {
  size_t done = 0;
  while (done < size) {
    const ssize_t n = ::write(fd, data + done, size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int error = n < 0 ? errno : EIO;
      ::close(fd);
      fail("write", path, error);
    }
    done += static_cast<size_t>(n);
  }
}

}  // namespace

void write_file_atomic(const std::string& path, const std::vector<std::string_view>& pieces) {
  size_t total = 0;
  for (const auto piece : pieces) total += piece.size();
  replace_file_atomic(path, [&](const std::string& temp) {
    if (total >= (size_t{8} << 20)) {  // large: staged, around the page cache where allowed
      StagedFileWriter out(temp, path);
      for (const auto piece : pieces) out.append(piece.data(), piece.size());
      out.close();
      return;
    }
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) fail("write", path, errno);
    for (const auto piece : pieces) write_all(fd, piece.data(), piece.size(), path);
    if (::close(fd) != 0) fail("write", path, errno);
  });
}

void write_file_atomic(const std::string& path, const std::string& contents) {
  write_file_atomic(path, std::vector<std::string_view>{contents});
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) throw std::runtime_error("cannot read " + path + ": " + std::strerror(errno));
  // Read into a string of the file's size: a stream and its copy would hold a checkpoint twice.
  const std::streamoff size = in.tellg();
  std::string contents;
  if (size > 0) {
    contents.resize(static_cast<size_t>(size));
    in.seekg(0);
    in.read(contents.data(), size);
    contents.resize(static_cast<size_t>(in.gcount()));
  }
  if (in.bad()) throw std::runtime_error("cannot read " + path + ": " + std::strerror(errno));
  // Whatever the size said (files that grow, or /proc files of size 0), read on to the end.
  in.clear();
  std::ostringstream rest;
  rest << in.rdbuf();
  contents += rest.str();
  return contents;
}

int remove_stale_temporaries(const std::string& folder) {
  int removed = 0;
  std::error_code error;
  for (fs::directory_iterator it(folder, error), end; !error && it != end; it.increment(error)) {
    const std::string name = it->path().filename().string();
    const auto mark = name.rfind(kTempMark);
    if (mark == std::string::npos) continue;
    // <name>.tmp.<pid>.<counter>
    const std::string tail = name.substr(mark + std::strlen(kTempMark));
    const auto dot = tail.find('.');
    if (dot == std::string::npos || dot == 0) continue;
    const std::string pid_text = tail.substr(0, dot);
    if (pid_text.find_first_not_of("0123456789") != std::string::npos) continue;
    const pid_t pid = static_cast<pid_t>(std::stol(pid_text));
    if (pid == ::getpid() || (::kill(pid, 0) == 0 || errno == EPERM)) continue;  // its writer may be alive
    std::error_code ignored;
    if (fs::remove(it->path(), ignored)) ++removed;
  }
  return removed;
}

}  // namespace tfgram::util
