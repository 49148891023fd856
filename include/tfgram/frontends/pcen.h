#pragma once
// Learnable per-channel energy normalisation (PCEN) as LEAF defines it: an exponential moving
// average M over time, then a per-channel adaptive gain and root compression,
//   M_0 = x_0,  M_t = w·x_t + (1 − w)·M_{t−1},  w = clip(s, 0, 1)
//   y = (x / (floor + M)^min(α, 1) + δ)^(1/max(r, 1)) − δ^(1/max(r, 1))
// with α, δ, r (and s) per channel. For any non-negative (B, C, F, T) representation; the
// channels are the F rows.
#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include <cstdint>
#include <vector>

#include "tfgram/frontends/frontend.h"

namespace tfgram::config {
template <typename T>
class Fields;
}  // namespace tfgram::config

namespace tfgram::frontends {

struct PcenOptions {
  /// `channels` = F rows of the input (the enclosing front end sets it).
  explicit PcenOptions(int64_t channels = 0) : channels_(channels) {}

  TORCH_ARG(int64_t, channels);
  /// Initial gain exponent α (LEAF: 0.96).
  TORCH_ARG(double, alpha) = 0.96;
  /// Initial smoothing coefficient s of the moving average (LEAF: 0.04).
  TORCH_ARG(double, smooth_coef) = 0.04;
  /// Initial bias δ (LEAF: 2); must stay > 0.
  TORCH_ARG(double, delta) = 2.0;
  /// Initial root r (LEAF: 2; the output takes the 1/max(r, 1)-th root).
  TORCH_ARG(double, root) = 2.0;
  /// Added to M before the gain (LEAF uses 1e-12 inside its front end, 1e-6 standalone).
  TORCH_ARG(double, floor) = 1e-6;
  /// Whether α, δ and r train.
  TORCH_ARG(bool, trainable) = true;
  /// Whether s trains.
  TORCH_ARG(bool, learn_smooth_coef) = true;
  /// One s per channel (true) or one for all.
  TORCH_ARG(bool, per_channel_smooth_coef) = true;
  /// EfficientLEAF's parameterisation: the parameters hold log α, log δ, log r (and log s), so
  /// the values stay positive while they train.
  TORCH_ARG(bool, learn_logs) = false;
};

/// Its config keys (every option but channels).
const config::Fields<PcenOptions>& pcen_option_fields();

/// The PCEN of `x` (B, C, F, T) with per-row parameters `alpha`, `delta`, `root`, `smooth` (each
/// (F), already the values the formula uses: α' = min(α, 1), 1/r' with r' = max(r, 1), w in [0, 1]).
/// Differentiable in all five. Float32/float64 CPU tensors take one pass over time per row for the
/// smoother and an analytic backward (one reverse-time pass for its adjoint), with the powers and
/// logs around them as vectorised elementwise ops; other devices and dtypes take pcen_autograd.
torch::Tensor pcen(const torch::Tensor& x, const torch::Tensor& alpha, const torch::Tensor& delta,
                   const torch::Tensor& inverse_root, const torch::Tensor& smooth, double floor);
/// The same as a plain loop over frames of ATen ops with autograd through it: the portable path,
/// and the reference the fused one is tested against.
torch::Tensor pcen_autograd(const torch::Tensor& x, const torch::Tensor& alpha, const torch::Tensor& delta,
                            const torch::Tensor& inverse_root, const torch::Tensor& smooth, double floor);

/// (B, C, F, T) non-negative → (B, C, F, T). Parameters `alpha`, `delta`, `root` (F) and
/// `smooth_coef` (F, or 1 when not per channel), float32.
struct PcenImpl : torch::nn::Module, LearnedSummary {
  explicit PcenImpl(PcenOptions options);
  void reset();
  void pretty_print(std::ostream& stream) const override;
  torch::Tensor forward(const torch::Tensor& input);

  /// The values the formula uses, each (F): min(α, 1), δ, 1/max(r, 1), clip(s, 0, 1).
  torch::Tensor effective_alpha() const;
  torch::Tensor effective_delta() const;
  torch::Tensor effective_inverse_root() const;
  torch::Tensor effective_smooth() const;
  /// pcen_alpha, pcen_delta, pcen_root, pcen_smooth_coef: one value per channel.
  std::vector<LearnedValue> learned_values() const override;

  PcenOptions options;
  torch::Tensor alpha;
  torch::Tensor delta;
  torch::Tensor root;
  torch::Tensor smooth_coef;
};
TORCH_MODULE(Pcen);

}  // namespace tfgram::frontends
