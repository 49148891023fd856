#pragma once
// Class names ⇄ label indices, in a stable order, saved with every model.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace tfgram::data {

/// The mapping between class names and label indices. Datasets build it with from_labels(),
/// which sorts the names byte-wise (std::string order, as Python's sorted()), so the same class
/// set always gets the same indices. A saved map keeps its order when loaded, so a model's
/// outputs keep their meaning on any dataset (see FileDataset::use_label_map).
class LabelMap {
 public:
  LabelMap() = default;
  /// Keeps `names` in the order given; they must be non-empty and unique.
  explicit LabelMap(std::vector<std::string> names);
  /// The sorted, de-duplicated set of `labels`.
  static LabelMap from_labels(const std::vector<std::string>& labels);

  int64_t size() const { return static_cast<int64_t>(names_.size()); }
  bool empty() const { return names_.empty(); }
  bool contains(const std::string& name) const { return index_.count(name) != 0; }
  /// Index of `name`; std::invalid_argument naming it and the known names when absent.
  int64_t index(const std::string& name) const;
  /// Name of `index`; std::out_of_range when outside [0, size()).
  const std::string& name(int64_t index) const;
  const std::vector<std::string>& names() const { return names_; }

  /// {"format": "tfgram.label_map", "version": 1, "labels": ["name0", "name1", ...]}
  std::string to_json() const;
  /// Parses to_json()'s output; `origin` names the source in error messages.
  static LabelMap from_json(const std::string& text, const std::string& origin = "label map");
  /// Writes to_json() to `path` (std::runtime_error when it cannot).
  void save(const std::string& path) const;
  /// Reads a saved map; FileError naming the file when it is missing or malformed.
  static LabelMap load(const std::string& path);

  bool operator==(const LabelMap& other) const { return names_ == other.names_; }
  bool operator!=(const LabelMap& other) const { return !(*this == other); }

 private:
  std::vector<std::string> names_;
  std::map<std::string, int64_t> index_;
};

}  // namespace tfgram::data
