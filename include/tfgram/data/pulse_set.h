#pragma once
// The synthetic Gaussian-pulse set of SPEC §2.7 (DMEL's time–frequency task), generated here.
#include <torch/arg.h>
#include <torch/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "tfgram/data/dataset.h"

namespace tfgram::data {

struct PulseSetOptions {
  /// Throws std::invalid_argument naming the offending option.
  void validate() const;

  /// Number of examples.
  TORCH_ARG(int64_t, examples) = 5000;
  /// Samples per example (N).
  TORCH_ARG(int64_t, length) = 128;
  /// Reference pulse width σ in samples.
  TORCH_ARG(double, sigma) = 6.38;
  /// Scale of the uniform noise added to every sample.
  TORCH_ARG(double, noise_std) = 0.5;
  /// Seed: the same seed always gives the same set.
  TORCH_ARG(uint64_t, seed) = 0;
  /// Nominal rate reported by sample_rate(); frequencies are in cycles per sample, so 1 keeps
  /// window lengths in samples.
  TORCH_ARG(int64_t, sample_rate) = 1;
};

/// What was drawn for one example (for checks and plots).
struct PulseParams {
  int64_t label = 0;
  double width_scale = 1.0;  ///< class 0: k (pulse width σ·k)
  double time_offset = 0.0;  ///< class 1: d (pulses at N/2 ± d)
  double freq_offset = 0.0;  ///< class 2: e (pulses at 0.25 ± e)
  double amplitude = 1.0;
};

/// Three classes of N-sample signals built from Gaussian-windowed sinusoids, each pulse
/// `g(t)·c(t)` with the Gaussian exp(−½((t−t₀)/s)²) and the carrier sin(2π f₀ t + φ) each scaled
/// to peak 1 on t = 0..N−1, then made zero-mean (φ uniform in [0, 2π) per pulse). With
/// t_max = N/5, f_max = 0.1, t_min = σ, f_min = σ/(2N), k_max = 2·t_max/(6σ) + 1:
/// - class 0 ("0_one_pulse"): one pulse at (N/2, 0.25) of width σ·k, k uniform in [1, k_max] or
///   in [1/k_max, 1] with probability ½ each;
/// - class 1 ("1_two_in_time"): pulses at times N/2 ± d, d uniform in [t_min, t_max], frequency 0.25;
/// - class 2 ("2_two_in_frequency"): pulses at frequencies 0.25 ± e, e uniform in [f_min, f_max], time N/2;
/// then × amplitude uniform in [0.5, 1], + noise_std·U[0, 1) per sample, mean removed.
/// The class of each example is uniform over the three. Randomness: one tfgram::data::Rng seeded
/// with derive_seed(seed, 0), drawn per example in the order class, class parameters (class 0:
/// coin, k; 1: d; 2: e), one phase per pulse, amplitude, then the N noise values. Signals are
/// computed in double and stored as float32.
class PulseSet : public Dataset {
 public:
  explicit PulseSet(PulseSetOptions options = {});

  std::string name() const override { return "pulses"; }
  int64_t size() const override { return options_.examples(); }
  torch::Tensor waveform(int64_t index) const override;
  int64_t label(int64_t index) const override;
  const ClipInfo& info(int64_t index) const override;
  const LabelMap& label_map() const override { return map_; }
  int64_t sample_rate() const override { return options_.sample_rate(); }

  const PulseSetOptions& options() const { return options_; }
  /// All examples as one (examples, N) float32 tensor.
  const torch::Tensor& signals() const { return signals_; }
  const PulseParams& params(int64_t index) const;

 private:
  PulseSetOptions options_;
  torch::Tensor signals_;
  std::vector<PulseParams> params_;
  std::vector<ClipInfo> infos_;
  LabelMap map_;
};

}  // namespace tfgram::data
