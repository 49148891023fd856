// `tfgram predict MODEL FILES...`: top-k labels with probabilities, as text or JSON.
#include <torch/torch.h>

#include <iomanip>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "tfgram/train/predict.h"

namespace tfgram::cli {
namespace {

struct PredictArgs {
  std::string model;
  std::vector<std::string> inputs;
  int64_t top_k = 3;
  bool json = false;
  std::string device = "cpu";
};

int run(const PredictArgs& args) {
  const auto loaded = train::load_model(args.model, torch::Device(args.device));
  const auto files = train::expand_audio_paths(args.inputs);
  const auto predictions = train::predict_files(loaded, files, args.top_k);
  if (args.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& p : predictions) {
      nlohmann::json top = nlohmann::json::array();
      for (const auto& [label, probability] : p.top) top.push_back({{"label", label}, {"probability", probability}});
      out.push_back({{"path", p.path}, {"top", top}});
    }
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  for (const auto& p : predictions) {
    std::cout << p.path;
    for (const auto& [label, probability] : p.top) {
      std::cout << "\t" << label << " " << std::fixed << std::setprecision(3) << probability;
    }
    std::cout << "\n";
  }
  return 0;
}

const bool registered = register_command(
    "predict", "run a trained model on audio files or folders: top-k labels with probabilities",
    [](CLI::App& command) -> std::function<int()> {
      auto args = std::make_shared<PredictArgs>();
      command.add_option("model", args->model, "checkpoint (best.ckpt of a run)")->required()->check(CLI::ExistingFile);
      command.add_option("files", args->inputs, "audio files or folders (searched recursively)")->required();
      command.add_option("-k,--top-k", args->top_k, "labels per file")->check(CLI::PositiveNumber);
      command.add_flag("--json", args->json, "JSON output");
      command.add_option("--device", args->device, "cpu, cuda, cuda:N");
      return [args] { return run(*args); };
    });

}  // namespace
}  // namespace tfgram::cli
