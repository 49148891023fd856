#pragma once
// DMEL's differentiable power spectrogram with a trainable Gaussian window width (SPEC §2.2).
#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include <cstdint>

#include "tfgram/dsp/gaussian_spectrogram.h"
#include "tfgram/frontends/frontend.h"

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
  /// Sample rate in Hz, only to report λ as a window length; 0 = unknown (no window_ms).
  TORCH_ARG(int64_t, sample_rate) = 0;
};

/// (N) or (B, N) → (K, T) or (B, K, T) power spectrogram; K and T follow
/// dsp::gaussian_spectrogram_shape. One λ for the whole batch.
struct DifferentiableSpectrogramImpl : torch::nn::Module, WaveformFrontend, LearnedSummary {
  explicit DifferentiableSpectrogramImpl(DifferentiableSpectrogramOptions options);
  void reset();
  void pretty_print(std::ostream& stream) const override;
  torch::Tensor forward(const torch::Tensor& signal);
  /// (1, K, T) at the current λ (K follows λ in pow2 mode).
  FeatureShape output_shape(int64_t n_samples) const override;
  /// lambd (samples), and window_ms when the sample rate is known.
  std::vector<LearnedValue> learned_values() const override;

  DifferentiableSpectrogramOptions options;
  torch::Tensor lambd;  ///< 0-d float32 parameter (published name)
};
TORCH_MODULE(DifferentiableSpectrogram);

}  // namespace tfgram::frontends
