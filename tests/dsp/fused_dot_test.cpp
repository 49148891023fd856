// The DMEL kernel's λ-gradient dot (Σ a ⊙ b) on every layout: contiguous, both operands as
// (B, R, T) views of (B, T, R) memory, mixed layouts and a broadcast gradient, against ATen's sum
// in float64.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "dsp/gaussian_stft_cpu.h"
#include "tfgram_build_config.h"

namespace tfgram::testing {
namespace {

TEST(FusedDot, EqualsTheSumOfProductsOnEveryLayout) {
  if (!TFGRAM_HAVE_FFTW) GTEST_SKIP() << "built without FFTW: no fused CPU kernel";
  torch::manual_seed(3);
  const auto options = torch::TensorOptions().dtype(torch::kFloat64);
  // (B, T, R) memory, viewed as (B, R, T); sizes not multiples of any block or vector width.
  const auto a_memory = torch::randn({3, 37, 5}, options);
  const auto b_memory = torch::randn({3, 37, 5}, options);
  const auto a = a_memory.transpose(1, 2);
  const auto b = b_memory.transpose(1, 2);
  const double expected = (a * b).sum().item<double>();
  EXPECT_NEAR(dsp::detail::fused_cpu_dot(a, b), expected, 1e-12 * std::abs(expected) + 1e-12);
  EXPECT_NEAR(dsp::detail::fused_cpu_dot(a.contiguous(), b), expected, 1e-12 * std::abs(expected) + 1e-12);
  EXPECT_NEAR(dsp::detail::fused_cpu_dot(a, b.contiguous()), expected, 1e-12 * std::abs(expected) + 1e-12);
  EXPECT_NEAR(dsp::detail::fused_cpu_dot(a.contiguous(), b.contiguous()), expected,
              1e-12 * std::abs(expected) + 1e-12);
  // A one-value gradient broadcast over the shape (the backward of sum).
  const auto broadcast = torch::full({1, 1, 1}, 0.25, options).expand(a.sizes());
  const double scaled = 0.25 * b.sum().item<double>();
  EXPECT_NEAR(dsp::detail::fused_cpu_dot(broadcast, b), scaled, 1e-12 * std::abs(scaled) + 1e-12);
  // float32 operands, accumulated in float64.
  const auto a32 = a.to(torch::kFloat32), b32 = b.to(torch::kFloat32);
  const double expected32 = (a32.to(torch::kFloat64) * b32.to(torch::kFloat64)).sum().item<double>();
  EXPECT_NEAR(dsp::detail::fused_cpu_dot(a32, b32), expected32, 1e-12 * std::abs(expected32) + 1e-12);
}

}  // namespace
}  // namespace tfgram::testing
