// `tfgram train --config run.yaml [--set key=value]...`: one training run (SPEC §2.5).
#include <torch/torch.h>

#include <iostream>
#include <memory>

#include "commands.h"
#include "tfgram/util/interrupt.h"
#include "tfgram/train/trainer.h"

namespace tfgram::cli {
namespace {

struct TrainArgs {
  std::string config;
  std::vector<std::string> set;
  std::string output;
  bool quiet = false;
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
      return [args] { return run(*args); };
    });

}  // namespace
}  // namespace tfgram::cli
