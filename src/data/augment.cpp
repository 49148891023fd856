#include "tfgram/data/augment.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>

#include "tfgram/util/check.h"

namespace tfgram::data {

bool AugmentOptions::enabled() const {
  return gain_db() > 0 || max_shift() > 0 || noise_std() > 0 || !hooks().empty();
}

void AugmentOptions::validate() const {
  constexpr const char* where = "AugmentOptions";
  util::require(std::isfinite(gain_db()) && gain_db() >= 0, where, "gain_db must be >= 0, got ", gain_db());
  util::require(max_shift() >= 0, where, "max_shift must be >= 0, got ", max_shift());
  util::require(std::isfinite(noise_std()) && noise_std() >= 0, where, "noise_std must be >= 0, got ",
                noise_std());
  for (size_t i = 0; i < hooks().size(); ++i) {
    util::require(static_cast<bool>(hooks()[i]), where, "hook ", i, " is empty");
  }
}

void augment(torch::Tensor waveform, const AugmentOptions& options, Rng& rng) {
  util::require(waveform.dim() == 1 && waveform.scalar_type() == torch::kFloat32 && waveform.is_contiguous() &&
                    waveform.device().is_cpu(),
                "augment", "waveform must be a contiguous (N) float32 CPU tensor, got ", waveform.sizes(), " ",
                waveform.scalar_type());
  float* x = waveform.data_ptr<float>();
  const int64_t n = waveform.numel();
  if (options.max_shift() > 0) {
    const auto span = static_cast<uint64_t>(2 * options.max_shift() + 1);
    const int64_t shift = static_cast<int64_t>(uniform_index(rng, span)) - options.max_shift();
    // Positive shifts delay the signal; the vacated end is zero.
    if (shift >= n || -shift >= n) {
      std::fill(x, x + n, 0.0f);
    } else if (shift > 0) {
      std::copy_backward(x, x + n - shift, x + n);
      std::fill(x, x + shift, 0.0f);
    } else if (shift < 0) {
      std::copy(x - shift, x + n, x);
      std::fill(x + n + shift, x + n, 0.0f);
    }
  }
  if (options.gain_db() > 0) {
    const auto factor = static_cast<float>(std::pow(10.0, uniform(rng, -options.gain_db(), options.gain_db()) / 20.0));
    for (int64_t t = 0; t < n; ++t) x[t] *= factor;
  }
  if (options.noise_std() > 0) {
    for (int64_t t = 0; t < n; ++t) x[t] += static_cast<float>(options.noise_std() * standard_normal(rng));
  }
  for (const auto& hook : options.hooks()) hook(waveform, rng);
}

}  // namespace tfgram::data
