#pragma once
// Errors for data files that exist (or should) but cannot be used: each names the file and the reason.
#include <stdexcept>
#include <string>
#include <utility>

namespace tfgram::data {

/// A data file (manifest, metadata table, dataset folder, cache) that cannot be used.
/// what() reads "<kind> '<path>': <reason>".
class FileError : public std::runtime_error {
 public:
  FileError(std::string path, std::string reason) : FileError("file", std::move(path), std::move(reason)) {}
  const std::string& path() const noexcept { return path_; }
  const std::string& reason() const noexcept { return reason_; }

 protected:
  FileError(const std::string& kind, std::string path, std::string reason)
      : std::runtime_error(kind + " '" + path + "': " + reason),
        path_(std::move(path)),
        reason_(std::move(reason)) {}

 private:
  std::string path_;
  std::string reason_;
};

/// An audio file that is missing, empty, truncated, corrupt, of an unsupported type, or whose
/// samples are NaN/Inf. With OnError::kSkip datasets skip such files and report them instead.
class AudioFileError : public FileError {
 public:
  AudioFileError(std::string path, std::string reason)
      : FileError("audio file", std::move(path), std::move(reason)) {}
};

}  // namespace tfgram::data
