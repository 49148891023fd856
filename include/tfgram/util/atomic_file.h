#pragma once
// Files a user keeps (checkpoints, histories, results) are replaced atomically: written to a
// temporary file in the same folder, flushed to disk, then renamed over the target, so a kill
// leaves either the old or the new version, never a torn one. Every write, fsync and close is
// checked: a full disk or an I/O error throws (naming the file and the reason) and leaves the old
// version in place.
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace tfgram::util {

/// Writes `contents` to `path` atomically. Throws std::runtime_error naming the path.
void write_file_atomic(const std::string& path, const std::string& contents);
/// The same for contents given in pieces (written one after the other).
void write_file_atomic(const std::string& path, const std::vector<std::string_view>& pieces);

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

/// Removes temporaries a killed writer left in `folder` ("<name>.tmp.<pid>.<n>" whose process no
/// longer exists); returns how many.
int remove_stale_temporaries(const std::string& folder);

}  // namespace tfgram::util
