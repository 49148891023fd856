#pragma once
// A fresh folder under the system temporary folder, removed with everything in it.
#include <filesystem>
#include <string>

namespace tfgram::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  /// path()/name as a string.
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }
  /// path()/relative as a string, creating its parent folders.
  std::string file(const std::string& relative) const;

 private:
  std::filesystem::path path_;
};

}  // namespace tfgram::testing
