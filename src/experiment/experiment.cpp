// Scheduling an experiment's trials: in this process one at a time, or as children started by the
// caller's launcher, `jobs` at once; results.csv rewritten after each one.
#include "tfgram/experiment/experiment.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
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
  const int cores = options.cores > 0 ? options.cores : util::usable_cores();
  const int threads = threads_per_trial(cores, options.jobs);
  fs::create_directories(config.output);
  ExperimentSummary summary;
  summary.trials = static_cast<int64_t>(trials.size());
  std::vector<const Trial*> pending;
  for (const auto& trial : trials) {
    if (finished(trial)) {
      ++summary.skipped;
    } else {
      pending.push_back(&trial);
    }
  }
  write_results(config, trials);
  auto say = [&](const std::string& text) {
    if (options.log) *options.log << "[" << (summary.skipped + summary.trained + summary.failed.size()) << "/"
                                  << summary.trials << "] " << text << std::endl;
  };
  if (options.log && summary.skipped > 0) {
    *options.log << summary.skipped << " of " << summary.trials << " trials already finished\n";
  }
  if (!options.launcher) {
    for (const Trial* trial : pending) {
      util::throw_if_interrupted();
      try {
        train::run_training(trial->config);
        clear_failure(trial->folder);
        ++summary.trained;
        write_results(config, trials);
        say(describe(*trial) + ": " + outcome(*trial));
      } catch (const util::Interrupted&) {
        throw;  // stopped cleanly; rerunning resumes
      } catch (const std::invalid_argument&) {
        throw;  // a config problem affects every trial
      } catch (const std::exception& e) {
        summary.failed.push_back(trial->folder);
        record_failure(trial->folder, e.what());
        write_results(config, trials);
        say(describe(*trial) + ": failed: " + e.what());
      }
    }
  } else {
    struct Running {
      const Trial* trial;
      std::string log;
    };
    std::map<pid_t, Running> running;
    size_t next = 0;
    bool forwarded = false;
    while ((next < pending.size() && !util::interrupt_signal()) || !running.empty()) {
      while (next < pending.size() && static_cast<int>(running.size()) < options.jobs && !util::interrupt_signal()) {
        const Trial* trial = pending[next++];
        fs::create_directories(trial->folder);
        const auto launched = options.launcher(*trial, threads);
        running[launched.pid] = Running{trial, launched.log};
      }
      // Our own children only (never waitpid(-1), which could reap someone else's process).
      auto found = running.end();
      util::ExitStatus status;
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
      }
      const Running done = found->second;
      running.erase(found);
      if (status.success() && finished(*done.trial)) {
        clear_failure(done.trial->folder);
        ++summary.trained;
        write_results(config, trials);
        say(describe(*done.trial) + ": " + outcome(*done.trial));
      } else if (util::interrupt_signal() && status.exited && status.status == 128 + util::interrupt_signal()) {
        say(describe(*done.trial) + ": interrupted");  // not a failure: it resumes on the next run
      } else {
        summary.failed.push_back(done.trial->folder);
        const auto reason = child_failure(done.log, status);
        record_failure(done.trial->folder, reason);
        write_results(config, trials);
        say(describe(*done.trial) + ": failed: " + reason);
      }
    }
  }
  util::throw_if_interrupted();
  write_results(config, trials);
  if (options.report) {
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
