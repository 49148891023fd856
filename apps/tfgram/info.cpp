// `tfgram info MODEL`: architecture, parameter counts and the learned front-end parameters.
#include <torch/torch.h>

#include <iomanip>
#include <iostream>
#include <memory>

#include "commands.h"
#include "tfgram/frontends/sincgram.h"
#include "tfgram/train/checkpoint.h"

namespace tfgram::cli {
namespace {

int64_t count(const std::vector<torch::Tensor>& params) {
  int64_t n = 0;
  for (const auto& p : params) n += p.numel();
  return n;
}

int run(const std::string& path) {
  const auto loaded = train::load_model(path);
  const auto& model = *loaded.model;
  const auto& config = loaded.meta.config.model;
  std::cout << "checkpoint   " << path << " (epoch " << loaded.meta.epoch << ")\n"
            << "front end    " << config.frontend.kind << (config.frontend_trainable() ? " (trainable)" : " (fixed)")
            << "\nbackbone     " << config.backbone.kind << "\nsample rate  " << config.sample_rate
            << " Hz, input " << config.n_points << " samples\n"
            << "classes      " << loaded.meta.labels.size() << ":";
  for (const auto& name : loaded.meta.labels.names()) std::cout << " " << name;
  std::cout << "\nparameters   " << count(model.parameters()) << " (front end " << count(model.frontend_parameters())
            << ", rest " << count(model.model_parameters()) << ")\n";
  if (const auto lambd = model.lambd()) {
    std::cout << "lambda       " << *lambd << " samples = " << 6.0 * *lambd / config.sample_rate * 1000.0
              << " ms window\n";
  }
  for (const auto& child : model.modules(false)) {
    if (const auto* sincgram = child->as<frontends::SincGramImpl>()) {
      const auto centres = sincgram->center_hz();
      const auto widths = sincgram->bandwidth_hz();
      std::cout << "sincgram     " << centres.numel() << " filters, order " << sincgram->options.order()
                << "\n  filter  centre_hz  bandwidth_hz\n";
      for (int64_t i = 0; i < centres.numel(); ++i) {
        std::cout << "  " << std::setw(6) << i << std::setw(11) << std::fixed << std::setprecision(1)
                  << centres[i].item<double>() << std::setw(14) << widths[i].item<double>() << "\n";
      }
    }
  }
  std::cout << "architecture\n" << model << "\n";
  return 0;
}

const bool registered = register_command(
    "info", "architecture, parameter counts and learned front-end parameters of a checkpoint",
    [](CLI::App& command) -> std::function<int()> {
      auto path = std::make_shared<std::string>();
      command.add_option("model", *path, "checkpoint")->required()->check(CLI::ExistingFile);
      return [path] { return run(*path); };
    });

}  // namespace
}  // namespace tfgram::cli
