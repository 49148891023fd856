#pragma once
// Linear power spectrogram with a periodic Hann window (SPEC §1.5): the input DEGram works on.
#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include <cstdint>

#include "tfgram/frontends/frontend.h"

namespace tfgram::frontends {

struct SpectrogramOptions {
  explicit SpectrogramOptions(int64_t n_fft = 2048) : n_fft_(n_fft) {}
  /// Options from durations: win_length = ⌊win_sec·sr⌋, hop_length = ⌊hop_sec·sr⌋. OptionError
  /// naming win_sec or hop_sec when they give no window or hop.
  static SpectrogramOptions from_seconds(int64_t sample_rate, double win_sec, double hop_sec,
                                         int64_t n_fft);

  /// FFT size; the output has n_fft/2 + 1 bins.
  TORCH_ARG(int64_t, n_fft);
  /// Hann window length in samples (<= n_fft; the window is zero-padded centred). 0 = n_fft.
  TORCH_ARG(int64_t, win_length) = 0;
  /// Hop between frames in samples. 0 = win_length / 4.
  TORCH_ARG(int64_t, hop_length) = 0;
  /// Exponent applied to |X| (2 = power).
  TORCH_ARG(double, power) = 2.0;
  /// Centre frames with reflect padding of n_fft/2 on both sides.
  TORCH_ARG(bool, center) = true;
};

/// (N) or (B, N) samples → (n_fft/2+1, 1+⌊N/hop⌋) or (B, n_fft/2+1, frames).
struct SpectrogramImpl : torch::nn::Module, WaveformFrontend {
  explicit SpectrogramImpl(SpectrogramOptions options = SpectrogramOptions());
  void reset();
  void pretty_print(std::ostream& stream) const override;
  torch::Tensor forward(const torch::Tensor& waveform);

  /// Frames produced for a signal of `n_samples`.
  int64_t num_frames(int64_t n_samples) const;
  /// (1, n_fft/2 + 1, frames); std::invalid_argument when the signal is too short to pad.
  FeatureShape output_shape(int64_t n_samples) const override;

  SpectrogramOptions options;
  torch::Tensor window;  ///< buffer "window": periodic Hann of win_length
};
TORCH_MODULE(Spectrogram);

}  // namespace tfgram::frontends
