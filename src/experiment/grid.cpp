// Experiment grids: the YAML (fixed keys, grid axes, profiles, overrides) and its expansion into
// trials.
#include "tfgram/experiment/grid.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "tfgram/util/atomic_file.h"
#include "tfgram/util/file_name.h"

namespace tfgram::experiment {
namespace {
namespace fs = std::filesystem;
using json = nlohmann::json;

// The experiment keys whose values are read as a whole (train::flatten_yaml would split them).
const std::vector<std::string> kWholeTop{"grid", "profiles"};
const std::vector<std::string> kWholeProfile{"grid"};

std::string last_segment(const std::string& key) {
  const auto dot = key.rfind('.');
  return dot == std::string::npos ? key : key.substr(dot + 1);
}

YAML::Node load(const std::string& text, const std::string& where) {
  try {
    return YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw std::invalid_argument(where + ": not a valid list: " + e.what());
  }
}

GridAxis parse_axis(const std::string& key, const YAML::Node& values) {
  const std::string where = "grid key '" + key + "'";
  if (!values.IsSequence() || values.size() == 0) {
    throw std::invalid_argument(where + ": expected a non-empty list of values");
  }
  GridAxis axis;
  axis.key = key;
  for (const auto& item : values) {
    AxisValue value;
    if (item.IsMap()) {
      // Several keys varied together; "name" labels the value, else the values joined by '+'.
      std::string joined;
      for (const auto& [k, v] : train::flatten_yaml(YAML::Dump(item), where)) {
        if (k == "name") {
          value.label = v;
          continue;
        }
        value.settings.emplace_back(k, v);
        joined += (joined.empty() ? "" : "+") + v;
      }
      if (value.settings.empty()) throw std::invalid_argument(where + ": a mapping value sets no keys");
      if (value.label.empty()) value.label = joined;
    } else if (item.IsScalar()) {
      value.label = item.Scalar();
      value.settings.emplace_back(key, item.Scalar());
    } else {
      throw std::invalid_argument(where + ": each value must be a scalar or a mapping of keys");
    }
    // Path separators and spaces would make cell ids ambiguous folders.
    value.label = util::safe_file_name(value.label);
    for (const auto& other : axis.values) {
      if (other.label == value.label) throw std::invalid_argument(where + ": value '" + value.label + "' is listed twice");
    }
    axis.values.push_back(std::move(value));
  }
  return axis;
}

void set_axis(std::vector<GridAxis>& grid, GridAxis axis) {
  for (auto& existing : grid) {
    if (existing.key == axis.key) {
      existing = std::move(axis);
      return;
    }
  }
  grid.push_back(std::move(axis));
}

void collect_grid(const YAML::Node& node, const std::string& prefix, std::vector<GridAxis>& grid) {
  if (!node.IsMap()) throw std::invalid_argument("grid: expected a mapping of keys to lists of values");
  for (const auto& kv : node) {
    const auto key = prefix.empty() ? kv.first.as<std::string>() : prefix + "." + kv.first.as<std::string>();
    if (kv.second.IsMap()) {
      collect_grid(kv.second, key, grid);  // nested form: grid: {model: {frontend: {trainable: [...]}}}
    } else {
      set_axis(grid, parse_axis(key, kv.second));
    }
  }
}

int64_t parse_runs(const std::string& text) {
  try {
    size_t used = 0;
    const long long runs = std::stoll(text, &used);
    if (used == text.size() && runs >= 1) return runs;
  } catch (const std::exception&) {
  }
  throw std::invalid_argument("experiment key 'runs': expected a positive integer, got '" + text + "'");
}

void apply_setting(ExperimentConfig& config, const std::string& key, const std::string& value) {
  if (key == "runs") {
    config.runs = parse_runs(value);
  } else if (key == "output") {
    config.output = value;
  } else if (key == "grid") {
    collect_grid(load(value, "grid"), "", config.grid);
  } else if (key.rfind("grid.", 0) == 0) {
    set_axis(config.grid, parse_axis(key.substr(5), load(value, "grid key '" + key.substr(5) + "'")));
  } else {
    // A fixed value for a key that is also an axis replaces the axis.
    config.grid.erase(std::remove_if(config.grid.begin(), config.grid.end(),
                                     [&](const GridAxis& axis) { return axis.key == key; }),
                      config.grid.end());
    config.fixed.emplace_back(key, value);
  }
}

void name_axes(std::vector<GridAxis>& grid) {
  for (auto& axis : grid) {
    axis.name = last_segment(axis.key);
    int same = 0;
    for (const auto& other : grid) same += last_segment(other.key) == axis.name;
    if (same > 1) axis.name = axis.key;
  }
}

// The chosen profile's leaves (its grid as one value), or std::invalid_argument listing the known ones.
std::vector<Setting> profile_settings(const std::string& profiles_json, const std::string& origin,
                                      const std::string& profile) {
  const auto profiles = profiles_json.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json::parse(profiles_json);
  if (!profiles.is_object() || !profiles.contains(profile)) {
    std::string known;
    if (profiles.is_object()) {
      for (const auto& item : profiles.items()) known += (known.empty() ? "" : ", ") + item.key();
    }
    throw std::invalid_argument(origin + ": no profile '" + profile + "' (profiles: " +
                                (known.empty() ? "none" : known) + ")");
  }
  // JSON is YAML: the profile goes through the same flattening as the document.
  return train::flatten_yaml(profiles[profile].dump(), origin + " profile '" + profile + "'", kWholeProfile);
}

}  // namespace

ExperimentConfig ExperimentConfig::from_yaml(const std::string& text, const std::string& origin,
                                             const std::string& profile, const std::vector<Setting>& overrides) {
  ExperimentConfig config;
  std::string profiles;
  for (const auto& [key, value] : train::flatten_yaml(text, origin, kWholeTop)) {
    if (key == "profiles") {
      profiles = value;
    } else {
      apply_setting(config, key, value);
    }
  }
  if (!profile.empty()) {
    // The profile's grid axes first, then its keys, as they override what the grid varies.
    std::vector<Setting> leaves;
    for (auto& setting : profile_settings(profiles, origin, profile)) {
      if (setting.first == "grid") {
        apply_setting(config, setting.first, setting.second);
      } else {
        leaves.push_back(std::move(setting));
      }
    }
    for (const auto& [k, v] : leaves) apply_setting(config, k, v);
  }
  for (const auto& [k, v] : overrides) apply_setting(config, k, v);
  name_axes(config.grid);
  expand(config);  // validates every cell
  return config;
}

ExperimentConfig ExperimentConfig::from_yaml_file(const std::string& path, const std::string& profile,
                                                  const std::vector<Setting>& overrides) {
  if (!fs::is_regular_file(path)) throw std::invalid_argument("experiment config '" + path + "' not found");
  return from_yaml(util::read_file(path), path, profile, overrides);
}

std::vector<Trial> expand(const ExperimentConfig& config) {
  train::RunConfig base;
  for (const auto& [key, value] : config.fixed) base.set(key, value);
  std::vector<Trial> trials;
  std::vector<size_t> index(config.grid.size(), 0);
  while (true) {
    train::RunConfig cell = base;
    std::string cell_id;
    std::vector<std::string> labels;
    for (size_t a = 0; a < config.grid.size(); ++a) {
      const auto& axis = config.grid[a];
      const auto& value = axis.values[index[a]];
      for (const auto& [key, text] : value.settings) {
        try {
          cell.set(key, text);
        } catch (const std::invalid_argument& e) {
          throw std::invalid_argument("grid key '" + axis.key + "' value '" + value.label + "': " + e.what());
        }
      }
      labels.push_back(value.label);
      cell_id += (cell_id.empty() ? "" : ",") + axis.name + "=" + value.label;
    }
    if (cell_id.empty()) cell_id = "default";
    for (int64_t run = 0; run < config.runs; ++run) {
      Trial trial;
      trial.cell_id = cell_id;
      trial.cell_labels = labels;
      trial.run = run;
      trial.config = cell;
      trial.seed = cell.train.seed + static_cast<uint64_t>(run);
      trial.config.train.seed = trial.seed;
      trial.folder = (fs::path(config.output) / "runs" / cell_id / ("run" + std::to_string(run))).string();
      trial.config.output = trial.folder;
      try {
        trial.config.finalize();
      } catch (const std::invalid_argument& e) {
        throw std::invalid_argument("grid cell '" + cell_id + "': " + e.what());
      }
      trials.push_back(std::move(trial));
    }
    // Odometer over the axes, last axis fastest.
    size_t a = config.grid.size();
    while (a > 0) {
      --a;
      if (++index[a] < config.grid[a].values.size()) break;
      index[a] = 0;
      if (a == 0) return trials;
    }
    if (config.grid.empty()) return trials;
  }
}

}  // namespace tfgram::experiment
