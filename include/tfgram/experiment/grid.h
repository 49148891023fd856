#pragma once
// Experiment grids (SPEC §2.6): fixed RunConfig keys + a grid of values × repeats, expanded into
// trials, each one run_training in its own folder.
//
// Experiment YAML: every RunConfig key, plus
//   grid:     {dotted.key: [v1, v2, ...], axis_name: [{key: v, key2: v}, ...]}  (cartesian product)
//   runs:     repeats per cell (run k uses train.seed + k)
//   output:   experiment folder (runs/<cell-id>/run<k>, results.csv, table.md, figures, index.html)
//   profiles: {name: {key: value, ...}}  named override sets, chosen with --profile name
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "tfgram/train/run_config.h"

namespace tfgram::experiment {

using Setting = std::pair<std::string, std::string>;  ///< dotted key, value text

/// One value of a grid axis: its readable label and the RunConfig keys it sets.
struct AxisValue {
  std::string label;
  std::vector<Setting> settings;
};

struct GridAxis {
  std::string key;   ///< as written in the YAML (a dotted RunConfig key, or a free name for mappings)
  std::string name;  ///< short name used in cell ids and results.csv (last path segment, unique)
  std::vector<AxisValue> values;
};

struct ExperimentConfig {
  /// Fixed keys in document order (then --set overrides) applied to every trial.
  std::vector<Setting> fixed;
  std::vector<GridAxis> grid;
  int64_t runs = 1;
  std::string output = "experiments/default";

  /// Parses an experiment YAML, applies profile `profile` (if not empty) and then `overrides`
  /// (dotted key=value pairs; "runs", "output" and "grid.<key>" are experiment keys). Validates
  /// every cell; std::invalid_argument naming the key (and grid value) on any error.
  static ExperimentConfig from_yaml(const std::string& text, const std::string& origin = "experiment",
                                    const std::string& profile = "", const std::vector<Setting>& overrides = {});
  static ExperimentConfig from_yaml_file(const std::string& path, const std::string& profile = "",
                                         const std::vector<Setting>& overrides = {});
};

/// One cell × run.
struct Trial {
  std::string cell_id;                 ///< "window_ms=35,trainable=true"
  std::vector<std::string> cell_labels;  ///< one label per grid axis
  int64_t run = 0;
  uint64_t seed = 0;
  std::string folder;  ///< <output>/runs/<cell_id>/run<k>
  train::RunConfig config;  ///< finalized, output = folder
};

/// Every trial in grid order (first axis slowest), runs innermost. Throws std::invalid_argument
/// naming the grid key and value when a cell's config is invalid.
std::vector<Trial> expand(const ExperimentConfig& config);

}  // namespace tfgram::experiment
