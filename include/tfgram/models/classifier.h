#pragma once
// Classifier = front end + backbone, assembled from a ClassifierConfig through name → factory
// registries (front ends: models/frontend_kind.h; backbones: here). It takes (B, N) audio and returns (B, classes) logits.
#include <torch/nn/module.h>
#include <torch/nn/modules/container/any.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "tfgram/frontends/constrained.h"
#include "tfgram/frontends/frontend.h"
#include "tfgram/models/classifier_config.h"
#include "tfgram/models/frontend_kind.h"
#include "tfgram/models/parameter_group.h"
#include "tfgram/models/published_weights.h"

namespace tfgram::models {

/// How logits become probabilities, and so which loss trains the model (SPEC §2.4).
enum class OutputActivation {
  kSoftmax,  ///< softmax cross-entropy
  kSigmoid,  ///< sigmoid + binary cross-entropy on one-hot targets (CNN6)
};
const char* to_string(OutputActivation activation);

/// A backbone as the Classifier uses it.
struct BackboneParts {
  /// (B, C, F, T) → (B, classes), or (B, C, T, F) when `time_major`.
  torch::nn::AnyModule module;
  /// The backbone wants time before frequency (CNN6, as published).
  bool time_major = false;
  OutputActivation activation = OutputActivation::kSoftmax;
  /// Where a DMEL-style published model keeps this backbone's names: "" = at the top level
  /// beside `spectrogram_layer` (the small nets), "spectrogram_model." (CNN6).
  std::string published_prefix;
};

struct BackboneKind {
  /// Rejects a front-end shape the backbone cannot take; throws std::invalid_argument.
  std::function<void(const ClassifierConfig&, const FeatureShape&)> check;
  std::function<BackboneParts(const ClassifierConfig&, const FeatureShape&)> build;
};

/// The backbone registry, pre-filled with the built-in kinds (front ends: models/frontend_kind.h).
/// Registering an existing name replaces it.
void register_backbone_kind(const std::string& name, BackboneKind kind);
/// Sorted names.
std::vector<std::string> backbone_kinds();
/// The entry for `name`; config::KeyError naming `key` and the known names.
const BackboneKind& backbone_kind(const std::string& name, const std::string& key = "backbone.kind");

/// (B, N) audio → front end (`spectrogram_layer`) → backbone (`backbone`) → (B, classes) logits.
/// Dropout and batch-norm statistics follow train()/eval(). Modules follow their input's dtype
/// and device (move the classifier with `to()`).
struct ClassifierImpl : torch::nn::Module {
  /// Validates the config (std::invalid_argument naming the key) and builds the model.
  explicit ClassifierImpl(ClassifierConfig config);
  torch::Tensor forward(const torch::Tensor& audio);
  /// The front end's output as the backbone's input would be before any transposition:
  /// (B, C, F, T).
  torch::Tensor features(const torch::Tensor& audio);
  /// Softmax or sigmoid of logits, as output_activation() says.
  torch::Tensor probabilities(const torch::Tensor& logits) const;
  void pretty_print(std::ostream& stream) const override;

  const ClassifierConfig& config() const { return config_; }
  const FeatureShape& feature_shape() const { return shape_; }
  OutputActivation output_activation() const { return activation_; }
  /// The optimiser groups (SPEC §2.5): the front end's parameters and everything else.
  std::vector<torch::Tensor> frontend_parameters() const;
  std::vector<torch::Tensor> model_parameters() const;
  /// The front end's parameters split into its kind's groups (empty groups left out).
  /// std::logic_error when a parameter belongs to no group or to two (a registration bug).
  std::vector<std::pair<ParameterGroup, std::vector<torch::Tensor>>> frontend_groups() const;
  /// Calls constrain_parameters() on every front-end module that has a range (after each
  /// optimiser step); each event's element is prefixed with the module's path.
  std::vector<frontends::RangeEvent> constrain_frontend();
  /// The front end's learned quantities (λ as samples and ms, filter centres and bandwidths, …),
  /// from every module of it that reports some; a name reported twice is prefixed with its path.
  std::vector<frontends::LearnedValue> learned_values() const;
  /// How our names map to the published model's (docs/published_names.md).
  PublishedNameMap published_names() const;

  torch::nn::AnyModule frontend;  ///< registered as "spectrogram_layer"
  torch::nn::AnyModule backbone;  ///< registered as "backbone"

 private:
  ClassifierConfig config_;
  FeatureShape shape_;
  bool log_ = false;
  bool time_major_ = false;
  OutputActivation activation_ = OutputActivation::kSoftmax;
  PublishedNameMap frontend_names_;
  std::vector<ParameterGroup> groups_;
  /// The front end's modules that report learned values, by path.
  std::vector<std::pair<std::string, const frontends::LearnedSummary*>> summaries_;
  /// The front end's modules with a range, by path, found once at construction (the step loop
  /// calls constrain_frontend() every step).
  std::vector<std::pair<std::string, frontends::RangeConstrained*>> constrained_;
  std::string backbone_prefix_;
};
TORCH_MODULE(Classifier);

}  // namespace tfgram::models
