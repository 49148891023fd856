#include "tfgram/data/label_map.h"

#include <algorithm>
#include <set>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tfgram/data/errors.h"
#include "tfgram/util/check.h"

namespace tfgram::data {
namespace {
constexpr const char* kFormat = "tfgram.label_map";
constexpr int kVersion = 1;
}  // namespace

LabelMap::LabelMap(std::vector<std::string> names) : names_(std::move(names)) {
  for (size_t i = 0; i < names_.size(); ++i) {
    util::require(!names_[i].empty(), "LabelMap", "label ", i, " is an empty name");
    const bool inserted = index_.emplace(names_[i], static_cast<int64_t>(i)).second;
    util::require(inserted, "LabelMap", "label '", names_[i], "' appears twice");
  }
}

LabelMap LabelMap::from_labels(const std::vector<std::string>& labels) {
  // Datasets have many clips and few classes: dedupe while sorting.
  const std::set<std::string> unique(labels.begin(), labels.end());
  return LabelMap(std::vector<std::string>(unique.begin(), unique.end()));
}

int64_t LabelMap::index(const std::string& name) const {
  const auto found = index_.find(name);
  if (found != index_.end()) return found->second;
  std::ostringstream known;
  for (size_t i = 0; i < names_.size() && i < 20; ++i) known << (i ? ", " : "") << "'" << names_[i] << "'";
  if (names_.size() > 20) known << ", ...";
  throw std::invalid_argument("LabelMap: unknown label '" + name + "' (known: " + known.str() + ")");
}

const std::string& LabelMap::name(int64_t index) const {
  if (index < 0 || index >= size()) {
    throw std::out_of_range(util::concat("LabelMap: index ", index, " outside [0, ", size(), ")"));
  }
  return names_[static_cast<size_t>(index)];
}

std::string LabelMap::to_json() const {
  const nlohmann::json json = {{"format", kFormat}, {"version", kVersion}, {"labels", names_}};
  return json.dump(2);
}

LabelMap LabelMap::from_json(const std::string& text, const std::string& origin) {
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& error) {
    throw FileError(origin, std::string("not valid JSON: ") + error.what());
  }
  if (!json.is_object() || json.value("format", "") != kFormat) {
    throw FileError(origin, std::string("not a label map (expected \"format\": \"") + kFormat + "\")");
  }
  if (json.value("version", 0) != kVersion) {
    throw FileError(origin, "label map version " + json.value("version", nlohmann::json()).dump() +
                                " is not supported (expected " + std::to_string(kVersion) + ")");
  }
  const auto labels = json.find("labels");
  if (labels == json.end() || !labels->is_array()) {
    throw FileError(origin, "\"labels\" must be an array of class names");
  }
  std::vector<std::string> names;
  for (const auto& item : *labels) {
    if (!item.is_string()) throw FileError(origin, "\"labels\" must hold only strings, found " + item.dump());
    names.push_back(item.get<std::string>());
  }
  try {
    return LabelMap(std::move(names));
  } catch (const std::invalid_argument& error) {
    throw FileError(origin, error.what());
  }
}

void LabelMap::save(const std::string& path) const {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << to_json() << '\n';
  out.close();
  if (!out) throw FileError(path, "the label map cannot be written");
}

LabelMap LabelMap::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw FileError(path, "the label map cannot be opened");
  std::ostringstream text;
  text << in.rdbuf();
  return from_json(text.str(), path);
}

}  // namespace tfgram::data
