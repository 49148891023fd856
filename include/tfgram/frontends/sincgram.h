#pragma once
// SincGram: a learnable Butterworth band-pass filterbank over a linear spectrogram (SPEC §1.2).
#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tfgram/frontends/constrained.h"
#include "tfgram/frontends/frontend.h"

namespace tfgram::config {
template <typename T>
class Fields;
}  // namespace tfgram::config

namespace tfgram::frontends {

/// How centres and bandwidths start.
enum class SincGramInit {
  kMel,     ///< mel-spaced centres, bandwidth = distance between the two neighbours
  kRandom,  ///< standard normal in weight space
};
SincGramInit parse_sincgram_init(const std::string& name);
const char* to_string(SincGramInit init);

/// What keeps centres and bandwidths meaningful while they train (constrain_parameters()).
enum class SincGramConstraint {
  kProject,  ///< after each step: centres clamped to [0, sample_rate/2], bandwidths to >= the floor
  kNone,     ///< the published, unconstrained behaviour (out-of-range filters are only reported)
};
SincGramConstraint parse_sincgram_constraint(const std::string& name);
const char* to_string(SincGramConstraint constraint);

struct SincGramOptions {
  /// `n_freqs` is K, the number of linear-frequency bins of the input (n_fft/2 + 1).
  SincGramOptions(int64_t n_freqs, int64_t sample_rate) : n_freqs_(n_freqs), sample_rate_(sample_rate) {}

  /// Linear-frequency bins K of the input spectrogram (published: num_spectrogram_bins).
  TORCH_ARG(int64_t, n_freqs);
  /// Sample rate in Hz.
  TORCH_ARG(int64_t, sample_rate);
  /// Number of band-pass filters F.
  TORCH_ARG(int64_t, filters) = 64;
  /// Butterworth order n (the response uses the even exponent 2n).
  TORCH_ARG(int64_t, order) = 4;
  /// Initialiser of centres and bandwidths.
  TORCH_ARG(SincGramInit, init) = SincGramInit::kMel;
  /// Lowest edge of the mel initialisation in Hz (published: lower_edge_hertz).
  TORCH_ARG(double, f_min) = 0.0;
  /// Highest edge of the mel initialisation in Hz; unset = sample_rate/2.
  TORCH_ARG(std::optional<double>, f_max) = std::nullopt;
  /// Added to the bandwidth β in the response's denominator.
  TORCH_ARG(double, eps) = 1e-7;
  /// How constrain_parameters() treats centres that leave the band and bandwidths that collapse.
  TORCH_ARG(SincGramConstraint, constraint) = SincGramConstraint::kProject;
  /// Narrowest bandwidth in Hz that still means a filter; unset = one bin spacing,
  /// (sample_rate/2)/(n_freqs − 1): a filter that wide always passes one bin at >= −3 dB.
  TORCH_ARG(std::optional<double>, min_bandwidth_hz) = std::nullopt;
};

/// Its config keys (every option but n_freqs and sample_rate, which the enclosing layer sets).
const config::Fields<SincGramOptions>& sincgram_option_fields();

/// The (K, F) Butterworth filter matrix of SPEC §1.2 from weight-space parameters (1, F):
/// W_kf = 1/sqrt(1 + y^(2·order)), y = (x_k − c_f)/(β(b_f) + eps), x = linspace(−1, 1, K).
/// Differentiable in both parameters (a backward evaluated in logs, NaN-free for narrow bands);
/// in their dtype and on their device. `n_freqs` sets the bandwidth scale μ = 0.25 − 2/n_freqs;
/// `grid_bins` > 0 evaluates the same filters on a grid of that many bins instead (a spectrogram
/// whose bin count changed, e.g. DMEL's power-of-two window after λ moved).
torch::Tensor sincgram_filter_matrix(const torch::Tensor& freq_centers, const torch::Tensor& bands,
                                     int64_t n_freqs, int64_t order, double eps, int64_t grid_bins = 0);
/// S'[b,c,f,t] = Σ_k W_kf S[b,c,k,t] for a (B, C, K, T) spectrogram and a (K, F) matrix (cast to
/// the spectrogram's dtype), as one GEMM.
torch::Tensor apply_filter_matrix(const torch::Tensor& spectrogram, const torch::Tensor& weights);

/// (B, C, K, T) power spectrogram → (B, C, F, T). Parameters `freq_centers` and `bands`, shape
/// (1, F), float64, in the normalised weight space of SPEC §1.2 (published names).
///
/// With an optimiser, call constrain_parameters() after each step (the trainer does): Adam moves
/// every parameter by about its learning rate per step, so a large rate can push a centre out of
/// the band or a bandwidth through zero, where the filter dies or becomes a spike.
struct SincGramImpl : torch::nn::Module, RangeConstrained, LearnedSummary {
  explicit SincGramImpl(SincGramOptions options);
  void reset();
  /// Re-draws the parameters from the configured initialiser (seeded by torch::manual_seed).
  void reset_parameters();
  void pretty_print(std::ostream& stream) const override;
  torch::Tensor forward(const torch::Tensor& spectrogram);

  /// The (K, F) float64 filter matrix W_kf = 1/sqrt(1 + y^(2n)); differentiable in the parameters.
  /// Cached while the parameters are unchanged and no gradient is being recorded.
  torch::Tensor filter_matrix();
  /// The same filters evaluated on a grid of `bins` linear-frequency bins over [0, sr/2] (no cache
  /// unless bins = n_freqs): for inputs whose bin count differs from n_freqs.
  torch::Tensor filter_matrix(int64_t bins);
  /// Centre frequencies in Hz, shape (F), detached.
  torch::Tensor center_hz() const;
  /// Bandwidths in Hz, shape (F), detached: |β|·sr/2, the half-power width of the response (which
  /// depends on β only through |β + eps|), so an unconstrained β that crossed zero is reported as
  /// the width it acts with, never as a negative number.
  torch::Tensor bandwidth_hz() const;
  /// The floor of the bandwidth in Hz (min_bandwidth_hz or one bin spacing).
  double min_bandwidth_hz() const;

  /// kProject: clamps centres to [0, sr/2] and bandwidths to >= min_bandwidth_hz(). kNone:
  /// changes nothing. Either way, returns each filter that was out of range.
  std::vector<RangeEvent> constrain_parameters() override;
  /// center_hz and bandwidth_hz, one value per filter.
  std::vector<LearnedValue> learned_values() const override;

  /// Weight-space ⇄ Hz conversions of this layer (they depend on K and the sample rate).
  torch::Tensor beta_from_weight(const torch::Tensor& bands_w) const;
  std::pair<torch::Tensor, torch::Tensor> hz_to_weights(const torch::Tensor& centers_hz,
                                                        const torch::Tensor& bands_hz) const;

  SincGramOptions options;
  torch::Tensor freq_centers;  ///< (1, F) float64
  torch::Tensor bands;         ///< (1, F) float64

 private:
  torch::Tensor cached_matrix_;
  // The parameter values the cached matrix was built from. Compared by value: version counters
  // miss updates made through `.data()` (LibTorch's SGD step) and device/dtype moves.
  torch::Tensor cached_centers_;
  torch::Tensor cached_bands_;
};
TORCH_MODULE(SincGram);

}  // namespace tfgram::frontends
