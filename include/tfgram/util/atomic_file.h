#pragma once
// Files a user keeps (checkpoints, histories, results) are replaced atomically: written to a
// temporary file in the same folder, flushed to disk, then renamed over the target, so a kill
// leaves either the old or the new version, never a torn one.
#include <functional>
#include <string>

namespace tfgram::util {

/// Writes `contents` to `path` atomically. Throws std::runtime_error naming the path.
void write_file_atomic(const std::string& path, const std::string& contents);

/// Calls `write(temp_path)` to produce the file, then fsyncs and renames it onto `path`.
/// The temporary is removed when `write` throws.
void replace_file_atomic(const std::string& path, const std::function<void(const std::string&)>& write);

/// The whole file as a string; std::runtime_error naming the path when it cannot be read.
std::string read_file(const std::string& path);

}  // namespace tfgram::util
