#pragma once
// The fully learnable front end: DMEL's Gaussian-window STFT with a trainable width λ, projected
// by SincGram's Butterworth filterbank with trainable centres and bandwidths instead of the fixed
// mel matrix, then DEGram's later stages (PCEN or log, TF-DE, normalisation), each optional.
//
// The projection is fused into the DMEL kernel: the filter matrix is an input of the kernel that
// requires grad, its gradient powerᵀ·upstream is accumulated chunk by chunk in backward, and λ's
// gradient stays analytic. No power spectrogram is stored.
#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include <cstdint>

#include "tfgram/dsp/gaussian_spectrogram.h"
#include "tfgram/frontends/degram.h"
#include "tfgram/frontends/frontend.h"

namespace tfgram::frontends {

struct GaussianSincGramOptions {
  /// λ (window standard deviation in samples) and the DEGram stages; `n_samples` is the input
  /// length the layer is built for (full mode's bin count, and SincGram's bandwidth scale).
  GaussianSincGramOptions(double lambd, int64_t sample_rate, int64_t n_samples, DEGramOptions degram)
      : lambd_(lambd), sample_rate_(sample_rate), n_samples_(n_samples), degram_(std::move(degram)) {}

  TORCH_ARG(double, lambd);
  TORCH_ARG(int64_t, sample_rate);
  TORCH_ARG(int64_t, n_samples);
  /// SincGram (required here), PCEN, TF-DE and normalisation; n_freqs and sample_rate are set by
  /// the layer. log_compression applies log(x + 1e-7) after the filterbank unless PCEN is set.
  TORCH_ARG(DEGramOptions, degram);
  TORCH_ARG(dsp::WindowMode, mode) = dsp::WindowMode::kPowerOfTwo;
  TORCH_ARG(int64_t, hop_length) = 80;
  TORCH_ARG(bool, normalize_window) = false;
  /// Whether λ trains (the filterbank's and the stages' parameters train unless their groups are
  /// given a rate of 0).
  TORCH_ARG(bool, trainable) = true;
};

/// (B, N) → (B, C, F, T). Parameter `lambd` (0-d float32) and submodule `degram` (`sincgram`,
/// `pcen`, `de`, `norm`). In power-of-two mode the bin count follows λ; the filters keep their
/// meaning in Hz (SincGram evaluated on the current grid), so the output shape does not change.
struct GaussianSincGramImpl : torch::nn::Module, WaveformFrontend, LearnedSummary {
  explicit GaussianSincGramImpl(GaussianSincGramOptions options);
  void reset();
  void pretty_print(std::ostream& stream) const override;
  torch::Tensor forward(const torch::Tensor& signal);
  FeatureShape output_shape(int64_t n_samples) const override;
  /// lambd and window_ms (SincGram's and PCEN's values come from those modules).
  std::vector<LearnedValue> learned_values() const override;

  GaussianSincGramOptions options;
  torch::Tensor lambd;
  DEGram degram{nullptr};
};
TORCH_MODULE(GaussianSincGram);

}  // namespace tfgram::frontends
