#include "tfgram/frontends/spectrogram_norm.h"

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <cmath>
#include <limits>
#include <vector>

#include "tfgram/config/fields.h"
#include "tfgram/util/check.h"
#include "util/fused_cpu.h"

namespace tfgram::frontends {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;

// The per-frequency statistics (over C and T for each (b, f), the default) on CPU float32/float64
// as explicit loops (util/fused_cpu.h): examples spread over the threads, memory walked in order,
// sums in double. ATen's reductions over the strided T axis of SincGram's layout cost more than
// the arithmetic.
bool per_frequency_fused(const torch::Tensor& x, const std::vector<int64_t>& dims) {
  return util::detail::fused_cpu_supports(x) && dims == std::vector<int64_t>{1, 3};
}

// y = (x − mean)/(σ + eps), σ = sqrt(var + tiny) per (b, f); fills y and sigma (B, 1, F, 1).
template <typename Real>
void standardize_forward(const torch::Tensor& x, double eps, double tiny, torch::Tensor& y, torch::Tensor& sigma) {
  const int64_t rows = x.size(2);
  const double count = static_cast<double>(x.size(1) * x.size(3));
  const util::detail::Strided4<Real> xs(x), ys(y);
  Real* sig = sigma.data_ptr<Real>();
  at::parallel_for(0, x.size(0), 1, [&](int64_t first, int64_t last) {
    std::vector<double> mean(rows), sq(rows);
    std::vector<Real> scale(rows), centre(rows);
    for (int64_t b = first; b < last; ++b) {
      std::fill(mean.begin(), mean.end(), 0.0);
      std::fill(sq.begin(), sq.end(), 0.0);
      util::detail::for_each_in_example(x, [&](int64_t c, int64_t f, int64_t t) { mean[f] += xs(b, c, f, t); });
      for (int64_t f = 0; f < rows; ++f) mean[f] /= count;
      util::detail::for_each_in_example(x, [&](int64_t c, int64_t f, int64_t t) {
        const double d = xs(b, c, f, t) - mean[f];
        sq[f] += d * d;
      });
      for (int64_t f = 0; f < rows; ++f) {
        const Real sd = static_cast<Real>(std::sqrt(static_cast<Real>(sq[f] / (count - 1.0)) + static_cast<Real>(tiny)));
        sig[b * rows + f] = sd;
        scale[f] = Real(1) / (sd + static_cast<Real>(eps));
        centre[f] = static_cast<Real>(mean[f]);
      }
      util::detail::for_each_in_example(x, [&](int64_t c, int64_t f, int64_t t) {
        ys(b, c, f, t) = (xs(b, c, f, t) - centre[f]) * scale[f];
      });
    }
  });
}

// dx = r·(g − mean(g)) − Σ(g·y)/(σ·(N − 1))·y per (b, f), r = 1/(σ + eps).
template <typename Real>
void standardize_backward(const torch::Tensor& y, const torch::Tensor& sigma, const torch::Tensor& g, double eps,
                          torch::Tensor& dx) {
  const int64_t rows = y.size(2);
  const double count = static_cast<double>(y.size(1) * y.size(3));
  const util::detail::Strided4<Real> ys(y), gs(g), dxs(dx);
  const Real* sig = sigma.data_ptr<Real>();
  at::parallel_for(0, y.size(0), 1, [&](int64_t first, int64_t last) {
    std::vector<double> sum_g(rows), sum_gy(rows);
    std::vector<Real> r(rows), mean_g(rows), k(rows);
    for (int64_t b = first; b < last; ++b) {
      std::fill(sum_g.begin(), sum_g.end(), 0.0);
      std::fill(sum_gy.begin(), sum_gy.end(), 0.0);
      util::detail::for_each_in_example(y, [&](int64_t c, int64_t f, int64_t t) {
        const double gv = gs(b, c, f, t);
        sum_g[f] += gv;
        sum_gy[f] += gv * ys(b, c, f, t);
      });
      for (int64_t f = 0; f < rows; ++f) {
        const double sd = sig[b * rows + f];
        r[f] = static_cast<Real>(1.0 / (sd + eps));
        mean_g[f] = static_cast<Real>(sum_g[f] / count);
        k[f] = static_cast<Real>(sum_gy[f] / (sd * (count - 1.0)));
      }
      util::detail::for_each_in_example(y, [&](int64_t c, int64_t f, int64_t t) {
        dxs(b, c, f, t) = (gs(b, c, f, t) - mean_g[f]) * r[f] - k[f] * ys(b, c, f, t);
      });
    }
  });
}

// (x − mean) / (σ + eps) with σ = sqrt(var + tiny), var unbiased over `dims`, as one autograd node.
// sqrt(var + tiny) rather than std(): std's backward is 0/0 = NaN on a constant row (silence), and
// the smallest normal number leaves every non-degenerate value unchanged. Autograd of the composed
// formula makes ~15 passes over the representation; with y = output, r = 1/(σ + eps), N = count,
//   dL/dx = r·(g − mean(g)) − Σ(g·y) / (σ·(N − 1)) · y        (sums and means over `dims`)
// needs three, and saves only y and σ. First-order only.
struct Standardize : torch::autograd::Function<Standardize> {
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& x,
                               std::vector<int64_t> dims, int64_t count, double eps) {
    const double tiny = x.scalar_type() == torch::kFloat64 ? std::numeric_limits<double>::min()
                                                           : std::numeric_limits<float>::min();
    torch::Tensor y;
    torch::Tensor sigma;
    if (per_frequency_fused(x, dims)) {
      y = torch::empty_like(x);  // x's memory order
      sigma = torch::empty({x.size(0), 1, x.size(2), 1}, x.options());
      if (x.scalar_type() == torch::kFloat64) {
        standardize_forward<double>(x, eps, tiny, y, sigma);
      } else {
        standardize_forward<float>(x, eps, tiny, y, sigma);
      }
    } else {
      const auto [var, mean] = torch::var_mean(x, dims, /*unbiased=*/true, /*keepdim=*/true);
      sigma = torch::sqrt(var + tiny);
      y = (x - mean).div_(sigma + eps);
    }
    ctx->save_for_backward({y, sigma});
    ctx->saved_data["eps"] = eps;
    ctx->saved_data["dims"] = dims;
    ctx->saved_data["count"] = count;
    return y;
  }

