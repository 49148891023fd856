#include "tfgram/frontends/spectrogram_norm.h"

#include <torch/torch.h>

#include <cmath>
#include <limits>
#include <vector>

#include "tfgram/util/check.h"

namespace tfgram::frontends {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;

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
    const auto [var, mean] = torch::var_mean(x, dims, /*unbiased=*/true, /*keepdim=*/true);
    const auto sigma = torch::sqrt(var + tiny);
    auto y = (x - mean).div_(sigma + eps);
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
    const auto r = 1.0 / (sigma + ctx->saved_data["eps"].toDouble());
    const auto dims = ctx->saved_data["dims"].toIntVector();
    const auto count = static_cast<double>(ctx->saved_data["count"].toInt());
    const auto& g = grad_outputs[0];
    const auto k = (g * y).sum(dims, /*keepdim=*/true) / (sigma * (count - 1.0));
    auto dx = (g - g.mean(dims, /*keepdim=*/true)).mul_(r).sub_(y * k);
    return {dx, torch::Tensor(), torch::Tensor(), torch::Tensor()};
  }
};

}  // namespace

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
  if (!options.std_norm()) return input - input.mean(dims, /*keepdim=*/true);
  return Standardize::apply(input, dims, count, options.eps());
}

}  // namespace tfgram::frontends
