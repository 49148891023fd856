// log_compression: forward and gradient against log(x + c) through autograd, on the fused CPU path
// (dense float32/float64, also in a transposed layout like SincGram's output) and the ATen one (a
// strided slice), with sizes that leave partial vectors and several parallel chunks.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "support/close.h"
#include "tfgram/dsp/log_compression.h"

namespace tfgram::testing {
namespace {

enum class Layout { kContiguous, kTransposed, kStrided };

void expect_matches_aten(const torch::Tensor& base, double offset, double rtol, Layout layout) {
  const auto run = [&](bool ours) {
    const auto x = base.clone().requires_grad_(true);
    const auto input = layout == Layout::kTransposed ? x.t() : layout == Layout::kStrided ? x.slice(0, 0, x.size(0), 2) : x;
    const auto y = ours ? dsp::log_compression(input, offset) : torch::log(input + offset);
    const auto upstream = torch::linspace(-1.0, 1.0, y.numel(), y.options()).reshape(y.sizes());
    (y * upstream).sum().backward();
    return std::make_pair(y.detach(), x.grad());
  };
  const auto [y, g] = run(true);
  const auto [y_ref, g_ref] = run(false);
  EXPECT_TRUE(all_close(y, y_ref, rtol, rtol)) << base.sizes() << " " << base.scalar_type();
  EXPECT_TRUE(all_close(g, g_ref, rtol, rtol)) << base.sizes() << " " << base.scalar_type();
}

TEST(LogCompression, MatchesLogOfInputPlusOffsetForwardAndBackward) {
  torch::manual_seed(4);
  for (const auto dtype : {torch::kFloat32, torch::kFloat64}) {
    const double rtol = dtype == torch::kFloat32 ? 1e-6 : 1e-14;
    for (const int64_t n : {1, 7, 16, 1000, 70001}) {
      expect_matches_aten(torch::rand({n}, dtype) * 100, 1e-7, rtol, Layout::kContiguous);
    }
    expect_matches_aten(torch::rand({37, 53}, dtype), 1e-10, rtol, Layout::kTransposed);
    expect_matches_aten(torch::rand({37, 53}, dtype), 1e-10, rtol, Layout::kStrided);
  }
}

TEST(LogCompression, ZeroInputWithZeroOffsetIsMinusInfinity) {
  const auto y = dsp::log_compression(torch::zeros({20}), 0.0);
  EXPECT_TRUE(torch::all(torch::isneginf(y)).item<bool>());
  EXPECT_THROW(dsp::log_compression(torch::ones({3}), -1.0), std::invalid_argument);
  EXPECT_THROW(dsp::log_compression(torch::ones({3}, torch::kInt64), 1.0), std::invalid_argument);
}

}  // namespace
}  // namespace tfgram::testing
