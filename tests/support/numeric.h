#pragma once
// Central finite differences for gradient checks (float64).
#include <torch/torch.h>

#include <functional>

namespace tfgram::testing {

/// d loss / d param by central differences, element by element (param is perturbed in place and
/// restored). `loss` must return a 0-d tensor.
inline torch::Tensor numeric_gradient(const std::function<torch::Tensor()>& loss, torch::Tensor param,
                                      double step) {
  torch::NoGradGuard no_grad;
  auto grad = torch::zeros_like(param);
  auto flat = param.view(-1);
  auto grad_flat = grad.view(-1);
  for (int64_t i = 0; i < flat.numel(); ++i) {
    const double original = flat[i].item<double>();
    flat[i].fill_(original + step);
    const double plus = loss().item<double>();
    flat[i].fill_(original - step);
    const double minus = loss().item<double>();
    flat[i].fill_(original);
    grad_flat[i].fill_((plus - minus) / (2.0 * step));
  }
  return grad;
}

}  // namespace tfgram::testing
