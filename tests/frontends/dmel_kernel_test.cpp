// The custom DMEL kernel (analytic λ- and input-gradients, no stored complex spectra) against
// plain autograd through torch::stft, in float64 — both its fused CPU path (FFTW) and its portable
// ATen path (the one CUDA takes), which must also agree with each other in float32.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <limits>
#include <optional>

#include "dsp/force_generic_kernel.h"
#include "support/close.h"
#include "tfgram/tfgram.h"

namespace tfgram::testing {
namespace {
using dsp::WindowMode;

struct Case {
  WindowMode mode;
  double lambd;
  int64_t n;
  int64_t hop;
  bool normalize;
};

void expect_kernel_equals_autograd(const Case& c, bool with_filterbank, bool generic) {
  torch::manual_seed(17);
  const auto options = torch::TensorOptions().dtype(torch::kFloat64);
  const auto x_base = torch::randn({3, c.n}, options);
  const auto shape = dsp::gaussian_spectrogram_shape(c.n, c.lambd, c.mode, c.hop);
  const auto fb = dsp::melscale_fbanks(shape.n_freqs, 0.0, 4000.0, 12, 8000, options);
  const int64_t rows = with_filterbank ? 12 : shape.n_freqs;
  const auto upstream = torch::randn({3, rows, shape.n_frames}, options);

  const auto run = [&](bool kernel) {
    const auto x = x_base.clone().requires_grad_(true);
    const auto lambd = torch::tensor(c.lambd, options).requires_grad_(true);
    torch::Tensor out;
    std::optional<dsp::detail::ForceGenericKernel> force;
    if (generic) force.emplace();
    if (kernel) {
      out = with_filterbank
                ? dsp::gaussian_filterbank_spectrogram(x, lambd, fb, c.mode, c.hop, c.normalize)
                : dsp::gaussian_power_spectrogram(x, lambd, c.mode, c.hop, c.normalize);
    } else {
      out = dsp::gaussian_power_spectrogram_autograd(x, lambd, c.mode, c.hop, c.normalize);
      if (with_filterbank) out = torch::matmul(fb.t(), out);
    }
    (out * upstream).sum().backward();
    return std::make_tuple(out.detach(), lambd.grad(), x.grad());
  };
  const auto [out_k, dl_k, dx_k] = run(true);
  const auto [out_a, dl_a, dx_a] = run(false);
  const std::string what = std::string(dsp::to_string(c.mode)) + " lambda " + std::to_string(c.lambd) +
                           (c.normalize ? " normalized" : "") + (with_filterbank ? " mel" : "") +
                           (generic ? " (ATen path)" : " (fused path)");
  // FFTW against ATen's FFT: different summation orders, so the absolute part scales with the data.
  EXPECT_TRUE(close_scaled(out_k, out_a, 1e-10, 1e-12)) << what;
  EXPECT_TRUE(close_scaled(dl_k, dl_a, 1e-9, 1e-12)) << what;
  EXPECT_TRUE(close_scaled(dx_k, dx_a, 1e-9, 1e-12)) << what;
}

TEST(DMelKernel, AnalyticGradientsEqualAutogradFullMode) {
  for (const double lambd : {0.5, 6.38, 40.0}) {
    for (const bool fbank : {false, true}) {
      for (const bool generic : {false, true}) {
        expect_kernel_equals_autograd({WindowMode::kFull, lambd, 96, 1, false}, fbank, generic);
      }
    }
  }
  for (const bool generic : {false, true}) {
    expect_kernel_equals_autograd({WindowMode::kFull, 6.38, 64, 3, true}, false, generic);
    expect_kernel_equals_autograd({WindowMode::kFull, 2.0, 15, 4, false}, true, generic);  // odd N
  }
}

TEST(DMelKernel, AnalyticGradientsEqualAutogradPowerOfTwoMode) {
  for (const double lambd : {3.0, 46.667, 200.0}) {
    for (const bool fbank : {false, true}) {
      for (const bool generic : {false, true}) {
        expect_kernel_equals_autograd({WindowMode::kPowerOfTwo, lambd, 2000, 80, false}, fbank, generic);
      }
    }
  }
  for (const bool generic : {false, true}) {
    expect_kernel_equals_autograd({WindowMode::kPowerOfTwo, 46.667, 1000, 50, true}, true, generic);
    // Signal shorter than the window: every frame reaches into the zero padding on both sides.
    expect_kernel_equals_autograd({WindowMode::kPowerOfTwo, 46.667, 100, 7, false}, true, generic);
    expect_kernel_equals_autograd({WindowMode::kPowerOfTwo, 0.2, 37, 1, false}, false, generic);  // n_fft 2
  }
}

TEST(DMelKernel, NegativeLambdaUsesItsMagnitude) {
  const auto x = torch::randn({2, 500}, torch::kFloat64);
  const auto pos = torch::tensor(20.0, torch::kFloat64).requires_grad_(true);
  const auto neg = torch::tensor(-20.0, torch::kFloat64).requires_grad_(true);
  const auto a = dsp::gaussian_power_spectrogram(x, pos, WindowMode::kPowerOfTwo, 25);
  const auto b = dsp::gaussian_power_spectrogram(x, neg, WindowMode::kPowerOfTwo, 25);
  EXPECT_TRUE(torch::allclose(a, b));
  a.sum().backward();
  b.sum().backward();
  EXPECT_NEAR(pos.grad().item<double>(), -neg.grad().item<double>(), 1e-9 * std::abs(pos.grad().item<double>()));
}

TEST(DMelKernel, ManyChunksGiveTheSameResultAsOne) {
  // A batch large enough to be split over threads and chunks equals the examples run one by one.
  const auto x = torch::randn({17, 4000});
  const auto lambd = torch::tensor(46.667f);
  const auto all = dsp::gaussian_power_spectrogram(x, lambd, WindowMode::kPowerOfTwo, 80);
  for (int64_t i = 0; i < 17; i += 4) {
    EXPECT_TRUE(all_close(all[i], dsp::gaussian_power_spectrogram(x[i], lambd, WindowMode::kPowerOfTwo, 80),
                          1e-5, 1e-4))
        << "example " << i;
  }
}

struct PathResult {
  torch::Tensor out, d_lambd, d_x;
};

PathResult run_path(bool generic, const torch::Tensor& x_base, double lambd_value, const torch::Tensor& fb,
                    const torch::Tensor& upstream, bool x_grad, bool lambd_grad) {
  std::optional<dsp::detail::ForceGenericKernel> force;
  if (generic) force.emplace();
  const auto x = x_base.clone().requires_grad_(x_grad);
  const auto lambd = torch::tensor(lambd_value, x_base.options()).requires_grad_(lambd_grad);
  const auto out = dsp::gaussian_filterbank_spectrogram(x, lambd, fb, WindowMode::kPowerOfTwo, 80);
  (out * upstream).sum().backward();
  return {out.detach(), lambd.grad(), x.grad()};
}

TEST(DMelKernel, FusedAndPortablePathsAgreeInFloat32) {
  // The benchmark's shapes at each of its windows (fewer examples), in the training dtype.
  torch::manual_seed(3);
  const auto x = torch::randn({5, 40000});
  for (const double lambd : {13.333, 46.667, 400.0}) {
    const auto shape = dsp::gaussian_spectrogram_shape(40000, lambd, WindowMode::kPowerOfTwo, 80);
    const auto fb = dsp::melscale_fbanks(shape.n_freqs, 0.0, 4000.0, 64, 8000);
    const auto upstream = torch::randn({5, 64, shape.n_frames});
    const auto fused = run_path(false, x, lambd, fb, upstream, true, true);
    const auto portable = run_path(true, x, lambd, fb, upstream, true, true);
    const std::string what = "lambda " + std::to_string(lambd);
    EXPECT_TRUE(all_close(fused.out, portable.out, 1e-4, 1e-4)) << what;
    EXPECT_TRUE(all_close(fused.d_lambd, portable.d_lambd, 1e-3, 0)) << what;
    EXPECT_TRUE(all_close(fused.d_x, portable.d_x, 1e-3, 1e-3 * portable.d_x.abs().max().item<double>()))
        << what;
  }
}

TEST(DMelKernel, EachGradientOnlyWhenAsked) {
  torch::manual_seed(5);
  const auto x = torch::randn({2, 3000}, torch::kFloat64);
  const auto fb = dsp::melscale_fbanks(257, 0.0, 4000.0, 16, 8000, torch::kFloat64);
  const auto upstream = torch::randn({2, 16, 38}, torch::kFloat64);
  const auto both = run_path(false, x, 46.667, fb, upstream, true, true);
  const auto lambd_only = run_path(false, x, 46.667, fb, upstream, false, true);
  const auto x_only = run_path(false, x, 46.667, fb, upstream, true, false);
  EXPECT_FALSE(lambd_only.d_x.defined());
  EXPECT_FALSE(x_only.d_lambd.defined());
  EXPECT_TRUE(all_close(lambd_only.d_lambd, both.d_lambd, 1e-12, 0));
  EXPECT_TRUE(all_close(x_only.d_x, both.d_x, 1e-12, 1e-14));
  EXPECT_TRUE(all_close(x_only.out, both.out, 1e-12, 0));
}

TEST(DMelKernel, FusedLogEqualsLogOfTheOutput) {
  torch::manual_seed(9);
  const auto options = torch::TensorOptions().dtype(torch::kFloat64);
  const auto x_base = torch::randn({3, 2000}, options);
  const auto fb = dsp::melscale_fbanks(257, 0.0, 4000.0, 16, 8000, options);
  const auto upstream = torch::randn({3, 16, 26}, options);
  for (const bool generic : {false, true}) {
    std::optional<dsp::detail::ForceGenericKernel> force;
    if (generic) force.emplace();
    const auto run = [&](bool fused_log) {
      const auto x = x_base.clone().requires_grad_(true);
      const auto lambd = torch::tensor(46.667, options).requires_grad_(true);
      const auto out = fused_log ? dsp::gaussian_filterbank_spectrogram(x, lambd, fb, WindowMode::kPowerOfTwo, 80,
                                                                        false, 1e-3)
                                 : torch::log(dsp::gaussian_filterbank_spectrogram(x, lambd, fb,
                                                                                   WindowMode::kPowerOfTwo, 80) +
                                              1e-3);
      (out * upstream).sum().backward();
      return std::make_tuple(out.detach(), lambd.grad(), x.grad());
    };
    const auto [out_f, dl_f, dx_f] = run(true);
    const auto [out_r, dl_r, dx_r] = run(false);
    EXPECT_TRUE(all_close(out_f, out_r, 1e-12, 1e-12)) << (generic ? "ATen path" : "fused path");
    EXPECT_TRUE(all_close(dl_f, dl_r, 1e-10, 0)) << (generic ? "ATen path" : "fused path");
    EXPECT_TRUE(all_close(dx_f, dx_r, 1e-10, 1e-12)) << (generic ? "ATen path" : "fused path");
  }
  const auto lambd = torch::tensor(46.667, options);
  EXPECT_THROW(dsp::gaussian_filterbank_spectrogram(x_base, lambd, fb, WindowMode::kPowerOfTwo, 80, false, -1.0),
               std::invalid_argument);
}

// The backward of sum() hands the kernel a gradient of one value broadcast (all strides 0), the
// backward of mean() a materialised one: both give the portable path's λ-gradient.
TEST(DMelKernel, BroadcastGradientsGiveThePortableLambdaGradient) {
  torch::manual_seed(21);
  const auto x = torch::randn({3, 3000}, torch::kFloat64);
  const auto fb = dsp::melscale_fbanks(257, 0.0, 4000.0, 16, 8000, torch::kFloat64);
  for (const bool mean : {false, true}) {
    const auto run = [&](bool generic) {
      std::optional<dsp::detail::ForceGenericKernel> force;
      if (generic) force.emplace();
      const auto lambd = torch::tensor(46.667, torch::kFloat64).requires_grad_(true);
      const auto out = dsp::gaussian_filterbank_spectrogram(x, lambd, fb, WindowMode::kPowerOfTwo, 80, false, 1e-6);
      (mean ? out.mean() : out.sum()).backward();
      return lambd.grad();
    };
    const auto fused = run(false), portable = run(true);
    EXPECT_TRUE(all_close(fused, portable, 1e-9, 0)) << (mean ? "mean" : "sum") << ": " << fused.item<double>()
                                                     << " against " << portable.item<double>();
  }
}

// A backward that takes the portable path after a fused forward (here forced) reads what the fused
// loop saved, ∂out/∂σ in its tiles of 16 frames: the same λ-gradient. T = 38 frames is not a
// multiple of the tile.
TEST(DMelKernel, PortableBackwardAfterAFusedForwardGivesTheSameLambdaGradient) {
  torch::manual_seed(22);
  const auto x = torch::randn({2, 3000}, torch::kFloat64);
  const auto fb = dsp::melscale_fbanks(257, 0.0, 4000.0, 16, 8000, torch::kFloat64);
  const auto upstream = torch::randn({2, 16, 38}, torch::kFloat64);
  const auto run = [&](bool generic_backward) {
    const auto lambd = torch::tensor(46.667, torch::kFloat64).requires_grad_(true);
    const auto out = dsp::gaussian_filterbank_spectrogram(x, lambd, fb, WindowMode::kPowerOfTwo, 80, false, 1e-6);
    EXPECT_EQ(out.size(2), 38);
    std::optional<dsp::detail::ForceGenericKernel> force;
    if (generic_backward) force.emplace();
    (out * upstream).sum().backward();
    return lambd.grad();
  };
  const auto fused = run(false), portable = run(true);
  EXPECT_TRUE(all_close(fused, portable, 1e-12, 0)) << fused.item<double>() << " against " << portable.item<double>();
}

TEST(DMelKernel, NoGradForwardMatchesGradForward) {
  const auto x = torch::randn({3, 4000});
  const auto lambd = torch::tensor(46.667f).requires_grad_(true);
  const auto with_grad = dsp::gaussian_power_spectrogram(x, lambd, WindowMode::kPowerOfTwo, 80);
  torch::NoGradGuard no_grad;
  const auto without = dsp::gaussian_power_spectrogram(x, lambd, WindowMode::kPowerOfTwo, 80);
  EXPECT_FALSE(without.requires_grad());
  // With λ trained the power comes out of one complex FFT shared with the derivative window's
  // frame, without from an r2c: the two round differently, within a few float32 ulps of the
  // spectrogram's largest value (an FFT's error scales with the norm of its input, not per bin).
  const double scale = without.abs().max().item<double>();
  const double worst = (with_grad.detach() - without).abs().max().item<double>();
  EXPECT_LE(worst, 16 * std::numeric_limits<float>::epsilon() * scale) << "largest difference " << worst
                                                                         << " of a spectrogram peaking at " << scale;
  EXPECT_GT(scale, 0);
}

}  // namespace
}  // namespace tfgram::testing
