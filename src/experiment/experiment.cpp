// Scheduling an experiment's trials: in this process one at a time, or as children started by the
// caller's launcher, `jobs` at once; results.csv rewritten after each one.
#include "tfgram/experiment/experiment.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <signal.h>

#include "tfgram/experiment/report.h"
#include "tfgram/experiment/results_file.h"
#include "tfgram/train/result_file.h"
#include "tfgram/train/trainer.h"
#include "tfgram/util/atomic_file.h"
#include "tfgram/util/interrupt.h"
#include "tfgram/util/process.h"
#include "tfgram/util/threads.h"

namespace tfgram::experiment {
namespace {
namespace fs = std::filesystem;

bool finished(const Trial& trial) { return fs::exists(fs::path(trial.folder) / "result.json"); }

// Why a child trial failed: the tool's own error line in its log, else how it ended.
std::string child_failure(const std::string& log_path, const util::ExitStatus& status) {
  try {
    const auto log = util::read_file(log_path);
    const auto at = log.rfind("tfgram: error: ");
    if (at != std::string::npos) return log.substr(at + 15, log.find('\n', at) - at - 15);
  } catch (const std::exception&) {
  }
  return status.describe() + (log_path.empty() ? "" : " (see " + log_path + ")");
}

std::string describe(const Trial& trial) { return trial.cell_id + " run" + std::to_string(trial.run); }

std::string outcome(const Trial& trial) {
  const auto r = train::read_result_file((fs::path(trial.folder) / "result.json").string());
  std::ostringstream line;
  line.precision(4);
  line << "test accuracy " << r.test_accuracy << ", best epoch " << r.best_epoch;
  for (const auto& value : r.learned.values) {
    const auto initial = r.initial.scalar(value.name);
    if (value.scalar && initial) line << ", " << value.name << ' ' << *initial << " → " << value.values.at(0);
  }
  line.precision(1);
  line << std::fixed << " (" << r.seconds << " s)";
  return line.str();
}

}  // namespace

int threads_per_trial(int cores, int jobs) { return std::max(1, cores / std::max(1, jobs)); }

ExperimentSummary run_experiment(const ExperimentConfig& config, const ExperimentOptions& options) {
  const auto trials = expand(config);
  if (options.jobs < 1) throw std::invalid_argument("experiment option 'jobs': expected >= 1");
  if (options.jobs > 1 && !options.launcher) {
    throw std::invalid_argument("experiment option 'jobs': parallel trials need a trial launcher");
  }
  if (options.shard_count < 1 || options.shard_index < 0 || options.shard_index >= options.shard_count) {
    throw std::invalid_argument("--shard " + std::to_string(options.shard_index) + "/" +
                                std::to_string(options.shard_count) + ": expected I/N with 0 <= I < N");
  }
  if (options.pool && options.shard_count > 1) {
    throw std::invalid_argument("--workers and --shard: choose one way of sharing the grid");
  }
  const int cores = options.cores > 0 ? options.cores : util::usable_cores();
  const int threads = threads_per_trial(cores, options.jobs);
  fs::create_directories(config.output);
  ExperimentSummary summary;
  summary.trials = static_cast<int64_t>(trials.size());
  // The trials this process may take: its shard's unfinished ones, or whatever the pool hands out.
  std::vector<size_t> pending;
  for (size_t i = 0; i < trials.size(); ++i) {
    if (static_cast<int64_t>(i) % options.shard_count != options.shard_index) continue;
    if (finished(trials[i])) {
      ++summary.skipped;
    } else {
      pending.push_back(i);
    }
  }
  std::unique_ptr<dist::TrialPool> pool;
  if (options.pool) {
    std::vector<std::string> names;
    for (const auto& trial : trials) names.push_back(fs::path(trial.folder).lexically_relative(config.output).string());
    pool = std::make_unique<dist::TrialPool>(*options.pool, names, [&](size_t i) { return finished(trials[i]); });
    if (options.log) {
      *options.log << "worker " << pool->worker() << (pool->hosts() ? " (hosting the pool at " : " (joined the pool at ")
                   << options.pool->master() << ")\n";
    }
  }
  size_t next = 0;
  // The next trial to run (index into trials), dist::TrialPool::kWait or kDone.
  const auto claim = [&]() -> int64_t {
    if (pool) return pool->claim();
    return next < pending.size() ? static_cast<int64_t>(pending[next++]) : dist::TrialPool::kDone;
  };
  const auto retry = [&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(static_cast<int64_t>(1000 * pool->retry_seconds())));
  };
  write_results(config, trials);
  auto say = [&](const std::string& text) {
    if (options.log) *options.log << "[" << (summary.skipped + summary.trained + summary.failed.size()) << "/"
                                  << summary.trials << "] " << text << std::endl;
  };
  if (options.log && summary.skipped > 0) {
    *options.log << summary.skipped << " of " << summary.trials << " trials already finished\n";
  }
  const auto trial_failed = [&](int64_t index, const std::string& reason) {
    const Trial& trial = trials[static_cast<size_t>(index)];
    summary.failed.push_back(trial.folder);
    record_failure(trial.folder, reason);
    if (pool) pool->fail(index);
    write_results(config, trials);
    say(describe(trial) + ": failed: " + reason);
  };
  const auto trial_done = [&](int64_t index) {
    const Trial& trial = trials[static_cast<size_t>(index)];
    clear_failure(trial.folder);
    ++summary.trained;
    write_results(config, trials);
    say(describe(trial) + ": " + outcome(trial));
  };
  if (!options.launcher) {
    for (;;) {
      util::throw_if_interrupted();
      const int64_t index = claim();
      if (index == dist::TrialPool::kDone) break;
      if (index == dist::TrialPool::kWait) {
        retry();
        continue;
      }
      const Trial* trial = &trials[static_cast<size_t>(index)];
      try {
        train::run_training(trial->config);
        trial_done(index);
      } catch (const util::Interrupted&) {
        if (pool) pool->release(index);
        throw;  // stopped cleanly; rerunning resumes
      } catch (const std::invalid_argument&) {
        if (pool) pool->release(index);
        throw;  // a config problem affects every trial
      } catch (const std::exception& e) {
        trial_failed(index, e.what());
      }
    }
  } else {
    struct Running {
      int64_t index;
      std::string log;
    };
    std::map<pid_t, Running> running;
    bool forwarded = false;
    bool exhausted = false;  // claim() said kDone
    for (;;) {
      bool waiting = false;  // claim() said kWait: try again in a while
      while (!exhausted && static_cast<int>(running.size()) < options.jobs && !util::interrupt_signal()) {
        const int64_t index = claim();
        if (index == dist::TrialPool::kDone) exhausted = true;
        if (index < 0) {
          waiting = index == dist::TrialPool::kWait;
          break;
        }
        const Trial& trial = trials[static_cast<size_t>(index)];
        fs::create_directories(trial.folder);
        const auto launched = options.launcher(trial, threads);
        running[launched.pid] = Running{index, launched.log};
      }
      if (running.empty()) {
        if (exhausted || util::interrupt_signal()) break;
        if (waiting) retry();
        continue;
      }
      // Our own children only (never waitpid(-1), which could reap someone else's process).
      auto found = running.end();
      util::ExitStatus status;
      const auto polling_since = std::chrono::steady_clock::now();
      while (found == running.end()) {
        for (auto it = running.begin(); it != running.end(); ++it) {
          std::optional<util::ExitStatus> ended;
          try {
            ended = util::poll_process(it->first);
          } catch (const std::runtime_error&) {
            ended = util::ExitStatus{};  // not ours to wait for any more: counted as failed
          }
          if (ended) {
            status = *ended;
            found = it;
            break;
          }
        }
        if (found == running.end()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
        if (found == running.end() && util::interrupt_signal() && !forwarded) {
          // Each running trial stops cleanly on its own signal; none is started after.
          for (const auto& child : running) ::kill(child.first, util::interrupt_signal());
          forwarded = true;
        }
        // A free slot and trials held by others: look again now and then (one may be retried).
        if (found == running.end() && waiting && !util::interrupt_signal() &&
            std::chrono::steady_clock::now() - polling_since > std::chrono::duration<double>(pool->retry_seconds())) {
          break;
        }
      }
      if (found == running.end()) continue;
      const Running done = found->second;
      running.erase(found);
      const Trial& trial = trials[static_cast<size_t>(done.index)];
      if (status.success() && finished(trial)) {
        trial_done(done.index);
      } else if (util::interrupt_signal() && status.exited && status.status == 128 + util::interrupt_signal()) {
        if (pool) pool->release(done.index);
        say(describe(trial) + ": interrupted");  // not a failure: it resumes on the next run
      } else {
        trial_failed(done.index, child_failure(done.log, status));
      }
    }
  }
  // The pool's host keeps the store up until the others are done with it.
  if (pool && pool->hosts() && !util::interrupt_signal()) pool->wait_for_others();
  const bool complete = std::all_of(trials.begin(), trials.end(), [](const Trial& t) { return finished(t); });
  util::throw_if_interrupted();
  write_results(config, trials);
  // A share of the grid writes the report only once every trial is done (the last one to finish).
  const bool whole = options.shard_count == 1 && !pool;
  if (options.report && (whole || (complete && (!pool || pool->hosts())))) {
    const auto files = write_report(config, trials);
    if (options.log) {
      for (const auto& w : files.warnings) *options.log << "warning: " << w << "\n";
    }
  }
  if (!summary.failed.empty()) {
    std::string list;
    for (const auto& f : summary.failed) list += "\n  " + f;
    throw TrialsFailed(std::to_string(summary.failed.size()) + " of " + std::to_string(summary.trials) +
                       " trial(s) failed (reasons in results.csv, column error):" + list);
  }
  return summary;
}

}  // namespace tfgram::experiment
