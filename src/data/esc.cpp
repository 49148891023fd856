#include "tfgram/data/esc.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>

#include "scan.h"
#include "tfgram/data/audio_file.h"

namespace tfgram::data {
namespace {

namespace fs = std::filesystem;

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// "001 - Dog bark" → "Dog bark"; a folder without the numeric prefix keeps its whole name.
std::string class_from_folder(const std::string& folder) {
  size_t i = 0;
  while (i < folder.size() && std::isdigit(static_cast<unsigned char>(folder[i]))) ++i;
  if (i == 0) return folder;
  size_t j = i;
  while (j < folder.size() && folder[j] == ' ') ++j;
  if (j >= folder.size() || folder[j] != '-') return folder;
  ++j;
  while (j < folder.size() && folder[j] == ' ') ++j;
  return j < folder.size() ? folder.substr(j) : folder;
}

// Take letters A, B, ... → 0, 1, ...; anything else → -1.
int64_t take_index(const std::string& take) {
  if (take.size() != 1 || !std::isalpha(static_cast<unsigned char>(take[0]))) return -1;
  return std::toupper(static_cast<unsigned char>(take[0])) - 'A';
}

}  // namespace

AudioOptions esc_paper_audio() {
  return AudioOptions().sample_rate(8000).length(40000).length_policy(LengthPolicy::kStart);
}

// ---- ESC-50 layout ----

ClipList Esc50::scan(const std::string& root, bool esc10_only) {
  detail::require_folder(root, "an ESC-50 folder holding audio/ and meta/esc50.csv");
  const fs::path csv = fs::path(root) / "meta" / "esc50.csv";
  const std::string csv_path = csv.string();
  if (!fs::is_regular_file(csv)) throw FileError(csv_path, "does not exist (the ESC-50 metadata table)");
  const auto rows = detail::read_csv(csv_path, false);
  if (rows.empty()) throw FileError(csv_path, "is empty (expected a header row and one row per clip)");

  std::map<std::string, size_t> column;
  for (size_t c = 0; c < rows[0].fields.size(); ++c) column[lower(rows[0].fields[c])] = c;
  for (const char* required : {"filename", "fold", "category"}) {
    if (!column.count(required)) {
      throw FileError(csv_path, std::string("the header has no '") + required +
                                    "' column (expected filename,fold,target,category,esc10,src_file,take)");
    }
  }
  if (esc10_only && !column.count("esc10")) throw FileError(csv_path, "the header has no 'esc10' column");
  auto field = [&](const detail::CsvRow& row, const char* name) -> std::string {
    const auto found = column.find(name);
    return found == column.end() ? std::string() : row.fields[found->second];
  };

  ClipList list;
  list.source = csv_path + (esc10_only ? "#esc10" : "");
  const fs::path audio = fs::path(root) / "audio";
  for (size_t r = 1; r < rows.size(); ++r) {
    const auto& row = rows[r];
    const std::string at = "line " + std::to_string(row.line) + ": ";
    if (row.fields.size() != rows[0].fields.size()) {
      throw FileError(csv_path, at + "expected " + std::to_string(rows[0].fields.size()) + " fields, found " +
                                    std::to_string(row.fields.size()));
    }
    if (esc10_only && lower(field(row, "esc10")) != "true") continue;
    ClipInfo clip;
    const std::string filename = field(row, "filename");
    if (filename.empty()) throw FileError(csv_path, at + "empty filename");
    clip.path = detail::absolute_path(audio / filename);
    clip.label = field(row, "category");
    if (clip.label.empty()) throw FileError(csv_path, at + "empty category");
    if (!detail::parse_int(field(row, "fold"), clip.fold) || clip.fold < 1) {
      throw FileError(csv_path, at + "fold '" + field(row, "fold") + "' is not a positive integer");
    }
    clip.source = field(row, "src_file");
    clip.take = take_index(field(row, "take"));
    list.clips.push_back(std::move(clip));
  }
  if (list.clips.empty()) throw FileError(csv_path, esc10_only ? "lists no ESC-10 clip" : "lists no clip");
  return list;
}

Esc50::Esc50(const std::string& root, Esc50Options options)
    : FileDataset(options.esc10_only() ? "esc50-esc10" : "esc50", scan(root, options.esc10_only()),
                  options.audio()) {}

// ---- ESC-10 folder layout ----

ClipList Esc10Folder::scan(const std::string& root) {
  detail::require_folder(root, "an ESC-10 folder with one 'NNN - Name' folder per class");
  ClipList list;
  list.source = root;
  for (const auto& folder : detail::list_folders(root)) {
    const std::string label = class_from_folder(detail::file_name(folder));
    for (const auto& file : detail::list_files(folder, true)) {
      // F-ID-T.ogg: fold digit, Freesound clip ID, take letter.
      const auto fields = detail::split_fields(detail::file_stem(file), '-');
      const std::string name = detail::file_name(file);
      const bool parsed = is_audio_path(file) && fields.size() >= 2 && !name.empty() &&
                          name[0] >= '1' && name[0] <= '9' && fields[0].size() == 1;
      if (!parsed) {
        list.ignored.push_back(file);
        continue;
      }
      ClipInfo clip;
      clip.path = file;  // list_files gives absolute paths
      clip.label = label;
      clip.fold = name[0] - '0';
      clip.source = fields[1];
      clip.take = fields.size() >= 3 ? take_index(fields[2]) : -1;
      list.clips.push_back(std::move(clip));
    }
  }
  if (list.clips.empty()) throw FileError(root, "holds no ESC-10 clips (expected 'NNN - Name/F-ID-T.ogg')");
  return list;
}

Esc10Folder::Esc10Folder(const std::string& root, AudioOptions options)
    : FileDataset("esc10", scan(root), std::move(options)) {}

}  // namespace tfgram::data
