#include "tfgram/frontends/spectrogram_norm.h"

#include <torch/torch.h>

#include <cmath>
#include <limits>

#include "tfgram/util/check.h"

namespace tfgram::frontends {

SpectrogramNormImpl::SpectrogramNormImpl(SpectrogramNormOptions options_)
    : options(std::move(options_)) {
  reset();
}

void SpectrogramNormImpl::reset() {
  util::require(std::isfinite(options.eps()) && options.eps() >= 0, "SpectrogramNorm",
                "eps must be finite and >= 0, got ", options.eps());
}

void SpectrogramNormImpl::pretty_print(std::ostream& stream) const {
  stream << "tfgram::SpectrogramNorm(std_norm=" << (options.std_norm() ? "true" : "false")
         << ", freq_norm=" << (options.freq_norm() ? "true" : "false") << ", eps=" << options.eps()
         << ")";
}

torch::Tensor SpectrogramNormImpl::forward(const torch::Tensor& input) {
  util::require(input.dim() == 4, "SpectrogramNorm", "input must be (B, C, F, T), got rank ",
                input.dim());
  const std::vector<int64_t> dims =
      options.freq_norm() ? std::vector<int64_t>{1, 3} : std::vector<int64_t>{1, 2, 3};
  const int64_t count = options.freq_norm() ? input.size(1) * input.size(3)
                                            : input.size(1) * input.size(2) * input.size(3);
  util::require(!options.std_norm() || count >= 2, "SpectrogramNorm",
                "the unbiased standard deviation needs at least 2 values per statistic, got ",
                count);
  const auto centred = input - input.mean(dims, /*keepdim=*/true);
  if (!options.std_norm()) return centred;
  // sqrt(var + tiny) rather than std(): std's backward is 0/0 = NaN on a constant row (silence),
  // and the smallest normal number leaves every non-degenerate value unchanged.
  const double tiny = input.scalar_type() == torch::kFloat64 ? std::numeric_limits<double>::min()
                                                             : std::numeric_limits<float>::min();
  const auto std = torch::sqrt(torch::var(input, dims, /*unbiased=*/true, /*keepdim=*/true) + tiny);
  return centred / (std + options.eps());
}

}  // namespace tfgram::frontends
