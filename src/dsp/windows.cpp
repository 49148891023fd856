#include "tfgram/dsp/windows.h"

#include <cmath>
#include <limits>

#include "tfgram/util/check.h"

namespace tfgram::dsp {

torch::Tensor gaussian_window(const torch::Tensor& lambd, int64_t window_length, bool normalized) {
  util::require(window_length >= 1, "gaussian_window", "window_length must be >= 1, got ",
                window_length);
  util::require(lambd.numel() == 1, "gaussian_window", "lambd must hold one value, got ",
                lambd.numel());
  const auto m = torch::arange(window_length, lambd.options().requires_grad(false));
  const auto centred = (m - static_cast<double>(window_length) / 2.0) / (lambd.reshape({}) + 1e-15);
  auto window = torch::exp(-0.5 * centred * centred);
  if (normalized) window = window / torch::sqrt(torch::sum(window * window));
  return window;
}

GaussianWindowValues gaussian_window_values(double sigma, int64_t window_length, bool normalized,
                                            bool with_derivative, torch::Device device) {
  const auto f64 = torch::TensorOptions().dtype(torch::kFloat64).device(device);
  GaussianWindowValues out;
  out.window = gaussian_window(torch::tensor(sigma, f64), window_length, /*normalized=*/false);
  auto& w = out.window;
  auto& dw = out.derivative;
  if (with_derivative) {
    const double s = sigma + 1e-15;
    const auto u = (torch::arange(window_length, f64) - static_cast<double>(window_length) / 2.0) / s;
    dw = w * u * u / s;  // ∂w/∂σ = w·(m − L/2)²/σ³
  }
  if (normalized) {
    const auto norm = torch::sqrt((w * w).sum());
    if (with_derivative) dw = dw / norm - w * (w * dw).sum() / (norm * norm * norm);
    w = w / norm;
  }
  return out;
}

int64_t power_of_two_window_length(double lambd) {
  const double six = 6.0 * std::abs(lambd);
  util::require(std::isfinite(six) && six < static_cast<double>(int64_t{1} << 40),
                "power_of_two_window_length", "lambd must be finite and < 2^40/6, got ", lambd);
  const auto floor_six = static_cast<int64_t>(std::floor(six));
  int64_t length = 2;
  while (length < floor_six) length <<= 1;
  return length;
}

}  // namespace tfgram::dsp
