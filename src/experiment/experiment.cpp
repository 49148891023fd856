// Experiment grids: parsing, expansion into trials, scheduling (in-process or child processes),
// results.csv rebuilt from the run folders.
#include "tfgram/experiment/experiment.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <numeric>
#include <ostream>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "tfgram/experiment/report.h"
#include "tfgram/experiment/results_file.h"
#include "tfgram/train/result_file.h"
#include "tfgram/util/interrupt.h"
#include "tfgram/experiment/table.h"
#include "tfgram/util/atomic_file.h"

extern char** environ;

namespace tfgram::experiment {
namespace {
namespace fs = std::filesystem;
using json = nlohmann::json;

json scalar_json(const std::string& text) {
  try {
    return json::parse(text);
  } catch (const json::parse_error&) {
    return json(text);
  }
}

json to_json(const YAML::Node& node) {
  if (node.IsSequence()) {
    json out = json::array();
    for (const auto& item : node) out.push_back(to_json(item));
    return out;
  }
  if (node.IsMap()) {
    json out = json::object();
    for (const auto& kv : node) out[kv.first.as<std::string>()] = to_json(kv.second);
    return out;
  }
  if (node.IsScalar()) return node.Tag() == "!" ? json(node.Scalar()) : scalar_json(node.Scalar());
  return nullptr;
}

// Mapping leaves as (dotted key, value text) in document order; sequences become JSON text.
void flatten(const YAML::Node& node, const std::string& prefix, std::vector<Setting>& out) {
  if (node.IsMap()) {
    for (const auto& kv : node) {
      const auto key = kv.first.as<std::string>();
      flatten(kv.second, prefix.empty() ? key : prefix + "." + key, out);
    }
  } else if (node.IsScalar()) {
    out.emplace_back(prefix, node.Scalar());
  } else {
    out.emplace_back(prefix, to_json(node).dump());
  }
}

std::string last_segment(const std::string& key) {
  const auto dot = key.rfind('.');
  return dot == std::string::npos ? key : key.substr(dot + 1);
}

// Folder-safe text: path separators and spaces would make cell ids ambiguous folders.
std::string safe(std::string text) {
  for (auto& c : text) {
    if (c == '/' || c == '\\' || c == ' ' || c == ':' || c == '"' || c == '\'') c = '_';
  }
  return text;
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
      std::vector<Setting> settings;
      flatten(item, "", settings);
      std::string joined;
      for (const auto& [k, v] : settings) {
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
    value.label = safe(value.label);
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
  } else if (key.rfind("grid.", 0) == 0) {
    YAML::Node node;
    try {
      node = YAML::Load(value);
    } catch (const YAML::Exception& e) {
      throw std::invalid_argument("grid key '" + key.substr(5) + "': not a valid list: " + e.what());
    }
    set_axis(config.grid, parse_axis(key.substr(5), node));
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

std::string format_number(double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.10g", value);
  return buffer;
}
std::string optional_number(const std::optional<double>& value) { return value ? format_number(*value) : ""; }
std::string mean_of(const std::vector<double>& values) {
  if (values.empty()) return "";
  return format_number(std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size()));
}

}  // namespace

ExperimentConfig ExperimentConfig::from_yaml(const std::string& text, const std::string& origin,
                                             const std::string& profile, const std::vector<Setting>& overrides) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw std::invalid_argument(origin + ": not valid YAML: " + e.what());
  }
  if (!root.IsMap()) throw std::invalid_argument(origin + ": expected a mapping of keys at the top level");
  ExperimentConfig config;
  YAML::Node profiles;
  std::set<std::string> seen;  // a key given twice is a mistake, not an override
  const auto once = [&](const std::string& key) {
    if (!seen.insert(key).second) throw std::invalid_argument(origin + ": key '" + key + "' is given twice");
  };
  for (const auto& kv : root) {
    const auto key = kv.first.as<std::string>();
    if (key == "grid" || key == "profiles") once(key);
    if (key == "grid") {
      collect_grid(kv.second, "", config.grid);
    } else if (key == "profiles") {
      profiles = kv.second;
    } else {
      std::vector<Setting> leaves;
      flatten(kv.second, key, leaves);
      for (const auto& [k, v] : leaves) {
        once(k);
        apply_setting(config, k, v);
      }
    }
  }
  if (!profile.empty()) {
    if (!profiles || !profiles.IsMap() || !profiles[profile]) {
      std::string known;
      if (profiles && profiles.IsMap()) {
        for (const auto& kv : profiles) known += (known.empty() ? "" : ", ") + kv.first.as<std::string>();
      }
      throw std::invalid_argument(origin + ": no profile '" + profile + "' (profiles: " +
                                  (known.empty() ? "none" : known) + ")");
    }
    std::vector<Setting> leaves;
    const YAML::Node chosen = profiles[profile];
    for (const auto& kv : chosen) {
      const auto key = kv.first.as<std::string>();
      if (key == "grid") {
        collect_grid(kv.second, "", config.grid);
      } else {
        flatten(kv.second, key, leaves);
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

int threads_per_trial(int cores, int jobs) { return std::max(1, cores / std::max(1, jobs)); }

std::string results_csv(const ExperimentConfig& config, const std::vector<Trial>& trials) {
  std::vector<std::string> header{"cell", "run"};
  for (const auto& axis : config.grid) header.push_back(axis.name);
  for (const char* name :
       {"seed", "epochs", "best_epoch", "best_valid_loss", "best_valid_accuracy", "test_loss", "test_accuracy",
        "initial_lambd", "learned_lambd", "initial_window_ms", "learned_window_ms", "mean_center_hz",
        "mean_bandwidth_hz", "seconds", "folder", "status", "error"}) {
    header.push_back(name);
  }
  std::string out = csv_line(header);
  for (const auto& trial : trials) {
    const auto path = fs::path(trial.folder) / "result.json";
    std::vector<std::string> row{trial.cell_id, std::to_string(trial.run)};
    for (const auto& label : trial.cell_labels) row.push_back(label);
    if (!fs::exists(path)) {
      // A failed trial: a row without metrics, with its reason.
      if (const auto reason = recorded_failure(trial.folder)) {
        row.push_back(std::to_string(trial.seed));
        row.resize(header.size() - 3);
        row.push_back(fs::relative(trial.folder, config.output).string());
        row.push_back("failed");
        row.push_back(*reason);
        out += csv_line(row);
      }
      continue;
    }
    const auto r = train::read_result_file(path.string());
    for (const auto& value :
         {std::to_string(trial.seed), std::to_string(r.epochs), std::to_string(r.best_epoch),
          format_number(r.best_valid_loss), format_number(r.best_valid_accuracy), format_number(r.test_loss),
          format_number(r.test_accuracy), optional_number(r.initial_lambd), optional_number(r.learned_lambd),
          optional_number(r.initial_window_ms), optional_number(r.learned_window_ms), mean_of(r.center_hz),
          mean_of(r.bandwidth_hz), format_number(r.seconds),
          fs::relative(trial.folder, config.output).string(), std::string("ok"), std::string()}) {
      row.push_back(value);
    }
    out += csv_line(row);
  }
  return out;
}

int64_t write_results(const ExperimentConfig& config, const std::vector<Trial>& trials) {
  fs::create_directories(config.output);
  const auto text = results_csv(config, trials);
  util::write_file_atomic((fs::path(config.output) / "results.csv").string(), seal_results(text));
  return static_cast<int64_t>(std::count(text.begin(), text.end(), '\n')) - 1;
}

namespace {

bool finished(const Trial& trial) { return fs::exists(fs::path(trial.folder) / "result.json"); }

// Starts `tfgram --threads T train -q -c <trial.json>` with its output in the run folder's train.log.
// Everything the child needs is prepared before fork: the parent has LibTorch threads, so the
// child may only make async-signal-safe calls until exec.
pid_t spawn_trial(const Trial& trial, const std::string& executable, int threads) {
  fs::create_directories(trial.folder);
  const auto config_path = (fs::path(trial.folder) / "trial.json").string();
  util::write_file_atomic(config_path, trial.config.to_json());
  const auto log_path = (fs::path(trial.folder) / "train.log").string();
  const std::string threads_text = std::to_string(threads);
  std::vector<std::string> args{executable, "--threads", threads_text, "train", "-q", "-c", config_path};
  std::vector<std::string> env{"TFGRAM_NUM_THREADS=" + threads_text, "OMP_NUM_THREADS=" + threads_text};
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry = *e;
    if (entry.rfind("TFGRAM_NUM_THREADS=", 0) != 0 && entry.rfind("OMP_NUM_THREADS=", 0) != 0) env.push_back(entry);
  }
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  const int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log < 0) throw std::runtime_error("experiment: cannot open " + log_path);
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(log);
    throw std::runtime_error("experiment: cannot start a trial process");
  }
  if (pid == 0) {
    // A trial must not outlive its experiment (a killed experiment is resumed by rerunning it).
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    ::dup2(log, 1);
    ::dup2(log, 2);
    ::execve(executable.c_str(), argv.data(), envp.data());
    ::_exit(127);
  }
  ::close(log);
  return pid;
}

// Why a child trial failed: the tool's own error line in its log, else how it ended.
std::string child_failure(const Trial& trial, int status) {
  std::string reason;
  try {
    const auto log = util::read_file((fs::path(trial.folder) / "train.log").string());
    for (size_t at = log.rfind("tfgram: error: "); at != std::string::npos;) {
      reason = log.substr(at + 15, log.find('\n', at) - at - 15);
      break;
    }
  } catch (const std::exception&) {
  }
  if (!reason.empty()) return reason;
  if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
  if (WIFEXITED(status)) return "exit status " + std::to_string(WEXITSTATUS(status)) + " (see train.log)";
  return "unknown failure (see train.log)";
}

std::string describe(const Trial& trial) { return trial.cell_id + " run" + std::to_string(trial.run); }

std::string outcome(const Trial& trial) {
  const auto r = train::read_result_file((fs::path(trial.folder) / "result.json").string());
  std::ostringstream line;
  line.precision(4);
  line << "test accuracy " << r.test_accuracy << ", best epoch " << r.best_epoch;
  if (r.learned_lambd) line << ", λ " << *r.initial_lambd << " → " << *r.learned_lambd;
  line.precision(1);
  line << std::fixed << " (" << r.seconds << " s)";
  return line.str();
}

}  // namespace

ExperimentSummary run_experiment(const ExperimentConfig& config, const ExperimentOptions& options) {
  const auto trials = expand(config);
  if (options.jobs < 1) throw std::invalid_argument("experiment option 'jobs': expected >= 1");
  if (options.jobs > 1 && options.executable.empty()) {
    throw std::invalid_argument("experiment option 'jobs': parallel trials need the tfgram executable");
  }
  const int cores = options.cores > 0 ? options.cores : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
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
  if (options.jobs == 1) {
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
    std::map<pid_t, const Trial*> running;
    size_t next = 0;
    bool forwarded = false;
    while ((next < pending.size() && !util::interrupt_signal()) || !running.empty()) {
      while (next < pending.size() && static_cast<int>(running.size()) < options.jobs && !util::interrupt_signal()) {
        const Trial* trial = pending[next++];
        running[spawn_trial(*trial, options.executable, threads)] = trial;
      }
      // Poll our own children only: waitpid(-1) could reap someone else's process.
      int status = 0;
      auto found = running.end();
      while (found == running.end()) {
        for (auto it = running.begin(); it != running.end(); ++it) {
          const pid_t done = ::waitpid(it->first, &status, WNOHANG);
          if (done == it->first || (done < 0 && errno != EINTR)) {
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
      const Trial* trial = found->second;
      running.erase(found);
      if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && finished(*trial)) {
        clear_failure(trial->folder);
        ++summary.trained;
        write_results(config, trials);
        say(describe(*trial) + ": " + outcome(*trial));
      } else if (util::interrupt_signal() && WIFEXITED(status) && WEXITSTATUS(status) == 128 + util::interrupt_signal()) {
        say(describe(*trial) + ": interrupted");  // not a failure: it resumes on the next run
      } else {
        summary.failed.push_back(trial->folder);
        const auto reason = child_failure(*trial, status);
        record_failure(trial->folder, reason);
        write_results(config, trials);
        say(describe(*trial) + ": failed: " + reason);
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
