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
  util::require(window_length >= 1, "gaussian_window_values", "window_length must be >= 1, got ",
                window_length);
  // A plain float64 loop, then one copy to `device`: as ATen ops on a few hundred values these were
  // some thirty dispatches, most of the DMEL kernel's fixed cost per call.
  const auto f64 = torch::TensorOptions().dtype(torch::kFloat64);
  GaussianWindowValues out;
  out.window = torch::empty({window_length}, f64);
  if (with_derivative) out.derivative = torch::empty({window_length}, f64);
  double* w = out.window.data_ptr<double>();
  double* dw = with_derivative ? out.derivative.data_ptr<double>() : nullptr;
  const double s = sigma + 1e-15;
  for (int64_t m = 0; m < window_length; ++m) {
    const double u = (static_cast<double>(m) - static_cast<double>(window_length) / 2.0) / s;
    w[m] = std::exp(-0.5 * u * u);
    if (dw != nullptr) dw[m] = w[m] * u * u / s;  // ∂w/∂σ = w·(m − L/2)²/σ³
  }
  if (normalized) {
    double ww = 0, wd = 0;
    for (int64_t m = 0; m < window_length; ++m) {
      ww += w[m] * w[m];
      if (dw != nullptr) wd += w[m] * dw[m];
    }
    const double norm = std::sqrt(ww);
    for (int64_t m = 0; m < window_length; ++m) {
      if (dw != nullptr) dw[m] = dw[m] / norm - w[m] * wd / (norm * norm * norm);
      w[m] /= norm;
    }
  }
  if (!device.is_cpu()) {
    out.window = out.window.to(device);
    if (with_derivative) out.derivative = out.derivative.to(device);
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
