#include "tfgram/data/manifest_dataset.h"

#include <cctype>
#include <filesystem>
#include <map>

#include "scan.h"

namespace tfgram::data {
namespace {

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string trim(const std::string& s) {
  size_t begin = 0;
  size_t end = s.size();
  while (begin < end && std::isspace(static_cast<unsigned char>(s[begin]))) ++begin;
  while (end > begin && std::isspace(static_cast<unsigned char>(s[end - 1]))) --end;
  return s.substr(begin, end - begin);
}

}  // namespace

ClipList ManifestDataset::scan(const std::string& manifest) {
  namespace fs = std::filesystem;
  if (!fs::is_regular_file(manifest)) throw FileError(manifest, "does not exist (expected a CSV manifest)");
  const auto rows = detail::read_csv(manifest, true);
  const fs::path base = fs::path(manifest).parent_path();
  ClipList list;
  list.source = manifest;
  std::map<std::string, std::pair<size_t, std::string>> listed;  // path -> (line, label)
  for (size_t r = 0; r < rows.size(); ++r) {
    const auto& row = rows[r];
    const std::string at = "line " + std::to_string(row.line) + ": ";
    std::vector<std::string> fields;
    for (const auto& field : row.fields) fields.push_back(trim(field));
    if (r == 0 && fields.size() >= 2 && lower(fields[0]) == "path" && lower(fields[1]) == "label") {
      if (fields.size() == 3 && lower(fields[2]) != "split") {
        throw FileError(manifest, at + "the header's third column must be 'split', found '" + fields[2] + "'");
      }
      continue;  // header row
    }
    if (fields.size() != 2 && fields.size() != 3) {
      throw FileError(manifest, at + "expected path,label[,split], found " + std::to_string(fields.size()) + " fields");
    }
    if (fields[0].empty()) throw FileError(manifest, at + "empty path");
    if (fields[1].empty()) throw FileError(manifest, at + "empty label");
    ClipInfo clip;
    const fs::path path(fields[0]);
    clip.path = detail::absolute_path(path.is_absolute() ? path : base / path);
    clip.label = fields[1];
    // A file listed twice would be in two splits or carry two labels.
    const auto [earlier, first] = listed.emplace(clip.path, std::make_pair(row.line, clip.label));
    if (!first) {
      throw FileError(manifest, at + "'" + fields[0] + "' is listed again (line " +
                                    std::to_string(earlier->second.first) + " gives it label '" +
                                    earlier->second.second + "', this line '" + clip.label + "')");
    }
    if (fields.size() == 3) clip.split = fields[2];
    list.clips.push_back(std::move(clip));
  }
  if (list.clips.empty()) throw FileError(manifest, "lists no clip (expected rows of path,label[,split])");
  return list;
}

ManifestDataset::ManifestDataset(const std::string& manifest, AudioOptions options)
    : FileDataset("manifest", scan(manifest), std::move(options)) {}

std::optional<Split> ManifestDataset::official_split() const { return FileDataset::official_split(); }

}  // namespace tfgram::data
