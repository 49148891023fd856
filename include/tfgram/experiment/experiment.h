#pragma once
// Experiment grids (SPEC §2.6): fixed RunConfig keys + a grid of values × repeats, each trial one
// run_training in its own folder. Resumable (finished runs are skipped, interrupted ones resume)
// and parallel (trials as child processes of the tfgram binary, cores split between them).
//
// Experiment YAML: every RunConfig key, plus
//   grid:     {dotted.key: [v1, v2, ...], axis_name: [{key: v, key2: v}, ...]}  (cartesian product)
//   runs:     repeats per cell (run k uses train.seed + k)
//   output:   experiment folder (runs/<cell-id>/run<k>, results.csv, table.md, figures, index.html)
//   profiles: {name: {key: value, ...}}  named override sets, chosen with --profile name
#include <cstdint>
#include <iosfwd>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "tfgram/train/run_config.h"
#include "tfgram/train/trainer.h"

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

struct ExperimentOptions {
  /// Concurrent trials; > 1 runs them as child processes of `executable`.
  int jobs = 1;
  /// The tfgram binary for child trials (required when jobs > 1).
  std::string executable;
  /// Cores to split between trials; 0 = the cores this process may use.
  int cores = 0;
  /// Progress lines; nullptr = silent.
  std::ostream* log = nullptr;
  /// Write table.md/.tex, figures and index.html when all trials are done.
  bool report = true;
};

struct ExperimentSummary {
  int64_t trials = 0;
  int64_t skipped = 0;   ///< already finished before this call
  int64_t trained = 0;   ///< finished in this call
  std::vector<std::string> failed;  ///< folders of trials that failed (their log says why)
};

/// Some trials failed (the others finished); what() lists them. The tool exits with status 3.
class TrialsFailed : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Runs every unfinished trial and keeps <output>/results.csv current after each one; a failed
/// trial's reason is recorded (results.csv status/error columns) and the others go on.
/// Throws TrialsFailed listing failed trials after the others have finished, and
/// util::Interrupted after SIGINT/SIGTERM (running trials stop cleanly first).
ExperimentSummary run_experiment(const ExperimentConfig& config, const ExperimentOptions& options = {});

/// Intra-op threads per trial: max(1, cores / jobs).
int threads_per_trial(int cores, int jobs);

/// The results table text rebuilt from the trials' result.json files (finished trials only):
/// cell, run, one column per axis, seed, then the metrics (see docs/experiments.md).
std::string results_csv(const ExperimentConfig& config, const std::vector<Trial>& trials);
/// Rebuilds and atomically replaces <output>/results.csv; returns the number of rows.
int64_t write_results(const ExperimentConfig& config, const std::vector<Trial>& trials);

}  // namespace tfgram::experiment
