#pragma once
// Files a user keeps (checkpoints, histories, results) are replaced atomically: written to a
// temporary file in the same folder, flushed to disk, then renamed over the target, so a kill
// leaves either the old or the new version, never a torn one.
#include <functional>
#include <string>

namespace tfgram::util {

/// Writes `contents` to `path` atomically. Throws std::runtime_error naming the path.
void write_file_atomic(const std::string& path, const std::string& contents);

/// Whether replace_file_atomic flushes the new file and its folder to disk (a crash then leaves
/// the old or the new file) or only renames (files that are checked when read, such as caches).
enum class Sync { durable, none };

/// Calls `write(temp_path)` to produce the file (a name no other writer, thread or process, picks,
/// in the target's folder), then fsyncs it and renames it onto `path`. The temporary is removed
/// when `write` throws; a failed rename throws std::runtime_error naming the path.
void replace_file_atomic(const std::string& path, const std::function<void(const std::string&)>& write,
                         Sync sync = Sync::durable);

/// The whole file as a string; std::runtime_error naming the path when it cannot be read.
std::string read_file(const std::string& path);

}  // namespace tfgram::util
