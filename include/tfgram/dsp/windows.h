#pragma once
// Window functions (SPEC §2.1) and the DMEL window-length rule (SPEC §2.2).
#include <torch/types.h>

#include <cstdint>

namespace tfgram::dsp {

/// Gaussian window w(m) = exp(−½((m − L/2)/(λ + 1e−15))²), m = 0..L−1, differentiable in `lambd`
/// (a 0-d tensor; its dtype and device are the window's). `normalized` divides by ‖w‖₂.
/// Callers pass |λ| — the layers always do.
torch::Tensor gaussian_window(const torch::Tensor& lambd, int64_t window_length,
                              bool normalized = false);

/// The same window for a value σ = |λ| (no autograd), in float64 on `device`, with ∂w/∂σ when
/// `with_derivative` (of the normalized window when `normalized`): for kernels that compute λ's
/// gradient analytically. Float64 because the derivative multiplies an underflowing exp by a huge
/// (m − L/2)²/σ³ for tiny λ.
struct GaussianWindowValues {
  torch::Tensor window;      ///< (L) float64
  torch::Tensor derivative;  ///< (L) float64, undefined unless requested
};
GaussianWindowValues gaussian_window_values(double sigma, int64_t window_length, bool normalized,
                                            bool with_derivative, torch::Device device = torch::kCPU);

/// Power-of-two window length for a Gaussian of standard deviation `lambd` samples: the smallest
/// power of two >= ⌊6·|λ|⌋, and at least 2 (the reference rule gives a degenerate 1-sample window
/// for 1/6 <= λ < 1/3; we keep 2 there).
int64_t power_of_two_window_length(double lambd);

}  // namespace tfgram::dsp
