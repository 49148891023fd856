#include <gtest/gtest.h>
#include <torch/torch.h>

#include "support/close.h"
#include "support/numeric.h"
#include "tfgram/tfgram.h"

namespace tfgram::testing {
namespace {
using namespace tfgram::frontends;
using dsp::WindowMode;

class DMelTest : public ::testing::Test {
 protected:
  void SetUp() override { torch::manual_seed(11); }
};

TEST_F(DMelTest, PowerOfTwoWindowLengths) {
  EXPECT_EQ(dsp::power_of_two_window_length(46.667), 512);  // ⌊280⌋ → 512
  EXPECT_EQ(dsp::power_of_two_window_length(10.0), 64);     // 60 → 64
  EXPECT_EQ(dsp::power_of_two_window_length(128.0 / 6.0), 128);  // exactly a power of two
  EXPECT_EQ(dsp::power_of_two_window_length(-10.0), 64);    // |λ|
  EXPECT_EQ(dsp::power_of_two_window_length(1e-9), 2);      // never below 2
  const auto shape = dsp::gaussian_spectrogram_shape(8000, 46.667, WindowMode::kPowerOfTwo, 80);
  EXPECT_EQ(shape.n_freqs, 257);
  EXPECT_EQ(shape.n_frames, 101);
  const auto full = dsp::gaussian_spectrogram_shape(128, 6.38, WindowMode::kFull, 1);
  EXPECT_EQ(full.n_fft, 256);
  EXPECT_EQ(full.n_freqs, 129);
  EXPECT_EQ(full.n_frames, 129);
}

TEST_F(DMelTest, WindowLengthInSeconds) {
  DMel layer(DMelOptions(dsp::lambd_for_window_ms(35.0, 8000), 8000));
  EXPECT_NEAR(layer->window_seconds(), 0.035, 1e-7);
  EXPECT_NEAR(layer->lambd_value(), 0.035 * 8000 / 6.0, 1e-4);
}

// d/dλ of a weighted sum, in float64, against central differences away from a power-of-two switch.
void expect_lambda_gradient_matches(WindowMode mode, double lambd, int64_t n, int64_t hop) {
  DifferentiableSpectrogram layer(DifferentiableSpectrogramOptions(lambd).mode(mode).hop_length(hop));
  layer->to(torch::kFloat64);
  const auto signal = torch::randn({2, n}, torch::kFloat64);
  const auto shape = dsp::gaussian_spectrogram_shape(n, lambd, mode, hop);
  const auto upstream = torch::randn({2, shape.n_freqs, shape.n_frames}, torch::kFloat64);
  const auto loss = [&] { return (layer->forward(signal) * upstream).sum(); };
  loss().backward();
  const auto numeric = numeric_gradient(loss, layer->lambd, 1e-5);
  EXPECT_TRUE(close_scaled(layer->lambd.grad(), numeric, 1e-5, 1e-7))
      << dsp::to_string(mode) << " mode, lambda " << lambd;
}

TEST_F(DMelTest, LambdaGradientMatchesFiniteDifferencesFullMode) {
  for (const double lambd : {0.8, 6.38, 31.9}) expect_lambda_gradient_matches(WindowMode::kFull, lambd, 64, 1);
}

TEST_F(DMelTest, LambdaGradientMatchesFiniteDifferencesPowerOfTwoMode) {
  // 6λ = 180, 300, 1000: well inside (128, 256], (256, 512], (512, 1024].
  for (const double lambd : {30.0, 50.0, 166.0}) {
    expect_lambda_gradient_matches(WindowMode::kPowerOfTwo, lambd, 1600, 40);
  }
}

TEST_F(DMelTest, BatchedEqualsOneExampleAtATime) {
  DMel layer(DMelOptions(20.0, 8000).n_mels(32).hop_length(50).log(true));
  const auto batch = torch::randn({4, 1000});
  const auto together = layer->forward(batch);
  for (int64_t i = 0; i < 4; ++i) {
    EXPECT_TRUE(all_close(together[i], layer->forward(batch.slice(0, i, i + 1))[0], 1e-5, 1e-5))
        << "example " << i;
  }
  EXPECT_EQ(together.sizes(), (std::vector<int64_t>{4, 1, 32, 21}));
}

TEST_F(DMelTest, MeanIsRemovedPerExample) {
  DMel layer(DMelOptions(20.0, 8000).n_mels(16).hop_length(100));
  const auto x = torch::randn({2, 800});
  EXPECT_TRUE(all_close(layer->forward(x), layer->forward(x + torch::tensor({{3.0f}, {-7.0f}})), 1e-4, 1e-4));
}

TEST_F(DMelTest, FrozenLambdaGetsNoGradient) {
  DMel frozen(DMelOptions(20.0, 8000).trainable(false));
  EXPECT_FALSE(frozen->lambd.requires_grad());
  DMel trained(DMelOptions(20.0, 8000));
  EXPECT_TRUE(trained->lambd.requires_grad());
  trained->forward(torch::randn({2, 800})).sum().backward();
  EXPECT_TRUE(trained->lambd.grad().defined());
}

void expect_finite_everywhere(WindowMode mode, double lambd, const torch::Tensor& signal, bool log) {
  DMel layer(DMelOptions(lambd, 8000).n_mels(16).hop_length(mode == WindowMode::kFull ? 1 : 40).mode(mode).log(log));
  const auto out = layer->forward(signal);
  out.mean().backward();
  EXPECT_TRUE(all_finite(out)) << dsp::to_string(mode) << " lambda " << lambd;
  EXPECT_TRUE(all_finite(layer->lambd.grad())) << dsp::to_string(mode) << " lambda " << lambd;
}

TEST_F(DMelTest, NoNaNForAllZeroSignals) {
  for (const auto mode : {WindowMode::kFull, WindowMode::kPowerOfTwo}) {
    for (const bool log : {false, true}) expect_finite_everywhere(mode, 10.0, torch::zeros({2, 256}), log);
  }
}

TEST_F(DMelTest, NoNaNAsLambdaApproachesZero) {
  for (const auto mode : {WindowMode::kFull, WindowMode::kPowerOfTwo}) {
    for (const double lambd : {1e-3, 1e-8, 1e-20}) expect_finite_everywhere(mode, lambd, torch::randn({2, 256}), true);
  }
}

TEST_F(DMelTest, NoNaNForVeryLargeLambda) {
  expect_finite_everywhere(WindowMode::kFull, 1e8, torch::randn({2, 256}), true);
  // 6λ = 12000 > N: a 16384-sample window over a 4000-sample signal.
  expect_finite_everywhere(WindowMode::kPowerOfTwo, 2000.0, torch::randn({2, 4000}), true);
}

TEST_F(DMelTest, FollowsInputDtype) {
  DMel layer(DMelOptions(20.0, 8000).n_mels(8).hop_length(100));
  const auto out = layer->forward(torch::randn({1, 800}, torch::kFloat64));
  EXPECT_EQ(out.scalar_type(), torch::kFloat64);
  layer->to(torch::kFloat64);
  EXPECT_EQ(layer->lambd.scalar_type(), torch::kFloat64);
  EXPECT_EQ(layer->forward(torch::randn({1, 800}, torch::kFloat64)).scalar_type(), torch::kFloat64);
  DifferentiableSpectrogram spec(DifferentiableSpectrogramOptions(5.0));
  EXPECT_EQ(spec->forward(torch::randn({32}, torch::kFloat64)).scalar_type(), torch::kFloat64);
}

TEST_F(DMelTest, NormalizedWindowHasUnitEnergy) {
  GaussianWindow window(GaussianWindowOptions(256, 12.0).normalized(true));
  EXPECT_NEAR(window->forward().pow(2).sum().item<double>(), 1.0, 1e-5);
  GaussianWindow plain(GaussianWindowOptions(256, 12.0));
  EXPECT_NEAR(plain->forward()[128].item<double>(), 1.0, 1e-7);  // peak at L/2
  GaussianWindow negative(GaussianWindowOptions(256, -12.0));
  EXPECT_TRUE(torch::allclose(negative->forward(), plain->forward()));  // |λ|
}

}  // namespace
}  // namespace tfgram::testing
