#pragma once
// Running an experiment grid (SPEC §2.6): every unfinished trial, one at a time in this process or
// several at once through a launcher the caller supplies (the tfgram tool starts `tfgram train`
// children), with the cores split between them. Resumable: finished runs are skipped, interrupted
// ones resume. The grid itself is in grid.h, results.csv in results.h.
#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "tfgram/dist/trial_pool.h"
#include "tfgram/experiment/grid.h"
#include "tfgram/experiment/results.h"

namespace tfgram::experiment {

/// A trial started in the background by a TrialLauncher.
struct LaunchedTrial {
  pid_t pid = -1;
  std::string log;  ///< where its output goes, named when it fails ("" = none)
};

/// Starts `trial` as a child process that trains it with `threads` intra-op threads and writes
/// its result.json into trial.folder (which exists). Throws when it cannot start.
using TrialLauncher = std::function<LaunchedTrial(const Trial& trial, int threads)>;

struct ExperimentOptions {
  /// Concurrent trials; > 1 needs `launcher`.
  int jobs = 1;
  /// Runs trials as child processes, `jobs` at once; empty = one at a time in this process.
  TrialLauncher launcher;
  /// Cores to split between trials; 0 = the cores this process may use.
  int cores = 0;
  /// Progress lines; nullptr = silent.
  std::ostream* log = nullptr;
  /// Write table.md/.tex, figures and index.html when all trials are done.
  bool report = true;
  /// A static share of the grid (Slurm job arrays, indexed jobs): this process takes the trials
  /// whose position in the grid is shard_index modulo shard_count.
  int64_t shard_index = 0;
  int64_t shard_count = 1;
  /// Join a pool of workers on several machines that claim trials one by one (dist/trial_pool.h);
  /// unset = the trials are this process's alone.
  std::optional<dist::TrialPoolOptions> pool;
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

/// Runs every unfinished trial (of this shard, or claimed from the pool) and keeps <output>/results.csv current after each one; a failed
/// trial's reason is recorded (results.csv status/error columns) and the others go on.
/// Throws TrialsFailed listing failed trials after the others have finished, and
/// util::Interrupted after SIGINT/SIGTERM (running trials stop cleanly first).
ExperimentSummary run_experiment(const ExperimentConfig& config, const ExperimentOptions& options = {});

/// Intra-op threads per trial: max(1, cores / jobs).
int threads_per_trial(int cores, int jobs);

}  // namespace tfgram::experiment
