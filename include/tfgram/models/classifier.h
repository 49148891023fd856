#pragma once
// Classifier = front end + backbone, assembled from a ClassifierConfig through name → factory
// registries. It takes (B, N) audio and returns (B, classes) logits.
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

#include "tfgram/frontends/degram.h"
#include "tfgram/frontends/spectrogram.h"
#include "tfgram/frontends/constrained.h"
#include "tfgram/models/classifier_config.h"
#include "tfgram/models/parameter_group.h"
#include "tfgram/models/published_weights.h"

namespace tfgram::models {

/// What a front end hands to the backbone: (B, channels, features, frames).
struct FeatureShape {
  int64_t channels = 1;
  int64_t features = 0;
  int64_t frames = 0;
};

/// How logits become probabilities, and so which loss trains the model (SPEC §2.4).
enum class OutputActivation {
  kSoftmax,  ///< softmax cross-entropy
  kSigmoid,  ///< sigmoid + binary cross-entropy on one-hot targets (CNN6)
};
const char* to_string(OutputActivation activation);

/// A front end as the Classifier uses it.
struct FrontendParts {
  /// (B, N) → (B, C, F, T), or (B, F, T) which gets a channel axis.
  torch::nn::AnyModule module;
  /// Apply log(x + 1e-10) to the module's output.
  bool log = false;
  /// Published names of the `spectrogram_layer.` subtree (prefix rewrites, derived state).
  PublishedNameMap names;
  /// Where the published model keeps its backbone when this front end fixes it (DEGram's
  /// "backbone."); unset = the backbone kind's own prefix.
  std::optional<std::string> backbone_prefix;
};

struct FrontendKind {
  /// The output shape for config.n_points samples. Throws std::invalid_argument naming keys.
  std::function<FeatureShape(const ClassifierConfig&)> shape;
  std::function<FrontendParts(const ClassifierConfig&)> build;
  /// Every learnable parameter of the front end belongs to exactly one group, each with its own
  /// learning rate; a kind without parameters has none.
  std::vector<ParameterGroup> groups;
};

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

/// Registries, pre-filled with the built-in kinds. Registering an existing name replaces it.
void register_frontend_kind(const std::string& name, FrontendKind kind);
void register_backbone_kind(const std::string& name, BackboneKind kind);
/// Sorted names.
std::vector<std::string> frontend_kinds();
/// The parameter-group names any registered front-end kind declares (the valid train.lr keys).
std::vector<std::string> parameter_group_names();
std::vector<std::string> backbone_kinds();
/// The entry for `name`; throws std::invalid_argument naming `key` and the known names.
const FrontendKind& frontend_kind(const std::string& name, const std::string& key = "frontend.kind");
const BackboneKind& backbone_kind(const std::string& name, const std::string& key = "backbone.kind");

/// The `degram` front end: fixed Hann power spectrogram (`stft`, SPEC §1.5) → DEGram (`degram`).
/// (B, N) → (B, C, filters, T).
struct WaveformDEGramImpl : torch::nn::Module {
  WaveformDEGramImpl(frontends::SpectrogramOptions stft, frontends::DEGramOptions degram);
  torch::Tensor forward(const torch::Tensor& audio);
  void pretty_print(std::ostream& stream) const override;

  frontends::Spectrogram stft{nullptr};
  frontends::DEGram degram{nullptr};
};
TORCH_MODULE(WaveformDEGram);

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
  /// |λ| in samples for DMEL-family front ends.
  std::optional<double> lambd() const;
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
  /// The front end's modules with a range, by path, found once at construction (the step loop
  /// calls constrain_frontend() every step).
  std::vector<std::pair<std::string, frontends::RangeConstrained*>> constrained_;
  std::string backbone_prefix_;
};
TORCH_MODULE(Classifier);

}  // namespace tfgram::models
