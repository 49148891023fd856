// `tfgram evaluate MODEL`: loss and accuracy of a checkpoint on its run's data split.
#include <torch/torch.h>

#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "tfgram/train/checkpoint.h"
#include "tfgram/train/data_setup.h"
#include "tfgram/train/trainer.h"
#include "tfgram/util/check.h"

namespace tfgram::cli {
namespace {

struct EvaluateArgs {
  std::string model;
  std::string split = "test";
  std::vector<std::string> set;
  std::string device = "cpu";
};

int run(const EvaluateArgs& args) {
  auto loaded = train::load_model(args.model, torch::Device(args.device));
  auto config = loaded.meta.config;
  for (const auto& assignment : args.set) {
    const auto [key, value] = train::split_assignment(assignment);
    util::require(key.rfind("data.", 0) == 0, "--set", "evaluate only takes data.* keys, got '", key, "'");
    config.set(key, value);
  }
  const auto dataset = train::make_dataset(config);
  util::require(dataset->label_map() == loaded.meta.labels, "evaluate",
                "the dataset's classes differ from the model's (", dataset->num_classes(), " vs ",
                loaded.meta.labels.size(), ")");
  const auto split = train::make_run_split(*dataset, config);
  const auto& indices = args.split == "train" ? split.train : args.split == "valid" ? split.valid : split.test;
  const auto metrics = train::evaluate(*loaded.model, dataset, indices, config.train.batch_size, torch::Device(args.device));
  std::cout << nlohmann::json{{"split", args.split}, {"examples", metrics.examples}, {"loss", metrics.loss},
                              {"accuracy", metrics.accuracy}}
                   .dump(2)
            << "\n";
  return 0;
}

const bool registered = register_command(
    "evaluate", "loss and accuracy of a checkpoint on its run's train/valid/test split",
    [](CLI::App& command) -> std::function<int()> {
      auto args = std::make_shared<EvaluateArgs>();
      command.add_option("model", args->model, "checkpoint")->required()->check(CLI::ExistingFile);
      command.add_option("--split", args->split, "which part")->check(CLI::IsMember({"train", "valid", "test"}));
      command.add_option("-s,--set", args->set, "override a data.* key, e.g. data.root=/path/to/fsdd")->type_name("KEY=VALUE");
      command.add_option("--device", args->device, "cpu, cuda, cuda:N");
      return [args] { return run(*args); };
    });

}  // namespace
}  // namespace tfgram::cli
