#pragma once
// DMEL's differentiable power spectrogram with a trainable Gaussian window width (SPEC §2.2).
#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include <cstdint>

#include "tfgram/dsp/gaussian_spectrogram.h"

namespace tfgram::frontends {

struct DifferentiableSpectrogramOptions {
  explicit DifferentiableSpectrogramOptions(double lambd) : lambd_(lambd) {}
  /// Initial window standard deviation λ in samples.
  TORCH_ARG(double, lambd);
  /// Window length rule: kFull (L = N, n_fft = 2N) or kPowerOfTwo (L = n_fft = pow2 ≥ ⌊6|λ|⌋).
  TORCH_ARG(dsp::WindowMode, mode) = dsp::WindowMode::kFull;
  /// Hop between frames in samples.
  TORCH_ARG(int64_t, hop_length) = 1;
  /// Energy-normalise the window (w/‖w‖₂).
  TORCH_ARG(bool, normalize_window) = false;
  /// Whether λ receives gradients.
  TORCH_ARG(bool, trainable) = true;
};

/// (N) or (B, N) → (K, T) or (B, K, T) power spectrogram; K and T follow
/// dsp::gaussian_spectrogram_shape. One λ for the whole batch.
struct DifferentiableSpectrogramImpl : torch::nn::Module {
  explicit DifferentiableSpectrogramImpl(DifferentiableSpectrogramOptions options);
  void reset();
  void pretty_print(std::ostream& stream) const override;
  torch::Tensor forward(const torch::Tensor& signal);

  DifferentiableSpectrogramOptions options;
  torch::Tensor lambd;  ///< 0-d float32 parameter (published name)
};
TORCH_MODULE(DifferentiableSpectrogram);

}  // namespace tfgram::frontends
