#pragma once
// Helpers shared by the report tests: a temporary folder that can list itself, file bytes.
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

/// The file's bytes.
std::string read_bytes(const std::string& path);

/// Variance of the decoded PNG's luminance (0.2126 R + 0.7152 G + 0.0722 B) over all pixels: 0 for a
/// constant image, hundreds for a figure with an image or lines on it. Throws like read_png.
double png_luminance_variance(const std::string& path);

}  // namespace tfgram::report::testing
