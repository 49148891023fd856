#include "tfgram/models/classifier.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>

#include "tfgram/dsp/gaussian_spectrogram.h"
#include "tfgram/frontends/differentiable_spectrogram.h"
#include "tfgram/frontends/dmel.h"
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

// ---- the degram front end ----

WaveformDEGramImpl::WaveformDEGramImpl(frontends::SpectrogramOptions stft_options,
                                       frontends::DEGramOptions degram_options) {
  stft = register_module("stft", frontends::Spectrogram(std::move(stft_options)));
  degram = register_module("degram", frontends::DEGram(std::move(degram_options)));
}

torch::Tensor WaveformDEGramImpl::forward(const torch::Tensor& audio) {
  return degram->forward(stft->forward(audio).unsqueeze(1));
}

void WaveformDEGramImpl::pretty_print(std::ostream& stream) const {
  stream << "tfgram::WaveformDEGram";
}

// ---- built-in front ends ----

bool ParameterGroup::contains(const std::string& parameter_name) const {
  for (const auto& member : members) {
    const bool prefix = !member.empty() && member.back() == '.';
    if (prefix ? parameter_name.rfind(member, 0) == 0 : parameter_name == member) return true;
  }
  return false;
}

namespace {

// λ is a window width in samples (tens to hundreds): DMEL trains it at 1.0 (SPEC §2.5).
ParameterGroup lambd_group() {
  return {"lambd", {"lambd"}, 1.0};
}

frontends::DMelOptions dmel_options(const ClassifierConfig& c, bool trainable) {
  const auto& g = c.frontend.dmel;
  return frontends::DMelOptions(g.lambd, c.sample_rate)
      .n_mels(g.n_mels)
      .hop_length(g.hop_length)
      .f_min(g.f_min)
      .f_max(g.f_max)
      .mode(dsp::parse_window_mode(g.mode))
      .normalize_window(g.normalize_window)
      .log(c.frontend_log())
      .trainable(trainable);
}

FeatureShape mel_shape(const ClassifierConfig& c) {
  return {1, c.frontend.dmel.n_mels, 1 + c.n_points / c.frontend.dmel.hop_length};
}

FrontendKind mel_kind(bool fixed) {
  FrontendKind kind;
  kind.groups = {lambd_group()};
  kind.shape = mel_shape;
  kind.build = [fixed](const ClassifierConfig& c) {
    FrontendParts parts;
    // DMel applies the log itself: log(M + 1e-10), as published.
    parts.module = torch::nn::AnyModule(
        frontends::DMel(dmel_options(c, fixed ? false : c.frontend_trainable())));
    parts.names.renames = {{"spectrogram_layer.", "spectrogram_layer."}};
    return parts;
  };
  return kind;
}

FrontendKind dspec_kind() {
  FrontendKind kind;
  kind.groups = {lambd_group()};
  kind.shape = [](const ClassifierConfig& c) {
    const auto& g = c.frontend.dmel;
    const auto s = dsp::gaussian_spectrogram_shape(c.n_points, g.lambd,
                                                   dsp::parse_window_mode(g.mode), g.hop_length);
    return FeatureShape{1, s.n_freqs, s.n_frames};
  };
  kind.build = [](const ClassifierConfig& c) {
    const auto& g = c.frontend.dmel;
    FrontendParts parts;
    parts.module = torch::nn::AnyModule(frontends::DifferentiableSpectrogram(
        frontends::DifferentiableSpectrogramOptions(g.lambd)
            .mode(dsp::parse_window_mode(g.mode))
            .hop_length(g.hop_length)
            .normalize_window(g.normalize_window)
            .trainable(c.frontend_trainable())));
    parts.log = c.frontend_log();
    parts.names.renames = {{"spectrogram_layer.", "spectrogram_layer."}};
    return parts;
  };
  return kind;
}

frontends::SpectrogramOptions stft_options(const ClassifierConfig& c) {
  const auto& s = c.frontend.stft;
  return frontends::SpectrogramOptions::from_seconds(c.sample_rate, s.win_sec, s.hop_sec, s.n_fft);
}

FrontendKind spectrogram_kind() {
  FrontendKind kind;
  kind.shape = [](const ClassifierConfig& c) {
    const auto o = stft_options(c);
    return FeatureShape{1, o.n_fft() / 2 + 1, 1 + c.n_points / o.hop_length()};
  };
  kind.build = [](const ClassifierConfig& c) {
    FrontendParts parts;
    parts.module = torch::nn::AnyModule(frontends::Spectrogram(stft_options(c)));
    parts.log = c.frontend_log();
    parts.names.renames = {{"spectrogram_layer.", "spectrogram_layer."}};
    parts.names.derived = {"spectrogram_layer.window"};  // the fixed Hann window
    return parts;
  };
  return kind;
}

frontends::DEGramOptions degram_options(const ClassifierConfig& c) {
  const auto& d = c.frontend.degram;
  return frontends::DEGramOptions(c.frontend.stft.n_fft / 2 + 1, c.sample_rate)
      .sincgram(d.sincgram)
      .attention(d.attention)
      .normalization(d.normalization)
      .log_compression(d.log_compression)
      .filters(d.filters)
      .order(d.order)
      .init(frontends::parse_sincgram_init(d.init))
      .f_min(d.f_min)
      .f_max(d.f_max)
      .eps(d.eps)
      .constraint(frontends::parse_sincgram_constraint(d.constraint))
      .min_bandwidth_hz(d.min_bandwidth_hz)
      .reduction_ratio(d.reduction_ratio)
      .strategy(frontends::parse_tfde_strategy(d.strategy))
      .time_excitation(d.time_excitation)
      .std_norm(d.std_norm)
      .freq_norm(d.freq_norm);
}

FrontendKind degram_kind() {
  FrontendKind kind;
  // Centres, bandwidths and the attention's weights all live near [−1, 1]: at the model's rate,
  // as with the published release's single optimiser over model.parameters().
  kind.groups = {{"filterbank", {"degram.sincgram."}, std::nullopt},   // SincGram centres, bandwidths
                 {"attention", {"degram.de."}, std::nullopt}};         // TF-DE's weights
  kind.shape = [](const ClassifierConfig& c) {
    const auto& d = c.frontend.degram;
    const auto o = stft_options(c);
    const bool concat = d.attention && frontends::parse_tfde_strategy(d.strategy) ==
                                           frontends::TfDeStrategy::kConcat;
    const int64_t channels = concat ? (d.time_excitation ? 3 : 2) : 1;
    const int64_t features = d.sincgram ? d.filters : o.n_fft() / 2 + 1;
    return FeatureShape{channels, features, 1 + c.n_points / o.hop_length()};
  };
  kind.build = [](const ClassifierConfig& c) {
    FrontendParts parts;
    WaveformDEGram module(stft_options(c), degram_options(c));
    if (!c.frontend_trainable()) {
      for (auto& p : module->degram->parameters()) p.requires_grad_(false);
    }
    parts.module = torch::nn::AnyModule(module);
    // DEGramBasedModel keeps sincgram, de (and the parameter-free normalisation) at its top
    // level beside `backbone`, and takes a spectrogram: our Hann window is not part of it.
    parts.names.renames = {{"spectrogram_layer.degram.", ""}};
    parts.names.derived = {"spectrogram_layer.stft."};
    parts.backbone_prefix = "backbone.";
    return parts;
  };
  return kind;
}

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

// A flattening head is sized for one input shape; a λ-dependent bin count would break it.
void check_fixed_shape(const ClassifierConfig& c, const FeatureShape&) {
  if (c.frontend.kind == "dspec" && c.frontend_trainable() &&
      dsp::parse_window_mode(c.frontend.dmel.mode) == dsp::WindowMode::kPowerOfTwo) {
    throw std::invalid_argument(
        "frontend.dmel.mode: backbone " + c.backbone.kind +
        " flattens a fixed input size, but a trainable dspec in pow2 mode changes its bin count "
        "with λ; use mode full, frontend kind dmel, or trainable false");
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

std::map<std::string, FrontendKind>& frontend_registry() {
  static std::map<std::string, FrontendKind> registry = {
      {"dmel", mel_kind(/*fixed=*/false)},
      {"logmel", mel_kind(/*fixed=*/true)},
      {"dspec", dspec_kind()},
      {"spectrogram", spectrogram_kind()},
      {"degram", degram_kind()},
  };
  return registry;
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

template <typename Map>
const typename Map::mapped_type& lookup(const Map& map, const std::string& name,
                                        const std::string& key) {
  const auto found = map.find(name);
  if (found == map.end()) {
    std::string known;
    for (const auto& item : map) known += (known.empty() ? "" : ", ") + item.first;
    throw std::invalid_argument(key + ": unknown kind '" + name + "' (known: " + known + ")");
  }
  return found->second;
}

}  // namespace

void register_frontend_kind(const std::string& name, FrontendKind kind) {
  util::require(kind.shape && kind.build, "register_frontend_kind", "'", name,
                "' needs shape and build functions");
  frontend_registry()[name] = std::move(kind);
}

void register_backbone_kind(const std::string& name, BackboneKind kind) {
  util::require(static_cast<bool>(kind.build), "register_backbone_kind", "'", name,
                "' needs a build function");
  backbone_registry()[name] = std::move(kind);
}

std::vector<std::string> frontend_kinds() { return names_of(frontend_registry()); }

std::vector<std::string> parameter_group_names() {
  std::vector<std::string> names;
  for (const auto& [kind_name, kind] : frontend_registry()) {
    for (const auto& group : kind.groups) {
      if (std::find(names.begin(), names.end(), group.name) == names.end()) names.push_back(group.name);
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}
std::vector<std::string> backbone_kinds() { return names_of(backbone_registry()); }

const FrontendKind& frontend_kind(const std::string& name, const std::string& key) {
  return lookup(frontend_registry(), name, key);
}

const BackboneKind& backbone_kind(const std::string& name, const std::string& key) {
  return lookup(backbone_registry(), name, key);
}

// ---- the classifier ----

ClassifierImpl::ClassifierImpl(ClassifierConfig config) : config_(std::move(config)) {
  config_.Validate();
  const auto& frontend_entry = frontend_kind(config_.frontend.kind);
  const auto& backbone_entry = backbone_kind(config_.backbone.kind);
  shape_ = frontend_entry.shape(config_);

  auto frontend_parts = frontend_entry.build(config_);
  frontend = std::move(frontend_parts.module);
  register_module("spectrogram_layer", frontend.ptr());
  log_ = frontend_parts.log;
  frontend_names_ = std::move(frontend_parts.names);
  groups_ = frontend_entry.groups;
  for (const auto& item : frontend.ptr()->named_modules("", /*include_self=*/true)) {
    if (auto* constrained = dynamic_cast<frontends::RangeConstrained*>(item.value().get())) {
      constrained_.emplace_back(item.key(), constrained);
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
  util::require(audio.dim() == 2, "Classifier", "input must be (B, N) audio, got shape ",
                audio.sizes());
  auto x = frontend.forward(audio);
  if (x.dim() == 3) x = x.unsqueeze(1);
  if (log_) x = torch::log(x + 1e-10);
  return x;
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

std::optional<double> ClassifierImpl::lambd() const {
  for (const auto& item : frontend.ptr()->named_parameters(/*recurse=*/false)) {
    if (item.key() == "lambd") return std::abs(item.value().item<double>());
  }
  return std::nullopt;
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
