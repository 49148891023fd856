#include "scan.h"

#include "tfgram/util/csv.h"
#include "tfgram/util/threads.h"

#include <dirent.h>
#include <sched.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cstring>
#include <exception>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "tfgram/data/errors.h"

namespace tfgram::data::detail {

namespace fs = std::filesystem;

std::string absolute_path(const fs::path& path) {
  return fs::absolute(path).lexically_normal().string();
}

bool is_hidden(const fs::path& path) {
  const std::string name = path.filename().string();
  return !name.empty() && name[0] == '.';
}

void require_folder(const fs::path& path, const std::string& what) {
  std::error_code error;
  if (!fs::is_directory(path, error)) {
    throw FileError(path.string(), fs::exists(path, error) ? "is not a folder (expected " + what + ")"
                                                           : "does not exist (expected " + what + ")");
  }
}

namespace {

enum class EntryKind { kFile, kFolder, kOther };

struct Entry {
  EntryKind kind = EntryKind::kOther;
  bool link = false;
};

// d_type when the file system gives it, lstat/stat otherwise; links report their target's kind.
Entry entry_of(const std::string& path, unsigned char d_type) {
  if (d_type == DT_REG) return {EntryKind::kFile, false};
  if (d_type == DT_DIR) return {EntryKind::kFolder, false};
  if (d_type != DT_UNKNOWN && d_type != DT_LNK) return {EntryKind::kOther, false};
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return {};
  const bool link = S_ISLNK(st.st_mode);
  if (link && ::stat(path.c_str(), &st) != 0) return {};
  if (S_ISREG(st.st_mode)) return {EntryKind::kFile, link};
  if (S_ISDIR(st.st_mode)) return {EntryKind::kFolder, link};
  return {EntryKind::kOther, link};
}

// Appends the non-hidden entries of `folder` of the wanted kind, descending into sub-folders when
// `recursive` (but not through links to folders, which could loop).
void collect(const std::string& folder, EntryKind wanted, bool recursive, std::vector<std::string>& out) {
  DIR* dir = ::opendir(folder.c_str());
  if (dir == nullptr) throw FileError(folder, std::string("cannot be listed: ") + std::strerror(errno));
  std::vector<std::string> subfolders;
  try {
    while (const dirent* item = ::readdir(dir)) {
      if (item->d_name[0] == '.') continue;  // hidden, "." and ".."
      std::string path = folder + "/" + item->d_name;
      const Entry entry = entry_of(path, item->d_type);
      if (entry.kind == EntryKind::kFolder && recursive && !entry.link) subfolders.push_back(path);
      if (entry.kind == wanted) out.push_back(std::move(path));
    }
  } catch (...) {
    ::closedir(dir);
    throw;
  }
  ::closedir(dir);
  for (const auto& sub : subfolders) collect(sub, wanted, recursive, out);
}

std::string listing_base(const fs::path& folder) {
  std::string base = absolute_path(folder);
  while (base.size() > 1 && base.back() == '/') base.pop_back();
  return base;
}

}  // namespace

std::vector<std::string> list_files(const fs::path& folder, bool recursive) {
  std::vector<std::string> files;
  collect(listing_base(folder), EntryKind::kFile, recursive, files);
  std::sort(files.begin(), files.end());
  return files;
}

std::vector<std::string> list_folders(const fs::path& folder) {
  std::vector<std::string> folders;
  collect(listing_base(folder), EntryKind::kFolder, false, folders);
  std::sort(folders.begin(), folders.end());
  return folders;
}

std::string file_name(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string file_stem(const std::string& path) {
  const std::string name = file_name(path);
  const size_t dot = name.rfind('.');
  return dot == std::string::npos || dot == 0 ? name : name.substr(0, dot);
}

std::string file_extension(const std::string& path) {
  const std::string name = file_name(path);
  const size_t dot = name.rfind('.');
  return dot == std::string::npos || dot == 0 ? std::string() : name.substr(dot);
}

std::vector<std::string> split_fields(const std::string& text, char separator) {
  std::vector<std::string> fields;
  size_t start = 0;
  for (;;) {
    const size_t end = text.find(separator, start);
    fields.push_back(text.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) return fields;
    start = end + 1;
  }
}

bool parse_int(const std::string& text, int64_t& value) {
  if (text.empty()) return false;
  const char* end = text.data() + text.size();
  const auto result = std::from_chars(text.data(), end, value);
  return result.ec == std::errc() && result.ptr == end;
}

std::vector<CsvRow> read_csv(const std::string& path, bool comments) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw FileError(path, "cannot be opened");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  try {
    return util::parse_csv_records(buffer.str(), comments);
  } catch (const std::invalid_argument& e) {
    throw FileError(path, e.what());
  }
}

void parallel_for(int64_t n, int64_t threads, const std::function<void(int64_t)>& fn) {
  if (n <= 0) return;
  const int64_t workers = std::min<int64_t>(n, threads > 0 ? threads : int64_t{util::usable_cores()});
  std::atomic<int64_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex mutex;
  int64_t failed_index = n;
  std::exception_ptr failure;
  auto work = [&] {
    for (;;) {
      if (failed.load()) return;
      const int64_t i = next.fetch_add(1);
      if (i >= n) return;
      try {
        fn(i);
      } catch (...) {
        std::lock_guard<std::mutex> lock(mutex);
        if (i < failed_index) {
          failed_index = i;
          failure = std::current_exception();
        }
        failed.store(true);
      }
    }
  };
  if (workers <= 1) {
    work();
  } else {
    std::vector<std::thread> pool;
    pool.reserve(static_cast<size_t>(workers - 1));
    for (int64_t t = 1; t < workers; ++t) pool.emplace_back(work);
    work();
    for (auto& thread : pool) thread.join();
  }
  if (failure) std::rethrow_exception(failure);
}

bool parse_spoken_digit_file(const std::string& file, SpokenLabel label, ClipInfo& clip) {
  const auto fields = split_fields(file_stem(file), '_');
  int64_t digit = -1;
  int64_t take = -1;
  const bool parsed = file_extension(file) == ".wav" && fields.size() == 3 && parse_int(fields[0], digit) &&
                      digit >= 0 && digit <= 9 && !fields[1].empty() && parse_int(fields[2], take) && take >= 0;
  if (!parsed) return false;
  clip = ClipInfo();
  clip.path = file;  // list_files gives absolute paths
  clip.speaker = fields[1];
  clip.take = take;
  clip.label = label == SpokenLabel::kDigit ? fields[0] : fields[1];
  return true;
}

}  // namespace tfgram::data::detail
