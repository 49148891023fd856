#include "tfgram/models/frontend_kinds.h"

#include <torch/torch.h>

#include "tfgram/frontends/differentiable_spectrogram.h"
#include "tfgram/frontends/dmel.h"
#include "tfgram/frontends/gaussian_sincgram.h"
#include "tfgram/frontends/spectrogram.h"
#include "tfgram/frontends/waveform_degram.h"
#include "tfgram/frontends/with_pcen.h"
#include "tfgram/util/check.h"

namespace tfgram::models {

const config::Fields<StftConfig>& stft_config_fields() {
  static const auto fields = config::Fields<StftConfig>()
                                 .add("n_fft", [](StftConfig& s) -> auto& { return s.n_fft; })
                                 .add("win_sec", [](StftConfig& s) -> auto& { return s.win_sec; })
                                 .add("hop_sec", [](StftConfig& s) -> auto& { return s.hop_sec; });
  return fields;
}

namespace {

// ---- sections ----

// Default: a 35 ms window at 8 kHz (DMEL's speech setting); sample_rate, log and trainable are not
// keys of the section (the top-level sample_rate and frontend.log/trainable set them).
std::pair<std::string, config::Section> dmel_section() {
  return {"dmel", config::Section::of(frontends::DMelOptions(dsp::lambd_for_window_ms(35.0, 8000), 8000),
                                      frontends::dmel_option_fields())};
}

std::pair<std::string, config::Section> stft_section() {
  return {"stft", config::Section::of(StftConfig(), stft_config_fields())};
}

std::pair<std::string, config::Section> degram_section() {
  return {"degram", config::Section::of(frontends::DEGramOptions(2048 / 2 + 1, 8000), frontends::degram_option_fields())};
}

// LEAF's defaults, with its standalone floor (1e-6).
std::pair<std::string, config::Section> pcen_section() {
  return {"pcen", config::Section::of(frontends::PcenOptions(), frontends::pcen_option_fields())};
}

frontends::DMelOptions dmel_options(const ClassifierConfig& c) {
  auto o = c.frontend.section<frontends::DMelOptions>("dmel");
  return o.sample_rate(c.sample_rate);
}

frontends::SpectrogramOptions stft_options(const ClassifierConfig& c) {
  const auto& s = c.frontend.section<StftConfig>("stft");
  frontends::SpectrogramOptions options;
  in_section("stft", [&] { options = frontends::SpectrogramOptions::from_seconds(c.sample_rate, s.win_sec, s.hop_sec, s.n_fft); });
  return options;
}

// ---- kinds ----

// λ is a window width in samples (tens to hundreds): DMEL trains it at 1.0 (SPEC §2.5).
ParameterGroup lambd_group(const std::string& name = "lambd") { return {"lambd", {name}, 1.0}; }
// PCEN's α, δ, r and s live near 1: at the model's rate, as LEAF trains them.
ParameterGroup pcen_group() { return {"pcen", {"pcen."}, std::nullopt}; }

FrontendKind mel_kind(bool fixed) {
  FrontendKind kind;
  kind.sections = {dmel_section()};
  kind.groups = {lambd_group()};
  kind.log_by_default = true;
  kind.trainable_by_default = !fixed;
  if (fixed) kind.fixed_reason = "the logmel baseline keeps λ fixed; use kind dmel to train it";
  kind.description = fixed ? "log-mel spectrogram with a fixed Gaussian window (DMEL's baseline)"
                           : "DMEL: mel spectrogram with a trainable Gaussian window width λ";
  kind.build = [](const ClassifierConfig& c) {
    FrontendParts parts;
    // DMel applies the log itself: log(M + 1e-10), as published.
    in_section("dmel", [&] {
      parts.module = torch::nn::AnyModule(
          frontends::DMel(dmel_options(c).log(c.frontend_log()).trainable(c.frontend_trainable())));
    });
    parts.names.renames = {{"spectrogram_layer.", "spectrogram_layer."}};
    return parts;
  };
  return kind;
}

FrontendKind dspec_kind() {
  FrontendKind kind;
  kind.sections = {dmel_section()};
  kind.groups = {lambd_group()};
  kind.description = "DMEL's differentiable linear power spectrogram (trainable λ)";
  kind.shape_follows_parameters = [](const ClassifierConfig& c) {
    return c.frontend_trainable() && dmel_options(c).mode() == dsp::WindowMode::kPowerOfTwo;
  };
  kind.build = [](const ClassifierConfig& c) {
    const auto d = dmel_options(c);
    FrontendParts parts;
    in_section("dmel", [&] {
      parts.module = torch::nn::AnyModule(frontends::DifferentiableSpectrogram(
          frontends::DifferentiableSpectrogramOptions(d.lambd())
              .mode(d.mode())
              .hop_length(d.hop_length())
              .normalize_window(d.normalize_window())
              .trainable(c.frontend_trainable())
              .sample_rate(c.sample_rate)));
    });
    parts.log = c.frontend_log();
    parts.names.renames = {{"spectrogram_layer.", "spectrogram_layer."}};
    return parts;
  };
  return kind;
}

// DMEL's mel spectrogram without its log, then PCEN (which compresses instead).
FrontendKind mel_pcen_kind(bool fixed) {
  FrontendKind kind;
  kind.sections = {dmel_section(), pcen_section()};
  auto lambd = lambd_group("spectrogram.lambd");
  lambd.fixed = fixed;
  kind.groups = {lambd, pcen_group()};
  kind.trainable_by_default = true;
  kind.no_log_reason = "PCEN compresses the mel energies itself; its output is not logged";
  kind.description = fixed ? "mel spectrogram (fixed Gaussian window) → learnable PCEN"
                           : "DMEL's mel spectrogram (trainable λ) → learnable PCEN";
  kind.build = [fixed](const ClassifierConfig& c) {
    FrontendParts parts;
    torch::nn::AnyModule mel;
    in_section("dmel", [&] {
      mel = torch::nn::AnyModule(frontends::DMel(dmel_options(c).log(false).trainable(!fixed && c.frontend_trainable())));
    });
    in_section("pcen", [&] {
      auto pcen = c.frontend.section<frontends::PcenOptions>("pcen");
      if (!c.frontend_trainable()) pcen.trainable(false).learn_smooth_coef(false);
      parts.module = torch::nn::AnyModule(frontends::WithPcen(mel, pcen, c.n_points));
    });
    return parts;
  };
  return kind;
}

FrontendKind spectrogram_kind() {
  FrontendKind kind;
  kind.sections = {stft_section()};
  kind.trainable_by_default = false;
  kind.fixed_reason = "the spectrogram front end has no parameters to train";
  kind.description = "fixed linear power spectrogram with a Hann window";
  kind.build = [](const ClassifierConfig& c) {
    FrontendParts parts;
    const auto options = stft_options(c);
    in_section("stft", [&] { parts.module = torch::nn::AnyModule(frontends::Spectrogram(options)); });
    parts.log = c.frontend_log();
    parts.names.renames = {{"spectrogram_layer.", "spectrogram_layer."}};
    parts.names.derived = {"spectrogram_layer.window"};  // the fixed Hann window
    return parts;
  };
  return kind;
}

FrontendKind degram_kind() {
  FrontendKind kind;
  kind.sections = {stft_section(), degram_section()};
  // Centres, bandwidths and the attention's weights all live near [−1, 1]: at the model's rate,
  // as with the published release's single optimiser over model.parameters().
  kind.groups = {{"filterbank", {"degram.sincgram."}, std::nullopt},  // SincGram centres, bandwidths
                 {"attention", {"degram.de."}, std::nullopt},         // TF-DE's weights
                 {"pcen", {"degram.pcen."}, std::nullopt}};           // frontend.degram.pcen, when set
  kind.no_log_reason = "degram normalises its output; use frontend.degram.log_compression instead";
  kind.description = "DEGram: Hann spectrogram → SincGram filterbank → TF-DE attention → normalisation";
  kind.build = [](const ClassifierConfig& c) {
    const auto stft = stft_options(c);
    auto degram = c.frontend.section<frontends::DEGramOptions>("degram");
    degram.n_freqs(stft.n_fft() / 2 + 1).sample_rate(c.sample_rate);
    FrontendParts parts;
    in_section("degram", [&] {
      frontends::WaveformDEGram module(stft, degram);
      if (!c.frontend_trainable()) {
        for (auto& p : module->degram->parameters()) p.requires_grad_(false);
      }
      parts.module = torch::nn::AnyModule(module);
    });
    // DEGramBasedModel keeps sincgram, de (and the parameter-free normalisation) at its top
    // level beside `backbone`, and takes a spectrogram: our Hann window is not part of it.
    parts.names.renames = {{"spectrogram_layer.degram.", ""}};
    parts.names.derived = {"spectrogram_layer.stft."};
    parts.backbone_prefix = "backbone.";
    return parts;
  };
  return kind;
}

// The fully learnable front end: DMEL's window (frontend.dmel: lambd, mode, hop_length,
// normalize_window) under SincGram's filterbank and DEGram's later stages (frontend.degram).
FrontendKind dmel_sincgram_kind() {
  FrontendKind kind;
  kind.sections = {dmel_section(), degram_section()};
  kind.groups = {lambd_group(),
                 {"filterbank", {"degram.sincgram."}, std::nullopt},
                 {"attention", {"degram.de."}, std::nullopt},
                 {"pcen", {"degram.pcen."}, std::nullopt}};
  kind.no_log_reason =
      "dmel_sincgram compresses after its filterbank itself: frontend.degram.log_compression, or frontend.degram.pcen";
  kind.description =
      "fully learnable: DMEL's Gaussian window (trainable λ) → SincGram filterbank → PCEN or log → TF-DE → "
      "normalisation";
  kind.build = [](const ClassifierConfig& c) {
    const auto d = dmel_options(c);
    const auto degram = c.frontend.section<frontends::DEGramOptions>("degram");
    FrontendParts parts;
    try {
      frontends::GaussianSincGram module(frontends::GaussianSincGramOptions(d.lambd(), c.sample_rate, c.n_points, degram)
                                             .mode(d.mode())
                                             .hop_length(d.hop_length())
                                             .normalize_window(d.normalize_window())
                                             .trainable(c.frontend_trainable()));
      if (!c.frontend_trainable()) {
        for (auto& p : module->parameters()) p.requires_grad_(false);
      }
      parts.module = torch::nn::AnyModule(module);
    } catch (const util::OptionError& error) {
      // The window's options live in frontend.dmel, the stages' in frontend.degram.
      const std::string& option = error.option();
      const bool stage = option.rfind("degram.", 0) == 0;
      throw config::KeyError(stage ? "frontend." + option : "frontend.dmel." + option, error.problem());
    }
    return parts;
  };
  return kind;
}

}  // namespace

std::vector<std::pair<std::string, FrontendKind>> builtin_frontend_kinds() {
  return {
      {"dmel", mel_kind(/*fixed=*/false)},
      {"logmel", mel_kind(/*fixed=*/true)},
      {"mel_pcen", mel_pcen_kind(/*fixed=*/true)},
      {"dmel_pcen", mel_pcen_kind(/*fixed=*/false)},
      {"dspec", dspec_kind()},
      {"spectrogram", spectrogram_kind()},
      {"degram", degram_kind()},
      {"dmel_sincgram", dmel_sincgram_kind()},
  };
}

}  // namespace tfgram::models