  static tensor_list backward(AutogradContext* ctx, tensor_list grad_outputs) {
    const auto saved = ctx->get_saved_variables();
    const auto& y = saved[0];
    const auto& sigma = saved[1];
    const double eps = ctx->saved_data["eps"].toDouble();
    const auto dims = ctx->saved_data["dims"].toIntVector();
    const auto& g = grad_outputs[0];
    if (per_frequency_fused(y, dims)) {
      auto dx = torch::empty_like(y);
      if (y.scalar_type() == torch::kFloat64) {
        standardize_backward<double>(y, sigma, g, eps, dx);
      } else {
        standardize_backward<float>(y, sigma, g, eps, dx);
      }
      return {dx, torch::Tensor(), torch::Tensor(), torch::Tensor()};
    }
    const auto r = 1.0 / (sigma + eps);
    const auto count = static_cast<double>(ctx->saved_data["count"].toInt());
    const auto k = (g * y).sum(dims, /*keepdim=*/true) / (sigma * (count - 1.0));
    auto dx = (g - g.mean(dims, /*keepdim=*/true)).mul_(r).sub_(y * k);
    return {dx, torch::Tensor(), torch::Tensor(), torch::Tensor()};
  }
};

}  // namespace

const config::Fields<SpectrogramNormOptions>& spectrogram_norm_option_fields() {
  using O = SpectrogramNormOptions;
  static const auto fields = config::Fields<O>()
                                 .add("std_norm", [](O& o) -> auto& { return o.std_norm(); })
                                 .add("freq_norm", [](O& o) -> auto& { return o.freq_norm(); })
                                 .add("eps", [](O& o) -> auto& { return o.eps(); });
  return fields;
}

SpectrogramNormImpl::SpectrogramNormImpl(SpectrogramNormOptions options_)
    : options(std::move(options_)) {
  reset();
}

void SpectrogramNormImpl::reset() {
  util::require_option(std::isfinite(options.eps()) && options.eps() >= 0, "SpectrogramNorm", "eps",
                       "must be finite and >= 0, got ", options.eps());
}

void SpectrogramNormImpl::pretty_print(std::ostream& stream) const {
  stream << "tfgram::SpectrogramNorm(std_norm=" << (options.std_norm() ? "true" : "false")
         << ", freq_norm=" << (options.freq_norm() ? "true" : "false") << ", eps=" << options.eps()
         << ")";
}

torch::Tensor spectrogram_norm(const torch::Tensor& input, const SpectrogramNormOptions& options) {
  util::require(input.dim() == 4, "SpectrogramNorm", "input must be (B, C, F, T), got rank ",
                input.dim());
  const std::vector<int64_t> dims =
      options.freq_norm() ? std::vector<int64_t>{1, 3} : std::vector<int64_t>{1, 2, 3};
  const int64_t count = options.freq_norm() ? input.size(1) * input.size(3)
                                            : input.size(1) * input.size(2) * input.size(3);
  util::require(!options.std_norm() || count >= 2, "SpectrogramNorm",
                "the unbiased standard deviation needs at least 2 values per statistic, got ",
                count);
  if (!options.std_norm()) return input - input.mean(dims, /*keepdim=*/true);
  return Standardize::apply(input, dims, count, options.eps());
}

torch::Tensor SpectrogramNormImpl::forward(const torch::Tensor& input) { return spectrogram_norm(input, options); }

}  // namespace tfgram::frontends
