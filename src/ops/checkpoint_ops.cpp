// Checkpoints and model input between Python and the tool, as `tfgram::` operators: Python reads
// what `tfgram train` wrote (checksums verified by the same code), writes what `tfgram predict`
// reads, decodes audio exactly as `predict` does, and asks how a config's classifier is built. Catch-all registrations: no tensor argument
// selects a dispatch key.
#include <torch/library.h>
#include <torch/torch.h>

#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "tfgram/models/frontend_kind.h"
#include "tfgram/train/checkpoint.h"
#include "tfgram/train/predict.h"
#include "tfgram/util/check.h"

namespace tfgram::ops {
namespace {

using StateDict = c10::Dict<std::string, torch::Tensor>;

// Parameters and buffers under the C++ names (spectrogram_layer.*, backbone.*).
std::vector<std::pair<std::string, torch::Tensor>> named_state(const torch::nn::Module& module) {
  std::vector<std::pair<std::string, torch::Tensor>> out;
  for (const auto& item : module.named_parameters()) out.emplace_back(item.key(), item.value());
  for (const auto& item : module.named_buffers()) out.emplace_back(item.key(), item.value());
  return out;
}

std::tuple<std::string, std::vector<std::string>, StateDict> checkpoint_read(c10::string_view path) {
  const auto loaded = train::load_model(std::string(path));
  StateDict state;
  for (const auto& [name, value] : named_state(*loaded.model)) state.insert(name, value.detach().clone());
  return {loaded.meta.config.to_json(), loaded.meta.labels.names(), state};
}

void checkpoint_write(c10::string_view path, c10::string_view config_json, std::vector<std::string> labels,
                      const StateDict& state) {
  train::CheckpointMeta meta;
  meta.config = train::RunConfig::from_json(std::string(config_json));
  meta.labels = data::LabelMap(std::move(labels));
  util::require(meta.labels.size() == meta.config.model.num_classes, "checkpoint", "the config has ",
                meta.config.model.num_classes, " classes but ", meta.labels.size(), " labels were given");
  models::Classifier model(meta.config.model);
  // Every tensor the model holds must come from `state` with its shape; nothing else may be in it.
  std::vector<std::string> problems;
  std::set<std::string> known;
  torch::NoGradGuard no_grad;
  for (auto& [name, target] : named_state(*model)) {
    known.insert(name);
    const auto found = state.find(name);
    if (found == state.end()) {
      problems.push_back("missing " + name);
    } else if (found->value().sizes() != target.sizes()) {
      problems.push_back(
          util::concat(name, " has shape ", found->value().sizes(), ", the model expects ", target.sizes()));
    } else {
      target.copy_(found->value());
    }
  }
  for (const auto& item : state) {
    if (!known.count(item.key())) problems.push_back("unexpected " + item.key());
  }
  if (!problems.empty()) {
    std::string joined;
    for (const auto& p : problems) joined += (joined.empty() ? "" : "; ") + p;
    throw std::invalid_argument(util::concat("checkpoint '", std::string(path), "': the state does not fit the model ",
                                             "the config builds: ", joined));
  }
  train::save_checkpoint(std::string(path), meta, *model);
}

torch::Tensor load_model_input(c10::string_view path, c10::string_view config_json) {
  return train::load_model_input(std::string(path), train::RunConfig::from_json(std::string(config_json)));
}

// What the Python classifier needs to be built like the C++ one from a run config, asked of the
// registry rather than restated in Python: whether the classifier logs the front end's output
// (log_outside), whether the front end trains and logs, and its (C, F, T) output shape.
std::tuple<bool, bool, bool, std::vector<int64_t>> classifier_facts(c10::string_view config_json) {
  const auto config = train::RunConfig::from_json(std::string(config_json));
  const auto& c = config.model;
  const auto parts = models::build_frontend(c);
  const auto shape = parts.output_shape(c.n_points);
  return {parts.log, c.frontend_trainable(), c.frontend_log(), {shape.channels, shape.features, shape.frames}};
}

}  // namespace

TORCH_LIBRARY_FRAGMENT(tfgram, m) {
  m.def("checkpoint_read(str path) -> (str config, str[] labels, Dict(str, Tensor) state)", checkpoint_read);
  m.def("checkpoint_write(str path, str config, str[] labels, Dict(str, Tensor) state) -> ()", checkpoint_write);
  m.def("load_model_input(str path, str config) -> Tensor", load_model_input);
  m.def("classifier_facts(str config) -> (bool log_outside, bool trainable, bool log, int[] shape)", classifier_facts);
}

}  // namespace tfgram::ops
