// `tfgram train --config run.yaml [--set key=value]...`: one training run (SPEC §2.5), in this
// process or as one rank of a data-parallel job (--world-size/--rank/--master, or torchrun's
// environment as `tfgram launch` sets it; docs/distributed.md).
#include <torch/torch.h>

#include <iostream>
#include <memory>

#include "commands.h"
#include "tfgram/dist/group.h"
#include "tfgram/util/interrupt.h"
#include "tfgram/train/trainer.h"

namespace tfgram::cli {
namespace {

struct TrainArgs {
  std::string config;
  std::vector<std::string> set;
  std::string output;
  bool quiet = false;
  int64_t world_size = 0;  // 0: from the environment (WORLD_SIZE), else 1
  int64_t rank = -1;
  std::string master;
  double dist_timeout = 120;
};

int run(const TrainArgs& args) {
  train::RunConfig config;
  if (!args.config.empty()) config = train::RunConfig::from_yaml_file(args.config);
  for (const auto& assignment : args.set) {
    const auto [key, value] = train::split_assignment(assignment);
    config.set(key, value);
  }
  if (!args.output.empty()) config.output = args.output;
  util::install_interrupt_handlers();  // Ctrl-C stops between steps: exit 130, rerun resumes
  train::TrainerOptions options;
  if (!args.quiet) options.log = &std::cerr;
  auto group_options = dist::GroupOptions::from_environment().timeout(args.dist_timeout);
  if (args.world_size > 0) group_options.world_size(args.world_size);
  if (args.rank >= 0) group_options.rank(args.rank);
  if (!args.master.empty()) group_options.master(args.master);
  group_options.validate();
  if (group_options.world_size() > 1) options.group = dist::Group::join(group_options, torch::Device(config.train.device));
  const auto result = train::run_training(config, options);
  std::cout << result.to_json() << "\n";
  return 0;
}

const bool registered = register_command(
    "train", "train a classifier with a learnable front end (resumes a killed run in the same --output)",
    [](CLI::App& command) -> std::function<int()> {
      auto args = std::make_shared<TrainArgs>();
      command.add_option("-c,--config", args->config, "YAML run config (see configs/ and docs/config.md)")
          ->check(CLI::ExistingFile);
      command.add_option("-s,--set", args->set, "override a config key: key=value (repeatable), e.g. train.lr.lambd=0.5")
          ->type_name("KEY=VALUE");
      command.add_option("-o,--output", args->output, "run folder (overrides the config's output)");
      command.add_flag("-q,--quiet", args->quiet, "no progress output");
      command.add_option("--world-size", args->world_size, "ranks of a data-parallel job (default: $WORLD_SIZE, else 1)")
          ->check(CLI::PositiveNumber);
      command.add_option("--rank", args->rank, "this process's rank in [0, world size) (default: $RANK)")
          ->check(CLI::NonNegativeNumber);
      command.add_option("--master", args->master,
                         "HOST:PORT where rank 0 hosts the rendezvous store (default: $MASTER_ADDR:$MASTER_PORT)");
      command.add_option("--dist-timeout", args->dist_timeout,
                         "seconds to wait for the other ranks before failing (joining, every collective)")
          ->check(CLI::PositiveNumber);
      return [args] { return run(*args); };
    });

}  // namespace
}  // namespace tfgram::cli
