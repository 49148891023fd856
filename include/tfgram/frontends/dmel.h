#pragma once
// DMEL: a mel spectrogram whose Gaussian window width λ is trained with the model (SPEC §2.3).
#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include <cstdint>
#include <optional>
#include <memory>

#include "tfgram/dsp/gaussian_spectrogram.h"
#include "tfgram/frontends/frontend.h"

namespace tfgram::config {
template <typename T>
class Fields;
}  // namespace tfgram::config

namespace tfgram::frontends {

struct DMelOptions {
  DMelOptions(double lambd, int64_t sample_rate) : lambd_(lambd), sample_rate_(sample_rate) {}
  /// Initial window standard deviation λ in samples (window length l = 6λ/sr seconds).
  TORCH_ARG(double, lambd);
  /// Sample rate in Hz.
  TORCH_ARG(int64_t, sample_rate);
  /// Mel bands.
  TORCH_ARG(int64_t, n_mels) = 64;
  /// Hop between frames in samples.
  TORCH_ARG(int64_t, hop_length) = 80;
  /// Lowest mel edge in Hz.
  TORCH_ARG(double, f_min) = 0.0;
  /// Highest mel edge in Hz; unset = sample_rate/2.
  TORCH_ARG(std::optional<double>, f_max) = std::nullopt;
  /// Window length rule (real audio uses kPowerOfTwo).
  TORCH_ARG(dsp::WindowMode, mode) = dsp::WindowMode::kPowerOfTwo;
  /// Energy-normalise the window.
  TORCH_ARG(bool, normalize_window) = false;
  /// Apply log(M + 1e-10).
  TORCH_ARG(bool, log) = false;
  /// Whether λ receives gradients.
  TORCH_ARG(bool, trainable) = true;

};

/// Its config keys (model.frontend.dmel.*): every option but sample_rate, log and trainable,
/// which the classifier's config sets from its own keys.
const config::Fields<DMelOptions>& dmel_option_fields();

/// (B, N) → (B, 1, n_mels, 1 + ⌊N/hop⌋), batched: every example shares λ.
struct DMelImpl : torch::nn::Module, WaveformFrontend, LearnedSummary {
  explicit DMelImpl(DMelOptions options);
  void reset();
  void pretty_print(std::ostream& stream) const override;
  torch::Tensor forward(const torch::Tensor& signal);

  /// Current |λ| in samples and the window length it means in seconds (6|λ|/sr).
  double lambd_value() const;
  double window_seconds() const;
  /// (1, n_mels, 1 + ⌊N/hop⌋).
  FeatureShape output_shape(int64_t n_samples) const override;
  /// lambd (samples) and window_ms.
  std::vector<LearnedValue> learned_values() const override;
  /// The (n_freqs, n_mels) filterbank for `n_freqs` bins, built once per bins/dtype/device.
  torch::Tensor filterbank(int64_t n_freqs, const torch::TensorOptions& options);

  DMelOptions options;
  torch::Tensor lambd;  ///< 0-d float32 parameter (published name)

 private:
  struct Filterbanks;  // per (bins, dtype, device); in dmel.cpp
  std::shared_ptr<Filterbanks> filterbanks_;  // a new one at every reset()
};
TORCH_MODULE(DMel);

}  // namespace tfgram::frontends
