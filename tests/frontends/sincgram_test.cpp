#include <gtest/gtest.h>
#include <torch/torch.h>

#include <optional>

#include "dsp/force_generic_kernel.h"
#include "support/close.h"
#include "support/numeric.h"
#include "tfgram/tfgram.h"

namespace tfgram::testing {
namespace {
using namespace tfgram::frontends;

class SincGramTest : public ::testing::Test {
 protected:
  void SetUp() override { torch::manual_seed(7); }
};

TEST_F(SincGramTest, ShapeAndFloat64Parameters) {
  SincGram layer(SincGramOptions(257, 16000).filters(40));
  EXPECT_EQ(layer->freq_centers.scalar_type(), torch::kFloat64);
  EXPECT_EQ(layer->freq_centers.sizes(), (std::vector<int64_t>{1, 40}));
  const auto out = layer->forward(torch::rand({3, 1, 257, 11}));
  EXPECT_EQ(out.sizes(), (std::vector<int64_t>{3, 1, 40, 11}));
  EXPECT_EQ(out.scalar_type(), torch::kFloat32);
}

TEST_F(SincGramTest, MelInitInHzMatchesTheMelScale) {
  const int64_t sr = 16000;
  const int64_t filters = 10;
  SincGram layer(SincGramOptions(513, sr).filters(filters).f_min(100.0).f_max(6000.0));
  const double lo = dsp::hz_to_mel(100.0);
  const double hi = dsp::hz_to_mel(6000.0);
  const auto centres = layer->center_hz();
  const auto widths = layer->bandwidth_hz();
  for (int64_t i = 1; i <= filters; ++i) {
    const auto mel_at = [&](int64_t k) { return lo + (hi - lo) * k / double(filters + 1); };
    EXPECT_NEAR(centres[i - 1].item<double>(), dsp::mel_to_hz(mel_at(i)), 1e-9);
    EXPECT_NEAR(widths[i - 1].item<double>(),
                dsp::mel_to_hz(mel_at(i + 1)) - dsp::mel_to_hz(mel_at(i - 1)), 1e-9);
  }
  // Weight space: 0 Hz ↦ −1, Nyquist ↦ +1.
  const auto [c, b] = layer->hz_to_weights(torch::tensor({0.0, sr / 2.0}, torch::kFloat64),
                                           torch::tensor({1.0, 1.0}, torch::kFloat64));
  EXPECT_DOUBLE_EQ(c[0].item<double>(), -1.0);
  EXPECT_DOUBLE_EQ(c[1].item<double>(), 1.0);
}

TEST_F(SincGramTest, RandomInitIsSeeded) {
  torch::manual_seed(3);
  SincGram a(SincGramOptions(65, 8000).filters(8).init(SincGramInit::kRandom));
  torch::manual_seed(3);
  SincGram b(SincGramOptions(65, 8000).filters(8).init(SincGramInit::kRandom));
  SincGram c(SincGramOptions(65, 8000).filters(8).init(SincGramInit::kRandom));
  EXPECT_TRUE(torch::equal(a->freq_centers, b->freq_centers));
  EXPECT_FALSE(torch::equal(a->freq_centers, c->freq_centers));
  EXPECT_NEAR(a->freq_centers.std().item<double>(), 1.0, 0.8);  // standard normal draws
}

TEST_F(SincGramTest, GradientsMatchFiniteDifferences) {
  for (const int64_t order : {1, 4, 9}) {
    SincGram layer(SincGramOptions(65, 8000).filters(6).order(order));
    {
      torch::NoGradGuard no_grad;  // move off the mel grid so every filter has a generic shape
      layer->freq_centers.add_(0.05 * torch::randn_like(layer->freq_centers));
      layer->bands.add_(0.05 * torch::randn_like(layer->bands));
    }
    const auto input = torch::rand({2, 1, 65, 5}, torch::kFloat64);
    const auto upstream = torch::randn({2, 1, 6, 5}, torch::kFloat64);
    const auto loss = [&] { return (layer->forward(input) * upstream).sum(); };
    loss().backward();
    // Central differences carry ~eps·|loss|/h of rounding: the absolute part scales with the gradient.
    EXPECT_TRUE(close_scaled(layer->freq_centers.grad(), numeric_gradient(loss, layer->freq_centers, 1e-6),
                             1e-5, 1e-6))
        << "centres, order " << order;
    EXPECT_TRUE(close_scaled(layer->bands.grad(), numeric_gradient(loss, layer->bands, 1e-6), 1e-5, 1e-6))
        << "bandwidths, order " << order;
  }
}

TEST_F(SincGramTest, FilterMatrixIsReusedUntilParametersChange) {
  SincGram layer(SincGramOptions(129, 8000).filters(16));
  torch::Tensor first;
  torch::Tensor second;
  {
    torch::NoGradGuard no_grad;
    first = layer->filter_matrix();
    second = layer->filter_matrix();
  }
  EXPECT_EQ(first.data_ptr(), second.data_ptr()) << "inference should reuse the cached matrix";
  {
    torch::NoGradGuard no_grad;
    layer->freq_centers.add_(0.1);  // an optimiser step bumps the version counter
    const auto third = layer->filter_matrix();
    EXPECT_NE(third.data_ptr(), first.data_ptr());
    EXPECT_FALSE(torch::allclose(third, first));
  }
  // While recording gradients the matrix is part of the graph.
  EXPECT_TRUE(layer->filter_matrix().requires_grad());
}

TEST_F(SincGramTest, FilterMatrixIsRebuiltAfterAnOptimizerStep) {
  SincGram layer(SincGramOptions(129, 8000).filters(16));
  // LibTorch's SGD updates through .data(), which leaves the version counters unchanged.
  torch::optim::SGD optimizer(layer->parameters(), torch::optim::SGDOptions(0.1));
  const auto input = torch::rand({2, 1, 129, 6});
  torch::Tensor before;
  torch::Tensor evaluated;
  {
    torch::NoGradGuard no_grad;
    before = layer->filter_matrix();
    evaluated = layer->forward(input);
    EXPECT_EQ(layer->filter_matrix().data_ptr(), before.data_ptr()) << "evaluation reuses it";
  }
  optimizer.zero_grad();
  (layer->forward(input) * torch::randn({2, 1, 16, 6})).sum().backward();
  optimizer.step();
  torch::NoGradGuard no_grad;
  const auto after = layer->filter_matrix();
  EXPECT_NE(after.data_ptr(), before.data_ptr()) << "the step changed the parameters";
  EXPECT_FALSE(torch::allclose(after, before));
  EXPECT_FALSE(torch::allclose(layer->forward(input), evaluated));
  EXPECT_EQ(layer->filter_matrix().data_ptr(), after.data_ptr()) << "and the new one is reused";
}

TEST_F(SincGramTest, InputMemoryLayoutDoesNotChangeTheResult) {
  // stft output keeps K innermost (one folded GEMM); a contiguous input takes the batched path.
  SincGram layer(SincGramOptions(65, 8000).filters(6));
  const auto contiguous = torch::rand({3, 2, 65, 7}, torch::kFloat64);
  const auto k_inner = contiguous.transpose(2, 3).contiguous().transpose(2, 3);
  ASSERT_EQ(k_inner.stride(2), 1);
  const auto upstream = torch::randn({3, 2, 6, 7}, torch::kFloat64);
  std::vector<torch::Tensor> outputs;
  std::vector<torch::Tensor> grads;
  for (const auto& input : {contiguous, k_inner}) {
    layer->zero_grad();
    const auto x = input.detach().requires_grad_(true);
    const auto out = layer->forward(x);
    (out * upstream).sum().backward();
    outputs.push_back(out);
    grads.push_back(torch::cat({layer->freq_centers.grad(), layer->bands.grad()}, 1));
    // dL/dS[b,c,k,t] = Σ_f W_kf G[b,c,f,t]
    const auto expected = torch::einsum("bcft,kf->bckt", {upstream, layer->filter_matrix().detach()});
    EXPECT_TRUE(close_scaled(x.grad(), expected, 1e-12, 1e-12));
  }
  // Batched against folded GEMM: other summation orders, so the absolute part scales with the data.
  EXPECT_TRUE(close_scaled(outputs[0], outputs[1], 1e-12, 1e-12));
  EXPECT_TRUE(close_scaled(grads[0], grads[1], 1e-10, 1e-12));
}

// The filter responses' own node (fused CPU loop, and the portable ATen path forced on CPU) against
// autograd through the plain formula (1 + y^(2n))^(-1/2), in float64 where that formula is safe.
TEST_F(SincGramTest, ResponsesMatchAutogradOfThePlainFormulaOnBothPaths) {
  for (const int64_t order : {1, 2, 4, 9}) {
    for (const bool generic : {false, true}) {
      SincGram layer(SincGramOptions(257, 16000).filters(24).order(order));
      {
        torch::NoGradGuard no_grad;
        layer->freq_centers.add_(0.1 * torch::randn_like(layer->freq_centers));
        layer->bands.add_(0.1 * torch::randn_like(layer->bands));
      }
      const auto upstream = torch::randn({257, 24}, torch::kFloat64);
      torch::Tensor matrix;
      {
        std::optional<dsp::detail::ForceGenericKernel> force;
        if (generic) force.emplace();
        matrix = layer->filter_matrix();
        (matrix * upstream).sum().backward();
      }
      const auto c = layer->freq_centers.detach().clone().requires_grad_();
      const auto b = layer->bands.detach().clone().requires_grad_();
      const double mu = 0.25 - 2.0 / 257.0;
      const auto d = (b + 1.0) * mu / 2.0 + 1e-7;
      const auto x = torch::linspace(-1.0, 1.0, 257, torch::kFloat64).unsqueeze(1);
      const auto plain = torch::pow(1.0 + torch::pow((x - c) / d, 2 * order), -0.5);
      (plain * upstream).sum().backward();
      const std::string what = "order " + std::to_string(order) + (generic ? ", ATen path" : ", fused path");
      EXPECT_TRUE(all_close(matrix, plain, 1e-12, 1e-14)) << what;
      EXPECT_TRUE(close_scaled(layer->freq_centers.grad(), c.grad(), 1e-9, 1e-12)) << what;
      EXPECT_TRUE(close_scaled(layer->bands.grad(), b.grad(), 1e-9, 1e-12)) << what;
    }
  }
}

TEST_F(SincGramTest, NoNaNWhenBandwidthCollapses) {
  for (const bool generic : {false, true}) {
    std::optional<dsp::detail::ForceGenericKernel> force;
    if (generic) force.emplace();
    for (const double eps : {1e-7, 0.0}) {
      const std::string what = "eps " + std::to_string(eps) + (generic ? ", ATen path" : ", fused path");
      SincGram layer(SincGramOptions(129, 8000).filters(8).eps(eps));
      {
        torch::NoGradGuard no_grad;
        layer->bands.fill_(-1.0);  // β = 0
        layer->bands[0][1].fill_(-1.0 + 1e-12);  // β → 0⁺
      }
      const auto out = layer->forward(torch::rand({2, 1, 129, 4}));
      out.sum().backward();
      EXPECT_TRUE(all_finite(out)) << what;
      EXPECT_TRUE(all_finite(layer->freq_centers.grad())) << what;
      EXPECT_TRUE(all_finite(layer->bands.grad())) << what;
    }
  }
}

TEST_F(SincGramTest, NoNaNAtExtremeOrders) {
  for (const bool generic : {false, true}) {
    std::optional<dsp::detail::ForceGenericKernel> force;
    if (generic) force.emplace();
    for (const int64_t order : {1, 50, 200}) {
      const std::string what = "order " + std::to_string(order) + (generic ? ", ATen path" : ", fused path");
      SincGram layer(SincGramOptions(257, 16000).filters(32).order(order));
      const auto out = layer->forward(torch::rand({2, 1, 257, 3}));
      out.sum().backward();
      EXPECT_TRUE(all_finite(out)) << what;
      EXPECT_TRUE(all_finite(layer->freq_centers.grad())) << what;
      EXPECT_TRUE(all_finite(layer->bands.grad())) << what;
      EXPECT_GT(layer->bands.grad().abs().sum().item<double>(), 0.0) << what;
    }
  }
}

TEST_F(SincGramTest, FollowsInputDtype) {
  SincGram layer(SincGramOptions(33, 8000).filters(4));
  const auto out = layer->forward(torch::rand({1, 1, 33, 2}, torch::kFloat64));
  EXPECT_EQ(out.scalar_type(), torch::kFloat64);
  EXPECT_EQ(out.device(), layer->freq_centers.device());
}

}  // namespace
}  // namespace tfgram::testing
