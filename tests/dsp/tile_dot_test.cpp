// The DMEL kernel's λ-gradient dot, Σ dL/dout ⊙ ∂out/∂σ with ∂out/∂σ in the kernel's tiles of 16
// frames, on the gradient layouts it meets (contiguous, a (B, R, T) view of (B, T, R) memory, a
// broadcast one-value gradient) and a frame count no multiple of the tile, against ATen's sum.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "dsp/gaussian_stft_cpu.h"
#include "tfgram_build_config.h"

namespace tfgram::testing {
namespace {

// (B, R, T) → (B, ⌈T/16⌉, R, 16), zero beyond T: the layout fused_cpu_forward writes.
torch::Tensor tiles_of(const torch::Tensor& d) {
  const int64_t frames = d.size(2), tiles = (frames + 15) / 16;
  const auto padded = torch::constant_pad_nd(d, {0, tiles * 16 - frames});
  return padded.reshape({d.size(0), d.size(1), tiles, 16}).permute({0, 2, 1, 3}).contiguous();
}

TEST(TileDot, EqualsTheSumOfProductsOnEveryGradientLayout) {
  if (!TFGRAM_HAVE_FFTW) GTEST_SKIP() << "built without FFTW: no fused CPU kernel";
  torch::manual_seed(3);
  const auto options = torch::TensorOptions().dtype(torch::kFloat64);
  const auto d = torch::randn({3, 5, 37}, options);
  const auto d_tiles = tiles_of(d);
  const auto check = [&](const torch::Tensor& g, const torch::Tensor& tiles, const char* what) {
    const auto d_as_tiles = d.to(tiles.scalar_type()).to(torch::kFloat64);
    const double expected = (g.to(torch::kFloat64) * d_as_tiles).sum().item<double>();
    EXPECT_NEAR(dsp::detail::fused_cpu_tile_dot(g, tiles), expected, 1e-12 * std::abs(expected) + 1e-12) << what;
  };
  const auto grad = torch::randn({3, 5, 37}, options);
  check(grad, d_tiles, "contiguous");
  check(torch::randn({3, 37, 5}, options).transpose(1, 2), d_tiles, "frame-major");
  check(torch::full({1, 1, 1}, 0.25, options).expand(d.sizes()), d_tiles, "broadcast");
  check(grad.to(torch::kFloat32), d_tiles.to(torch::kFloat32), "float32, accumulated in float64");
  EXPECT_THROW(dsp::detail::fused_cpu_tile_dot(grad, d), c10::Error) << "not the kernel's tiles";
}

}  // namespace
}  // namespace tfgram::testing
