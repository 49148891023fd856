#pragma once
// Helpers shared by the report and CLI tests: a temporary folder and a child-process runner.
#include <filesystem>
#include <string>
#include <vector>

namespace tfgram::report::testing {

/// A fresh folder under the system temporary folder, removed with everything in it.
class TempFolder {
 public:
  TempFolder();
  ~TempFolder();
  TempFolder(const TempFolder&) = delete;
  TempFolder& operator=(const TempFolder&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  /// Names of the entries in the folder, sorted.
  std::vector<std::string> entries() const;

 private:
  std::filesystem::path path_;
};

struct ChildResult {
  int exit_code = -1;  ///< -1 when the child did not exit normally
  std::string out;
  std::string err;
};

/// Runs `argv` (argv[0] a path) as a child process with stdin from /dev/null and captures its
/// stdout and stderr through files in `scratch`.
ChildResult run_child(const std::vector<std::string>& argv, const TempFolder& scratch);

/// The file's bytes.
std::string read_bytes(const std::string& path);

}  // namespace tfgram::report::testing
