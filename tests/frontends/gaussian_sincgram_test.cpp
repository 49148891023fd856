// The fully learnable front end (DMEL's window under SincGram's filterbank): the kernel's
// filterbank gradient and analytic λ-gradient against autograd through the composed modules in
// float64 (fused and ATen paths, both window modes, with and without the fused log), central
// differences, and the module against DMel when its filters sit at the mel initialisation.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <optional>

#include "dsp/force_generic_kernel.h"
#include "support/close.h"
#include "tfgram/frontends/gaussian_sincgram.h"
#include "tfgram/tfgram.h"

namespace tfgram::testing {
namespace {
using dsp::WindowMode;
const auto f64 = torch::TensorOptions().dtype(torch::kFloat64);

struct Grads {
  torch::Tensor out, lambd, centres, bands, x;
};

// out = [log](Wᵀ·|STFT|² (+ c)) with W = SincGram's matrix; either through the fused kernel or
// through torch::stft + matmul with autograd everywhere.
Grads run(bool kernel, bool generic, WindowMode mode, double lambd_value, int64_t n, int64_t hop,
          std::optional<double> log_offset, bool input_grad = true) {
  torch::manual_seed(5);
  const auto x = torch::randn({3, n}, f64).requires_grad_(input_grad);
  const auto lambd = torch::tensor(lambd_value, f64).requires_grad_(true);
  const auto shape = dsp::gaussian_spectrogram_shape(n, lambd_value, mode, hop);
  frontends::SincGram sinc(frontends::SincGramOptions(shape.n_freqs, 8000).filters(7).order(3));
  {
    torch::NoGradGuard no_grad;  // move the filters off the mel grid so every parameter matters
    sinc->freq_centers.add_(0.05 * torch::randn_like(sinc->freq_centers));
    sinc->bands.add_(0.1 * torch::randn_like(sinc->bands));
  }
  const auto weights = sinc->filter_matrix();
  std::optional<dsp::detail::ForceGenericKernel> force;
  if (generic) force.emplace();
  torch::Tensor out;
  if (kernel) {
    out = dsp::gaussian_filterbank_spectrogram(x, lambd, weights, mode, hop, false, log_offset);
  } else {
    out = torch::matmul(weights.t(), dsp::gaussian_power_spectrogram_autograd(x, lambd, mode, hop));
    if (log_offset) out = torch::log(out + *log_offset);
  }
  const auto upstream = torch::randn(out.sizes(), f64);  // logical order: the kernel's output may be frame-major
  (out * upstream).sum().backward();
  return {out.detach(), lambd.grad(), sinc->freq_centers.grad(), sinc->bands.grad(), x.grad()};
}

TEST(GaussianSincGram, KernelGradientsEqualAutogradThroughTheComposedModules) {
  struct Case {
    WindowMode mode;
    double lambd;
    int64_t n, hop;
  };
  for (const auto& c : {Case{WindowMode::kFull, 6.38, 64, 1}, Case{WindowMode::kFull, 3.0, 37, 4},
                        Case{WindowMode::kPowerOfTwo, 46.667, 1000, 40}, Case{WindowMode::kPowerOfTwo, 10.0, 300, 7}}) {
    for (const bool generic : {false, true}) {
      for (const auto log_offset : {std::optional<double>(), std::optional<double>(1e-3)}) {
        // Without an input gradient the fused path forms dL/d(filterbank output) chunk by chunk
        // inside its backward GEMM loop; with one, once for the whole batch.
        for (const bool input_grad : {true, false}) {
          const auto what = ::testing::Message() << dsp::to_string(c.mode) << " λ " << c.lambd << " N " << c.n
                                                 << (generic ? " ATen path" : " fused path")
                                                 << (log_offset ? " log" : "") << (input_grad ? " input grad" : "");
          SCOPED_TRACE(what);
          const auto k = run(true, generic, c.mode, c.lambd, c.n, c.hop, log_offset, input_grad);
          const auto a = run(false, generic, c.mode, c.lambd, c.n, c.hop, log_offset, input_grad);
          EXPECT_TRUE(close_scaled(k.out, a.out, 1e-10, 1e-12)) << "output";
          EXPECT_TRUE(close_scaled(k.lambd, a.lambd, 1e-9, 1e-12)) << "d/dλ";
          EXPECT_TRUE(close_scaled(k.centres, a.centres, 1e-9, 1e-12)) << "d/d centres";
          EXPECT_TRUE(close_scaled(k.bands, a.bands, 1e-9, 1e-12)) << "d/d bandwidths";
          if (input_grad) EXPECT_TRUE(close_scaled(k.x, a.x, 1e-9, 1e-12)) << "d/d input";
          if (!input_grad) EXPECT_FALSE(k.x.defined()) << "x did not require grad";
        }
      }
    }
  }
}

// A batch bigger than one GEMM chunk (8 MiB of power) gives what each example gives alone:
// forward, the filterbank's and λ's gradients, through the log.
TEST(GaussianSincGram, ChunksOfTheGemmPathAgreeWithSingleExamples) {
  torch::manual_seed(2);
  const int64_t batch = 20, n = 40000;  // 501 frames × 257 bins × 8 bytes ≈ 1 MiB per example: ≤ 8 per chunk
  const auto x = torch::randn({batch, n}, f64);
  const auto lambd = torch::tensor(46.667, f64).requires_grad_(true);
  frontends::SincGram sinc(frontends::SincGramOptions(257, 8000).filters(6));
  const auto upstream = torch::randn({batch, 6, 1 + n / 80}, f64);
  const auto spectrogram = [&](const torch::Tensor& signal) {
    return dsp::gaussian_filterbank_spectrogram(signal, lambd, sinc->filter_matrix(), WindowMode::kPowerOfTwo, 80,
                                                false, 1e-6);
  };
  const auto all = spectrogram(x);
  (all * upstream).sum().backward();
  const auto grad_all = sinc->freq_centers.grad().clone();
  const double lambd_all = lambd.grad().item<double>();
  auto grad_sum = torch::zeros_like(grad_all);
  double lambd_sum = 0;
  for (int64_t b = 0; b < batch; ++b) {
    sinc->zero_grad();
    lambd.mutable_grad().zero_();
    const auto one = spectrogram(x.slice(0, b, b + 1));
    EXPECT_TRUE(close_scaled(one[0].detach(), all[b].detach(), 1e-12, 1e-12)) << "example " << b;
    (one * upstream.slice(0, b, b + 1)).sum().backward();
    grad_sum += sinc->freq_centers.grad();
    lambd_sum += lambd.grad().item<double>();
  }
  EXPECT_TRUE(close_scaled(grad_all, grad_sum, 1e-10, 1e-12));
  EXPECT_NEAR(lambd_all, lambd_sum, 1e-10 * std::abs(lambd_sum));
}

// The analytic gradients against central differences of the fused forward (float64).
TEST(GaussianSincGram, GradientsAgreeWithFiniteDifferences) {
  for (const auto mode : {WindowMode::kFull, WindowMode::kPowerOfTwo}) {
    SCOPED_TRACE(dsp::to_string(mode));
    const int64_t n = mode == WindowMode::kFull ? 48 : 600;
    const double lambd0 = mode == WindowMode::kFull ? 5.0 : 30.0;  // 6λ = 180: far from a power of two
    torch::manual_seed(9);
    const auto x = torch::randn({2, n}, f64);
    const auto shape = dsp::gaussian_spectrogram_shape(n, lambd0, mode, 8);
    frontends::SincGram sinc(frontends::SincGramOptions(shape.n_freqs, 8000).filters(5));
    const auto upstream = torch::randn({2, 5, shape.n_frames}, f64);
    const auto loss = [&](const torch::Tensor& lambd) {
      return (dsp::gaussian_filterbank_spectrogram(x, lambd, sinc->filter_matrix(), mode, 8, false, 1e-6) * upstream)
          .sum();
    };
    const auto lambd = torch::tensor(lambd0, f64).requires_grad_(true);
    loss(lambd).backward();
    const double h = 1e-5;
    torch::NoGradGuard no_grad;
    const double fd_lambd =
        (loss(torch::tensor(lambd0 + h, f64)).item<double>() - loss(torch::tensor(lambd0 - h, f64)).item<double>()) /
        (2 * h);
    EXPECT_NEAR(lambd.grad().item<double>(), fd_lambd, 1e-5 * std::abs(fd_lambd) + 1e-9);
    for (auto* parameter : {&sinc->freq_centers, &sinc->bands}) {
      for (const int64_t f : {0, 2, 4}) {
        const double analytic = parameter->grad()[0][f].item<double>();
        const double saved = (*parameter)[0][f].item<double>();
        (*parameter)[0][f] = saved + h;
        const double plus = loss(torch::tensor(lambd0, f64)).item<double>();
        (*parameter)[0][f] = saved - h;
        const double minus = loss(torch::tensor(lambd0, f64)).item<double>();
        (*parameter)[0][f] = saved;
        EXPECT_NEAR(analytic, (plus - minus) / (2 * h), 1e-5 * std::abs(analytic) + 1e-7) << "filter " << f;
      }
    }
  }
}

frontends::DEGramOptions stages_off(int64_t filters) {
  auto degram = frontends::DEGramOptions(2, 8000).attention(std::nullopt).normalization(std::nullopt).log_compression(false);
  degram.sincgram()->filters(filters);
  return degram;
}

// With SincGram at its mel initialisation and no later stage, the output is DMel's with
// Butterworth responses instead of triangles: related, never equal. How close is printed. The mel
// initialisation gives each filter the distance between its neighbours as bandwidth (twice a
// triangle's half-height width) and Butterworth tails never reach zero, so the energies are a few
// times DMel's while the log-spectrograms stay strongly correlated.
TEST(GaussianSincGram, AtTheMelInitialisationItIsCloseToDMel) {
  torch::manual_seed(3);
  const auto x = torch::randn({4, 8000});
  const double lambd = dsp::lambd_for_window_ms(35.0, 8000);
  frontends::GaussianSincGram learnable(frontends::GaussianSincGramOptions(lambd, 8000, 8000, stages_off(64)));
  frontends::DMel dmel(frontends::DMelOptions(lambd, 8000).n_mels(64));
  torch::NoGradGuard no_grad;
  const auto ours = learnable->forward(x).squeeze(1);
  const auto mel = dmel->forward(x).squeeze(1);
  ASSERT_EQ(ours.sizes(), mel.sizes());
  const double relative = ((ours - mel).norm() / mel.norm()).item<double>();
  const double log_gap = (torch::log(ours + 1e-10) - torch::log(mel + 1e-10)).abs().mean().item<double>();
  const double correlation =
      torch::corrcoef(torch::stack({torch::log(ours + 1e-10).flatten(), torch::log(mel + 1e-10).flatten()}))[0][1]
          .item<double>();
  std::cout << "[ measured ] SincGram at the mel init vs DMel's triangles, 35 ms, 64 bands: relative L2 difference "
            << relative << ", mean |log ratio| " << log_gap << ", correlation of the logs " << correlation << "\n";
  const double median_ratio = (ours / mel).median().item<double>();
  std::cout << "[ measured ] median ratio of the energies " << median_ratio << "\n";
  EXPECT_GT(relative, 1e-3) << "Butterworth is not triangular: the outputs cannot be equal";
  EXPECT_GT(median_ratio, 1.0) << "wider passbands and tails carry more energy than the triangles";
  EXPECT_LT(median_ratio, 10.0);
  EXPECT_GT(correlation, 0.9) << "the same time-frequency picture";
}

TEST(GaussianSincGram, EveryStageTrainsAndTheShapeStaysWhenTheWindowDoubles) {
  torch::manual_seed(1);
  // No normalisation and TF-DE's `add` here: after PCEN the maxout of the two gates is a positive
  // per-row scale, max(a, s)·x, so the losing gate gets no gradient, and a per-frequency
  // normalisation removes the scale altogether.
  auto degram = frontends::DEGramOptions(2, 8000).pcen(frontends::PcenOptions()).normalization(std::nullopt);
  degram.sincgram()->filters(16);
  degram.attention()->strategy(frontends::TfDeStrategy::kAdd);
  frontends::GaussianSincGram layer(frontends::GaussianSincGramOptions(20.0, 8000, 2000, degram).hop_length(40));
  const auto x = torch::randn({3, 2000});
  const auto out = layer->forward(x);
  EXPECT_EQ(out.sizes(), (std::vector<int64_t>{3, 1, 16, 51}));
  (out * torch::randn_like(out)).sum().backward();
  for (const auto& p : layer->named_parameters()) {
    EXPECT_TRUE(p.value().grad().defined() && p.value().grad().abs().sum().item<double>() > 0) << p.key();
  }
  // λ = 20 → 6λ = 120 → L = 128; λ = 30 → L = 256: more bins, same 16 filters in Hz.
  {
    torch::NoGradGuard no_grad;
    layer->lambd.fill_(30.0);
  }
  EXPECT_EQ(layer->forward(x).sizes(), out.sizes());
  EXPECT_TRUE(all_finite(layer->forward(x)));
}

}  // namespace
}  // namespace tfgram::testing
