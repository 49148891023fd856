#pragma once
// Helpers the dataset layouts share (private to src/data): listing folders, parsing file names
// and CSV files, running work on several threads.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "tfgram/data/dataset.h"
#include "tfgram/util/csv.h"

namespace tfgram::data::detail {

/// Absolute, lexically normal form of `path`.
std::string absolute_path(const std::filesystem::path& path);
bool is_hidden(const std::filesystem::path& path);
/// FileError(`path`, "is not a folder (expected <what>)") unless it is one.
void require_folder(const std::filesystem::path& path, const std::string& what);
/// Regular files in `folder` (below it when `recursive`), hidden entries left out, sorted;
/// absolute, normal paths. Plain strings and readdir: FSDD's 3000 files list in about a
/// millisecond, which keeps a cached load fast.
std::vector<std::string> list_files(const std::filesystem::path& folder, bool recursive);
/// Sub-folders of `folder`, hidden ones left out, sorted; absolute and normal.
std::vector<std::string> list_folders(const std::filesystem::path& folder);
/// The last component of `path` ("a/b.wav" → "b.wav").
std::string file_name(const std::string& path);
/// file_name without its extension ("a/b.wav" → "b").
std::string file_stem(const std::string& path);
/// The extension with its dot, as written ("a/b.WAV" → ".WAV"; "" when none).
std::string file_extension(const std::string& path);
/// `text` cut at every `separator`.
std::vector<std::string> split_fields(const std::string& text, char separator);
/// Whole-string base-10 integer parse.
bool parse_int(const std::string& text, int64_t& value);

/// Parses a spoken-digit recording named {digit}_{speaker}_{index}.wav (FSDD and Audio-MNIST):
/// fills `clip` (path, speaker, take, label as `label` says) and returns true, or returns false
/// when the name does not follow the pattern.
bool parse_spoken_digit_file(const std::string& file, SpokenLabel label, ClipInfo& clip);

using CsvRow = util::CsvRecord;
/// util::parse_csv_records of the file `path`; FileError when unreadable or a quote is left open.
std::vector<CsvRow> read_csv(const std::string& path, bool comments);

/// Calls fn(i) for i in [0, n) on up to `threads` threads (0 = util::usable_cores()), claiming indices
/// in ascending order. When a call throws, no further index is claimed; once the running calls
/// return, the exception of the lowest failing index is rethrown — the same one a serial loop
/// would have thrown.
void parallel_for(int64_t n, int64_t threads, const std::function<void(int64_t)>& fn);

}  // namespace tfgram::data::detail
