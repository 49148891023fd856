#pragma once
// Front-end kinds as plug-ins. A kind is registered once (src/models/frontend_kinds.cpp lists the
// built-in ones, one line each) with everything the rest of the project asks about it: the config
// sections it reads, how to build it, its trainable/log defaults and its parameter groups. The
// module it builds reports its own output shape and learned quantities (frontends/frontend.h), so
// no other file tests a kind's name.
#include <torch/nn/modules/container/any.h>
#include <torch/types.h>

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tfgram/config/fields.h"
#include "tfgram/frontends/frontend.h"
#include "tfgram/models/classifier_config.h"
#include "tfgram/models/parameter_group.h"
#include "tfgram/models/published_weights.h"

namespace tfgram::models {

using frontends::FeatureShape;

/// A built front end.
struct FrontendParts {
  /// (B, N) → (B, C, F, T), or (B, F, T) which gets a channel axis; a frontends::WaveformFrontend.
  torch::nn::AnyModule module;
  /// Apply log(x + 1e-10) to the module's output.
  bool log = false;
  /// Published names of the `spectrogram_layer.` subtree (prefix rewrites, derived state).
  PublishedNameMap names;
  /// Where the published model keeps its backbone when this front end fixes it (DEGram's
  /// "backbone."); unset = the backbone kind's own prefix.
  std::optional<std::string> backbone_prefix;
  /// The output shape for `n_samples` (asks the module).
  FeatureShape output_shape(int64_t n_samples) const;
};

struct FrontendKind {
  /// The config sections it reads (`frontend.<name>.*`), each with its defaults. Kinds may share
  /// a section (dmel, logmel and dspec share "dmel"); the same name must hold the same type.
  std::vector<std::pair<std::string, config::Section>> sections;
  /// Builds the front end. Run the modules' constructors inside in_section() so that their
  /// complaints name config keys.
  std::function<FrontendParts(const ClassifierConfig&)> build;
  /// Whether the parameters train when frontend.trainable is unset.
  bool trainable_by_default = true;
  /// Set when the kind must not train (frontend.trainable true is refused with this reason).
  std::optional<std::string> fixed_reason;
  /// Whether frontend.log is on when unset.
  bool log_by_default = false;
  /// Set when frontend.log must stay off (refused with this reason).
  std::optional<std::string> no_log_reason;
  /// Whether the output shape changes while the parameters train (a flattening backbone cannot
  /// take that); unset = never.
  std::function<bool(const ClassifierConfig&)> shape_follows_parameters;
  /// Every learnable parameter belongs to exactly one group, each with its own learning rate; a
  /// kind without parameters has none.
  std::vector<ParameterGroup> groups;
  /// One line for help texts and docs.
  std::string description;
};

/// Registers (or replaces) a kind and the sections it brings.
void register_frontend_kind(const std::string& name, FrontendKind kind);
/// Sorted names.
std::vector<std::string> frontend_kinds();
/// The entry for `name`; config::KeyError naming `key` and the known names.
const FrontendKind& frontend_kind(const std::string& name, const std::string& key = "frontend.kind");
/// Every registered section with its defaults, by name.
std::map<std::string, config::Section> frontend_sections();
/// The parameter-group names any registered kind declares (the valid train.lr keys).
std::vector<std::string> parameter_group_names();

/// Runs `build` (module constructors reading section `section`) and re-throws their
/// util::OptionError as config::KeyError("frontend.<section>.<option>").
void in_section(const std::string& section, const std::function<void()>& build);

/// Validates the front-end part of `config` and builds it (config::KeyError naming the key).
FrontendParts build_frontend(const ClassifierConfig& config);
/// What a classifier's backbone would see: the module's output with a channel axis, log applied.
torch::Tensor frontend_features(torch::nn::AnyModule& module, bool log, const torch::Tensor& audio);

}  // namespace tfgram::models
