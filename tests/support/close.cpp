#include "support/close.h"

#include <algorithm>
#include <sstream>

namespace tfgram::testing {

::testing::AssertionResult all_close(const torch::Tensor& actual_in, const torch::Tensor& expected_in,
                                     double rtol, double atol) {
  if (actual_in.sizes() != expected_in.sizes()) {
    return ::testing::AssertionFailure()
           << "shape " << actual_in.sizes() << " != expected " << expected_in.sizes();
  }
  const auto actual = actual_in.detach().to(torch::kCPU, torch::kFloat64);
  const auto expected = expected_in.detach().to(torch::kCPU, torch::kFloat64);
  const auto error = (actual - expected).abs();
  const auto bound = atol + rtol * expected.abs();
  const auto bad = (error > bound).logical_or(actual.isnan() != expected.isnan());
  const int64_t n_bad = bad.sum().item<int64_t>();
  if (n_bad == 0) return ::testing::AssertionSuccess();
  const auto worst = (error - bound).reshape(-1).argmax().item<int64_t>();
  std::ostringstream out;
  out << n_bad << " of " << actual.numel() << " elements out of tolerance (rtol " << rtol
      << ", atol " << atol << "); worst at flat index " << worst << ": "
      << actual.reshape(-1)[worst].item<double>() << " vs expected "
      << expected.reshape(-1)[worst].item<double>();
  return ::testing::AssertionFailure() << out.str();
}

::testing::AssertionResult close_scaled(const torch::Tensor& actual, const torch::Tensor& expected, double rtol,
                                        double atol_scale) {
  const double scale = expected.numel() == 0 ? 0.0 : expected.detach().abs().max().item<double>();
  return all_close(actual, expected, rtol, atol_scale * scale);
}

::testing::AssertionResult close_f32(const torch::Tensor& actual, const torch::Tensor& expected) {
  const double scale = std::max(1.0, expected.detach().abs().max().item<double>());
  return all_close(actual, expected, 1e-4, 1e-5 * scale);
}

::testing::AssertionResult close_f64(const torch::Tensor& actual, const torch::Tensor& expected) {
  const double scale = expected.detach().abs().max().item<double>();
  return all_close(actual, expected, 1e-6, 1e-12 * scale);
}

::testing::AssertionResult close_f64_gradient(const torch::Tensor& actual, const torch::Tensor& expected) {
  const double scale = expected.detach().abs().max().item<double>();
  return all_close(actual, expected, 1e-6, 1e-6 * scale);
}

bool all_finite(const torch::Tensor& t) { return torch::isfinite(t.detach()).all().item<bool>(); }

}  // namespace tfgram::testing
