#include "tfgram/models/classifier.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>

#include "tfgram/models/cnn6.h"
#include "tfgram/models/dmel_nets.h"
#include "tfgram/models/resnet.h"
#include "tfgram/util/check.h"

namespace tfgram::models {

const char* to_string(OutputActivation activation) {
  switch (activation) {
    case OutputActivation::kSoftmax: return "softmax";
    case OutputActivation::kSigmoid: return "sigmoid";
  }
  return "?";
}

// ---- front-end parameter groups ----

bool ParameterGroup::contains(const std::string& parameter_name) const {
  for (const auto& member : members) {
    const bool prefix = !member.empty() && member.back() == '.';
    if (prefix ? parameter_name.rfind(member, 0) == 0 : parameter_name == member) return true;
  }
  return false;
}

namespace {

// ---- built-in backbones ----

BackboneKind resnet_kind(std::vector<int64_t> layers) {
  BackboneKind kind;
  kind.build = [layers](const ClassifierConfig& c, const FeatureShape& shape) {
    BackboneParts parts;
    parts.module = torch::nn::AnyModule(
        ResNet(ResNetOptions(layers, c.num_classes).in_channels(shape.channels)));
    parts.published_prefix = "spectrogram_model.";
    return parts;
  };
  return kind;
}

BackboneKind cnn6_kind() {
  BackboneKind kind;
  kind.check = [](const ClassifierConfig&, const FeatureShape& shape) {
    if (shape.features < 16 || shape.frames < 16) {
      throw std::invalid_argument(util::concat(
          "backbone.kind: cnn6 needs >= 16 frequency rows and >= 16 frames (four 2×2 pools); the "
          "front end gives ",
          shape.features, " × ", shape.frames, " (see frontend.dmel.n_mels, n_points, hop)"));
    }
  };
  kind.build = [](const ClassifierConfig& c, const FeatureShape& shape) {
    BackboneParts parts;
    parts.module = torch::nn::AnyModule(
        Cnn6(Cnn6Options(c.num_classes, shape.features).in_channels(shape.channels)));
    parts.time_major = true;  // the published CNN6 takes (B, 1, T, mel)
    parts.activation = OutputActivation::kSigmoid;
    parts.published_prefix = "spectrogram_model.";
    return parts;
  };
  return kind;
}

// A flattening head is sized for one input shape; a shape that follows the parameters (a
// trainable dspec in pow2 mode changes its bin count with λ) would break it.
void check_fixed_shape(const ClassifierConfig& c, const FeatureShape&) {
  const auto& kind = frontend_kind(c.frontend.kind);
  if (kind.shape_follows_parameters && kind.shape_follows_parameters(c)) {
    throw config::KeyError("backbone.kind", c.backbone.kind + " flattens a fixed input size, but the " +
                                                c.frontend.kind + " front end's shape changes as it trains (for dspec: "
                                                "use frontend.dmel.mode full, kind dmel, or trainable false)");
  }
}

template <typename Head>
BackboneKind head_kind(DMelNetOptions (*preset)(int64_t, int64_t, int64_t, int64_t)) {
  BackboneKind kind;
  kind.check = check_fixed_shape;
  kind.build = [preset](const ClassifierConfig& c, const FeatureShape& shape) {
    BackboneParts parts;
    parts.module = torch::nn::AnyModule(
        Head(preset(shape.channels, shape.features, shape.frames, c.num_classes)));
    parts.published_prefix = "";  // MelLinearNet & co. keep fc, fc1, … beside spectrogram_layer
    return parts;
  };
  return kind;
}

std::map<std::string, BackboneKind>& backbone_registry() {
  static std::map<std::string, BackboneKind> registry = {
      {"resnet18", resnet_kind({2, 2, 2, 2})},
      {"resnet34", resnet_kind({3, 4, 6, 3})},
      {"cnn6", cnn6_kind()},
      {"linear", head_kind<LinearNet>(&DMelNetOptions::linear)},
      {"mel_linear", head_kind<LinearNet>(&DMelNetOptions::mel_linear)},
      {"mel_mlp", head_kind<MlpNet>(&DMelNetOptions::mel_mlp)},
      {"mel_conv", head_kind<ConvNet>(&DMelNetOptions::mel_conv)},
  };
  return registry;
}

template <typename Map>
std::vector<std::string> names_of(const Map& map) {
  std::vector<std::string> names;
  for (const auto& item : map) names.push_back(item.first);
  return names;
}

}  // namespace

void register_backbone_kind(const std::string& name, BackboneKind kind) {
  util::require(static_cast<bool>(kind.build), "register_backbone_kind", "'", name,
                "' needs a build function");
  backbone_registry()[name] = std::move(kind);
}

std::vector<std::string> backbone_kinds() { return names_of(backbone_registry()); }

const BackboneKind& backbone_kind(const std::string& name, const std::string& key) {
  return config::find_kind(backbone_registry(), name, key);
}

// ---- the classifier ----

ClassifierImpl::ClassifierImpl(ClassifierConfig config) : config_(std::move(config)) {
  util::require(config_.num_classes >= 1, "num_classes", "must be >= 1, got ", config_.num_classes);
  const auto& frontend_entry = frontend_kind(config_.frontend.kind);
  const auto& backbone_entry = backbone_kind(config_.backbone.kind);
  auto frontend_parts = build_frontend(config_);  // validates the front end as its modules are built
  shape_ = frontend_parts.output_shape(config_.n_points);
  if (backbone_entry.check) backbone_entry.check(config_, shape_);
  frontend = std::move(frontend_parts.module);
  register_module("spectrogram_layer", frontend.ptr());
  log_ = frontend_parts.log;
  frontend_names_ = std::move(frontend_parts.names);
  groups_ = frontend_entry.groups;
  for (const auto& item : frontend.ptr()->named_modules("", /*include_self=*/true)) {
    if (auto* constrained = dynamic_cast<frontends::RangeConstrained*>(item.value().get())) {
      constrained_.emplace_back(item.key(), constrained);
    }
    if (const auto* summary = dynamic_cast<const frontends::LearnedSummary*>(item.value().get())) {
      summaries_.emplace_back(item.key(), summary);
    }
  }

  auto backbone_parts = backbone_entry.build(config_, shape_);
  backbone = std::move(backbone_parts.module);
  register_module("backbone", backbone.ptr());
  time_major_ = backbone_parts.time_major;
  activation_ = backbone_parts.activation;
  backbone_prefix_ = frontend_parts.backbone_prefix.value_or(backbone_parts.published_prefix);
}

torch::Tensor ClassifierImpl::features(const torch::Tensor& audio) {
  return frontend_features(frontend, log_, audio);
}

torch::Tensor ClassifierImpl::forward(const torch::Tensor& audio) {
  auto x = features(audio);
  if (time_major_) x = x.transpose(2, 3);
  return backbone.forward(x);
}

torch::Tensor ClassifierImpl::probabilities(const torch::Tensor& logits) const {
  return activation_ == OutputActivation::kSigmoid ? torch::sigmoid(logits)
                                                   : torch::softmax(logits, -1);
}

std::vector<torch::Tensor> ClassifierImpl::frontend_parameters() const {
  return frontend.ptr()->parameters();
}

std::vector<torch::Tensor> ClassifierImpl::model_parameters() const {
  return backbone.ptr()->parameters();
}

std::vector<std::pair<ParameterGroup, std::vector<torch::Tensor>>> ClassifierImpl::frontend_groups() const {
  std::vector<std::pair<ParameterGroup, std::vector<torch::Tensor>>> out;
  for (const auto& group : groups_) out.emplace_back(group, std::vector<torch::Tensor>{});
  for (const auto& item : frontend.ptr()->named_parameters()) {
    std::vector<size_t> owners;
    for (size_t g = 0; g < groups_.size(); ++g) {
      if (groups_[g].contains(item.key())) owners.push_back(g);
    }
    if (owners.size() != 1) {
      throw std::logic_error(util::concat("front-end kind '", config_.frontend.kind, "': parameter '", item.key(),
                                          "' belongs to ", owners.size(),
                                          " parameter groups; its registration must put it in exactly one"));
    }
    out[owners.front()].second.push_back(item.value());
  }
  out.erase(std::remove_if(out.begin(), out.end(), [](const auto& g) { return g.second.empty(); }), out.end());
  return out;
}

std::vector<frontends::RangeEvent> ClassifierImpl::constrain_frontend() {
  std::vector<frontends::RangeEvent> events;
  for (const auto& [path, constrained] : constrained_) {
    for (auto& event : constrained->constrain_parameters()) {
      event.element = (path.empty() ? "" : path + " ") + event.element;
      events.push_back(std::move(event));
    }
  }
  return events;
}

std::vector<frontends::LearnedValue> ClassifierImpl::learned_values() const {
  std::vector<frontends::LearnedValue> out;
  for (const auto& [path, summary] : summaries_) {
    for (auto value : summary->learned_values()) {
      const bool taken = std::any_of(out.begin(), out.end(), [&](const auto& v) { return v.name == value.name; });
      if (taken) value.name = path + "." + value.name;
      out.push_back(std::move(value));
    }
  }
  return out;
}

PublishedNameMap ClassifierImpl::published_names() const {
  PublishedNameMap names = frontend_names_;
  names.renames.emplace_back("backbone.", backbone_prefix_);
  return names;
}

void ClassifierImpl::pretty_print(std::ostream& stream) const {
  stream << "tfgram::Classifier(frontend=" << config_.frontend.kind
         << ", backbone=" << config_.backbone.kind << ", num_classes=" << config_.num_classes
         << ", input=" << config_.n_points << " samples @ " << config_.sample_rate
         << " Hz, features=(" << shape_.channels << ", " << shape_.features << ", "
         << shape_.frames << "))";
}

}  // namespace tfgram::models
