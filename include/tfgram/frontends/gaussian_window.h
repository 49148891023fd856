#pragma once
// A Gaussian window whose width λ (standard deviation, samples) is a trainable scalar (SPEC §2.1).
#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include <cstdint>

namespace tfgram::frontends {

struct GaussianWindowOptions {
  GaussianWindowOptions(int64_t window_length, double lambd)
      : window_length_(window_length), lambd_(lambd) {}
  /// Window length L in samples.
  TORCH_ARG(int64_t, window_length);
  /// Initial standard deviation λ in samples (the window always uses |λ|).
  TORCH_ARG(double, lambd);
  /// Divide by the window's L2 norm.
  TORCH_ARG(bool, normalized) = false;
  /// Whether λ receives gradients.
  TORCH_ARG(bool, trainable) = true;
};

struct GaussianWindowImpl : torch::nn::Module {
  explicit GaussianWindowImpl(GaussianWindowOptions options);
  void reset();
  void pretty_print(std::ostream& stream) const override;
  /// The (L) window in λ's dtype and device.
  torch::Tensor forward();

  GaussianWindowOptions options;
  torch::Tensor lambd;  ///< 0-d float32 parameter (published name)
};
TORCH_MODULE(GaussianWindow);

/// Validates a λ value for the layers: finite and non-zero. Throws naming `where`.
void check_lambd(double lambd, const char* where);

/// check_lambd, then registers λ as `module`'s 0-d float32 parameter "lambd" (the published
/// name), receiving gradients when `trainable`; returns it.
torch::Tensor register_lambd(torch::nn::Module& module, double lambd, bool trainable, const char* where);

}  // namespace tfgram::frontends
