#pragma once
// DEGram: SincGram → (log) → TF-DE → normalisation over a linear power spectrogram (SPEC §1.3–1.6),
// and DEGramModel = DEGram → any backbone.
#include <torch/nn/module.h>
#include <torch/nn/modules/container/any.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include <cstdint>
#include <optional>

#include "tfgram/frontends/sincgram.h"
#include "tfgram/frontends/spectrogram_norm.h"
#include "tfgram/frontends/tfde.h"

namespace tfgram::frontends {

struct DEGramOptions {
  /// `n_freqs` = K bins of the input spectrogram (n_fft/2 + 1).
  DEGramOptions(int64_t n_freqs, int64_t sample_rate) : n_freqs_(n_freqs), sample_rate_(sample_rate) {}

  TORCH_ARG(int64_t, n_freqs);
  TORCH_ARG(int64_t, sample_rate);
  /// Enable the learnable filterbank.
  TORCH_ARG(bool, sincgram) = true;
  /// Enable TF-DE attention.
  TORCH_ARG(bool, attention) = true;
  /// Enable per-example normalisation.
  TORCH_ARG(bool, normalization) = true;
  /// log(x + 1e-7) before attention, as the original Keras model does. On by default: measured
  /// ahead on FSDD speakers (docs/experiments.md, "DEGram at the default rates"). The PyTorch
  /// release has no log: set false for parity with it (the goldens, its trained weights).
  TORCH_ARG(bool, log_compression) = true;
  // SincGram
  TORCH_ARG(int64_t, filters) = 64;
  TORCH_ARG(int64_t, order) = 4;
  TORCH_ARG(SincGramInit, init) = SincGramInit::kMel;
  TORCH_ARG(double, f_min) = 0.0;
  TORCH_ARG(std::optional<double>, f_max) = std::nullopt;
  TORCH_ARG(double, eps) = 1e-7;
  TORCH_ARG(SincGramConstraint, constraint) = SincGramConstraint::kProject;
  TORCH_ARG(std::optional<double>, min_bandwidth_hz) = std::nullopt;
  // TF-DE
  TORCH_ARG(double, reduction_ratio) = 1.0 / 16.0;
  TORCH_ARG(TfDeStrategy, strategy) = TfDeStrategy::kMaxout;
  TORCH_ARG(bool, time_excitation) = false;
  // normalisation
  TORCH_ARG(bool, std_norm) = true;
  TORCH_ARG(bool, freq_norm) = true;
};

/// (B, 1, K, T) power spectrogram → (B, C, F, T) with F = filters (or K without SincGram) and
/// C = 1 (or the branch count with the concat strategy). Submodules use the published names
/// `sincgram`, `de`, `norm`.
struct DEGramImpl : torch::nn::Module {
  explicit DEGramImpl(DEGramOptions options);
  void reset();
  void pretty_print(std::ostream& stream) const override;
  torch::Tensor forward(const torch::Tensor& spectrogram);

  /// Frequency rows of the output.
  int64_t output_features() const;
  /// Channels of the output.
  int64_t output_channels() const;

  DEGramOptions options;
  SincGram sincgram{nullptr};
  TfDe de{nullptr};
  SpectrogramNorm norm{nullptr};
};
TORCH_MODULE(DEGram);

/// DEGram front end followed by any backbone taking (B, C, F, T).
struct DEGramModelImpl : torch::nn::Module {
  DEGramModelImpl(torch::nn::AnyModule backbone, DEGramOptions options);
  torch::Tensor forward(const torch::Tensor& spectrogram);
  void pretty_print(std::ostream& stream) const override;

  DEGram frontend{nullptr};
  torch::nn::AnyModule backbone;
};
TORCH_MODULE(DEGramModel);

}  // namespace tfgram::frontends
