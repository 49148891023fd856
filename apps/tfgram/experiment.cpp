// `tfgram experiment CONFIG.yaml [--jobs N] [--profile NAME] [--set key=value]... [--runs N] [--output DIR]`:
// a grid of training runs (SPEC §2.6), resumable, optionally parallel; see docs/experiments.md.
#include <ATen/Parallel.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <tuple>
#include <filesystem>
#include <iostream>
#include <memory>

#include "commands.h"
#include "tfgram/util/interrupt.h"
#include "tfgram/experiment/experiment.h"
#include "tfgram/experiment/results_file.h"
#include "tfgram/experiment/table.h"
#include "tfgram/util/atomic_file.h"
#include "tfgram/util/process.h"

namespace tfgram::cli {
namespace {

struct ExperimentArgs {
  std::string config;
  std::vector<std::string> set;
  std::string profile;
  int jobs = 1;
  int runs = 0;
  std::string output;
  bool no_report = false;
  bool quiet = false;
  bool list = false;
  std::string workers;
  double worker_timeout = 60;
  std::string shard;
};

// "I/N" → (I, N); std::invalid_argument naming --shard.
std::pair<int64_t, int64_t> parse_shard(const std::string& text) {
  const auto slash = text.find('/');
  try {
    if (slash != std::string::npos) {
      size_t a = 0;
      size_t b = 0;
      const int64_t index = std::stoll(text.substr(0, slash), &a);
      const int64_t count = std::stoll(text.substr(slash + 1), &b);
      if (a == slash && b == text.size() - slash - 1 && count >= 1 && index >= 0 && index < count) {
        return {index, count};
      }
    }
  } catch (const std::exception&) {
  }
  throw std::invalid_argument("--shard '" + text + "': expected I/N with 0 <= I < N (e.g. 0/4)");
}

// The trial as `tfgram --threads T train -q -c <folder>/trial.json`, its output in <folder>/train.log.
// A trial must not outlive its experiment (a killed experiment is resumed by rerunning it).
experiment::LaunchedTrial launch_train(const std::string& executable, const experiment::Trial& trial, int threads) {
  const auto config_path = trial.folder + "/trial.json";
  util::write_file_atomic(config_path, trial.config.to_json());
  const std::string threads_text = std::to_string(threads);
  util::SpawnOptions spawn;
  spawn.argv = {executable, "--threads", threads_text, "train", "-q", "-c", config_path};
  spawn.environment = {"TFGRAM_NUM_THREADS=" + threads_text, "OMP_NUM_THREADS=" + threads_text};
  spawn.output_path = trial.folder + "/train.log";
  spawn.null_stdin = false;
  spawn.die_with_parent = true;
  return {util::spawn_process(spawn), spawn.output_path};
}

int run(const ExperimentArgs& args) {
  std::vector<experiment::Setting> overrides;
  for (const auto& assignment : args.set) overrides.push_back(train::split_assignment(assignment));
  if (args.runs > 0) overrides.emplace_back("runs", std::to_string(args.runs));
  if (!args.output.empty()) overrides.emplace_back("output", args.output);
  const auto config = experiment::ExperimentConfig::from_yaml_file(args.config, args.profile, overrides);
  if (args.list) {  // validate and show the trials without training
    for (const auto& trial : experiment::expand(config)) std::cout << trial.folder << "  seed " << trial.seed << "\n";
    return 0;
  }
  util::install_interrupt_handlers();  // Ctrl-C: running trials stop cleanly, exit 130, rerun resumes
  experiment::ExperimentOptions options;
  options.jobs = args.jobs;
  if (args.jobs > 1) {
    options.launcher = [executable = self_path()](const experiment::Trial& trial, int threads) {
      return launch_train(executable, trial, threads);
    };
  }
  // main() configured the threads from --threads / $TFGRAM_NUM_THREADS / the cores: split those.
  options.cores = at::get_num_threads();
  options.report = !args.no_report;
  if (!args.shard.empty()) std::tie(options.shard_index, options.shard_count) = parse_shard(args.shard);
  if (!args.workers.empty()) {
    options.pool = dist::TrialPoolOptions().master(args.workers).timeout(args.worker_timeout);
    options.pool->heartbeat(std::min(1.0, args.worker_timeout / 4));
  }
  if (!args.quiet) options.log = &std::cerr;
  experiment::ExperimentSummary summary;
  int status = 0;
  try {
    summary = experiment::run_experiment(config, options);
  } catch (const experiment::TrialsFailed& e) {  // the others finished: show what there is, exit 3
    std::cerr << "tfgram: error: " << e.what() << "\n";
    status = 3;
  }
  if (status == 0) {
    std::cout << config.output << ": " << summary.trials << " trials (" << summary.skipped << " already done, "
              << summary.trained << " trained)\n\n";
  }
  // The paper-style table (the same as table.md), then where everything else is.
  const std::string csv_path = config.output + "/results.csv";
  std::cout << experiment::results_table(experiment::read_results_csv(csv_path)).markdown() << "\n";
  const auto folder = std::filesystem::absolute(config.output).lexically_normal().string();
  std::cout << "results: " << folder << "/results.csv\n";
  if (options.report) std::cout << "report:  " << folder << "/index.html (table.md, table.tex, figures/)\n";
  return status;
}

const bool registered = register_command(
    "experiment", "run an experiment grid (resumable: rerun the same command after an interruption)",
    [](CLI::App& command) -> std::function<int()> {
      auto args = std::make_shared<ExperimentArgs>();
      command.add_option("config", args->config, "experiment YAML (see configs/ and docs/experiments.md)")
          ->required()
          ->check(CLI::ExistingFile);
      command.add_option("-j,--jobs", args->jobs, "trials at once (child processes; cores are split between them)")
          ->check(CLI::PositiveNumber);
      command.add_option("-p,--profile", args->profile, "apply the YAML's profiles.<NAME> overrides (e.g. quick)");
      command.add_option("-s,--set", args->set,
                         "override a key: key=value (repeatable); runs=, output=, grid.<key>=[...] too")
          ->type_name("KEY=VALUE");
      command.add_option("-r,--runs", args->runs, "repeats per grid cell")->check(CLI::PositiveNumber);
      command.add_option("-o,--output", args->output, "experiment folder");
      command.add_flag("--no-report", args->no_report, "skip tables, figures and index.html");
      command.add_flag("--list", args->list, "validate the grid and list the trial folders, train nothing");
      command.add_flag("-q,--quiet", args->quiet, "no progress lines");
      command.add_option("--workers", args->workers,
                         "HOST:PORT of a trial pool: share the grid with the workers started with the same "
                         "HOST:PORT on any machine (the first one there hosts it)");
      command.add_option("--worker-timeout", args->worker_timeout,
                         "seconds without a worker's heartbeat before its trial is retried elsewhere")
          ->check(CLI::PositiveNumber);
      command.add_option("--shard", args->shard, "take only share I of N of the trials (e.g. a Slurm array task)")
          ->type_name("I/N");
      return [args] { return run(*args); };
    });

}  // namespace
}  // namespace tfgram::cli
