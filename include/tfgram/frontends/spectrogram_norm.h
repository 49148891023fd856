#pragma once
// Per-example normalisation of a (B, C, F, T) representation (SPEC §1.4).
#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

namespace tfgram::config {
template <typename T>
class Fields;
}  // namespace tfgram::config

namespace tfgram::frontends {

struct SpectrogramNormOptions {
  /// Divide by the unbiased standard deviation + eps after subtracting the mean.
  TORCH_ARG(bool, std_norm) = true;
  /// Statistics per frequency row (over channel and time) instead of over the whole example.
  TORCH_ARG(bool, freq_norm) = true;
  /// Added to the standard deviation.
  TORCH_ARG(double, eps) = 1e-7;
};

const config::Fields<SpectrogramNormOptions>& spectrogram_norm_option_fields();

/// The normalisation of a (B, C, F, T) tensor with these options, differentiable (a fused analytic
/// backward on CPU float32/float64 for the default per-frequency statistics).
torch::Tensor spectrogram_norm(const torch::Tensor& input, const SpectrogramNormOptions& options);

struct SpectrogramNormImpl : torch::nn::Module {
  explicit SpectrogramNormImpl(SpectrogramNormOptions options = {});
  void reset();
  void pretty_print(std::ostream& stream) const override;
  torch::Tensor forward(const torch::Tensor& input);

  SpectrogramNormOptions options;
};
TORCH_MODULE(SpectrogramNorm);

}  // namespace tfgram::frontends
