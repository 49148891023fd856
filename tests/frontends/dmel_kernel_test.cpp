// The custom DMEL kernel (analytic λ- and input-gradients, no stored complex spectra) against
// plain autograd through torch::stft, in float64.
#include <gtest/gtest.h>
#include <torch/torch.h>

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

void expect_kernel_equals_autograd(const Case& c, bool with_filterbank) {
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
                           (c.normalize ? " normalized" : "") + (with_filterbank ? " mel" : "");
  EXPECT_TRUE(all_close(out_k, out_a, 1e-10, 1e-10)) << what;
  EXPECT_TRUE(all_close(dl_k, dl_a, 1e-9, 1e-12)) << what;
  EXPECT_TRUE(all_close(dx_k, dx_a, 1e-9, 1e-12)) << what;
}

TEST(DMelKernel, AnalyticGradientsEqualAutogradFullMode) {
  for (const double lambd : {0.5, 6.38, 40.0}) {
    for (const bool fbank : {false, true}) {
      expect_kernel_equals_autograd({WindowMode::kFull, lambd, 96, 1, false}, fbank);
    }
  }
  expect_kernel_equals_autograd({WindowMode::kFull, 6.38, 64, 3, true}, false);
}

TEST(DMelKernel, AnalyticGradientsEqualAutogradPowerOfTwoMode) {
  for (const double lambd : {3.0, 46.667, 200.0}) {
    for (const bool fbank : {false, true}) {
      expect_kernel_equals_autograd({WindowMode::kPowerOfTwo, lambd, 2000, 80, false}, fbank);
    }
  }
  expect_kernel_equals_autograd({WindowMode::kPowerOfTwo, 46.667, 1000, 50, true}, true);
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

}  // namespace
}  // namespace tfgram::testing
