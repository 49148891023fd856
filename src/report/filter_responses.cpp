#include "tfgram/report/filter_responses.h"

#include <torch/torch.h>

#include <cmath>
#include <string>

#include "tfgram/frontends/sincgram.h"

namespace tfgram::report {

std::vector<Series> sincgram_responses(const frontends::SincGramImpl& sincgram) {
  torch::NoGradGuard no_grad;
  // filter_matrix() is non-const only because it refreshes a cache; it leaves the parameters alone.
  const auto matrix = const_cast<frontends::SincGramImpl&>(sincgram)
                          .filter_matrix()
                          .detach()
                          .to(torch::kCPU, torch::kFloat64)
                          .contiguous();  // (K, F)
  const auto centres = sincgram.center_hz().to(torch::kCPU, torch::kFloat64).contiguous();
  const int64_t bins = matrix.size(0);
  const int64_t filters = matrix.size(1);
  // The layer's frequency axis: K bins spread evenly over [0, sample_rate/2] (x = -1 … 1).
  const double nyquist = static_cast<double>(sincgram.options.sample_rate()) / 2.0;
  std::vector<double> hz(static_cast<size_t>(bins));
  for (int64_t k = 0; k < bins; ++k) hz[static_cast<size_t>(k)] = nyquist * static_cast<double>(k) / static_cast<double>(bins - 1);

  const auto gain = matrix.accessor<double, 2>();
  const auto centre = centres.accessor<double, 1>();
  std::vector<Series> series(static_cast<size_t>(filters));
  for (int64_t f = 0; f < filters; ++f) {
    auto& s = series[static_cast<size_t>(f)];
    s.name = std::to_string(f) + ": " + std::to_string(static_cast<long long>(std::lround(centre[f]))) + " Hz";
    s.x = hz;
    s.y.resize(static_cast<size_t>(bins));
    for (int64_t k = 0; k < bins; ++k) s.y[static_cast<size_t>(k)] = gain[k][f];
  }
  return series;
}

}  // namespace tfgram::report
