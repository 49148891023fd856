#include "tfgram/dsp/mel.h"

#include <cmath>

#include "tfgram/util/check.h"

namespace tfgram::dsp {

double hz_to_mel(double hz) { return 2595.0 * std::log10(1.0 + hz / 700.0); }
double mel_to_hz(double mel) { return 700.0 * (std::pow(10.0, mel / 2595.0) - 1.0); }

torch::Tensor hz_to_mel(const torch::Tensor& hz) { return 2595.0 * torch::log10(1.0 + hz / 700.0); }
torch::Tensor mel_to_hz(const torch::Tensor& mel) {
  return 700.0 * (torch::pow(10.0, mel / 2595.0) - 1.0);
}

torch::Tensor melscale_fbanks(int64_t n_freqs, double f_min, double f_max, int64_t n_mels,
                              int64_t sample_rate, torch::TensorOptions options) {
  constexpr const char* where = "melscale_fbanks";
  util::require(n_freqs >= 2, where, "n_freqs must be >= 2, got ", n_freqs);
  util::require(n_mels >= 1, where, "n_mels must be >= 1, got ", n_mels);
  util::require(sample_rate > 0, where, "sample_rate must be > 0, got ", sample_rate);
  util::require(std::isfinite(f_min) && f_min >= 0.0, where, "f_min must be finite and >= 0, got ",
                f_min);
  util::require(std::isfinite(f_max) && f_max > f_min && f_max <= sample_rate / 2.0 + 1e-9, where,
                "f_max must lie in (f_min, sample_rate/2] = (", f_min, ", ", sample_rate / 2.0,
                "], got ", f_max);

  const auto f64 = torch::TensorOptions().dtype(torch::kFloat64).device(options.device());
  // torchaudio uses integer division for the top bin frequency.
  const auto all_freqs = torch::linspace(0.0, static_cast<double>(sample_rate / 2), n_freqs, f64);
  const auto m_pts = torch::linspace(hz_to_mel(f_min), hz_to_mel(f_max), n_mels + 2, f64);
  const auto f_pts = mel_to_hz(m_pts);
  const auto f_diff = f_pts.slice(0, 1) - f_pts.slice(0, 0, -1);      // (n_mels + 1)
  const auto slopes = f_pts.unsqueeze(0) - all_freqs.unsqueeze(1);  // (n_freqs, n_mels + 2)
  const auto down = -slopes.slice(1, 0, -2) / f_diff.slice(0, 0, -1);
  const auto up = slopes.slice(1, 2) / f_diff.slice(0, 1);
  return torch::clamp_min(torch::min(down, up), 0.0).to(options);
}

}  // namespace tfgram::dsp
