#pragma once
// On-the-fly augmentation of training examples: random gain, time shift, additive noise and user
// hooks. Everything is off by default.
#include <torch/arg.h>
#include <torch/types.h>

#include <cstdint>
#include <functional>
#include <vector>

#include "tfgram/data/random.h"

namespace tfgram::data {

/// A user augmentation: edits the (N) float32 `waveform` in place, drawing from `rng` only, so
/// results follow the loader's seed. Runs on loader worker threads: it must be thread-safe.
using AugmentHook = std::function<void(torch::Tensor waveform, Rng& rng)>;

struct AugmentOptions {
  /// Whether any augmentation is switched on.
  bool enabled() const;
  /// Throws std::invalid_argument naming the offending option.
  void validate() const;

  /// Random gain, uniform in [−gain_db, +gain_db] decibels; 0 disables.
  TORCH_ARG(double, gain_db) = 0.0;
  /// Random time shift, uniform in [−max_shift, +max_shift] samples; vacated samples become 0
  /// (not circular); 0 disables.
  TORCH_ARG(int64_t, max_shift) = 0;
  /// Additive Gaussian noise with this standard deviation; 0 disables.
  TORCH_ARG(double, noise_std) = 0.0;
  /// Hooks run after the built-in steps, in order.
  TORCH_ARG(std::vector<AugmentHook>, hooks) = {};
};

/// Applies `options` to the contiguous (N) float32 `waveform` in place: shift, gain, noise, then
/// hooks, each drawing from `rng` (a step that is off draws nothing).
void augment(torch::Tensor waveform, const AugmentOptions& options, Rng& rng);

}  // namespace tfgram::data
