// `tfgram info MODEL`: architecture, parameter counts and the learned front-end parameters.
#include <torch/torch.h>

#include <iomanip>
#include <iostream>
#include <memory>

#include "commands.h"
#include "tfgram/models/classifier.h"
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
  // Whatever the front end reports: scalars one per line, vectors as one table (a row per element).
  const auto learned = model.learned_values();
  std::vector<const frontends::LearnedValue*> columns;
  for (const auto& value : learned) {
    if (value.scalar) {
      std::cout << std::left << std::setw(13) << value.name << std::right << value.values.at(0) << " " << value.unit
                << "\n";
    } else {
      columns.push_back(&value);
    }
  }
  if (!columns.empty()) {
    std::cout << "  " << std::setw(6) << "index";
    for (const auto* column : columns) std::cout << std::setw(16) << column->name + " (" + column->unit + ")";
    std::cout << "\n";
    for (size_t i = 0; i < columns.front()->values.size(); ++i) {
      std::cout << "  " << std::setw(6) << i << std::fixed << std::setprecision(1);
      for (const auto* column : columns) {
        if (i < column->values.size()) std::cout << std::setw(16) << column->values[i];
      }
      std::cout << "\n";
    }
    std::cout << std::defaultfloat;
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
