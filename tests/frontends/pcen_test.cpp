// PCEN: the fused forward against an independent float64 loop written here, the analytic backward
// against autograd through the plain ATen loop and against finite differences, for the input and
// every parameter; no NaN or Inf at silence, at the smoothing extremes, at r = 1, at large inputs.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <vector>

#include "support/close.h"
#include "tfgram/frontends/pcen.h"

namespace tfgram::testing {
namespace {
using namespace tfgram::frontends;

struct Parameters {
  torch::Tensor alpha, delta, inverse_root, smooth;
};

Parameters random_parameters(int64_t rows, uint64_t seed) {
  torch::manual_seed(seed);
  const auto opts = torch::TensorOptions(torch::kFloat64);
  return {0.5 + 0.45 * torch::rand({rows}, opts), 0.5 + 2.0 * torch::rand({rows}, opts),
          0.3 + 0.6 * torch::rand({rows}, opts), 0.02 + 0.9 * torch::rand({rows}, opts)};
}

// y[b][c][f][t] from the definition, one scalar at a time.
torch::Tensor reference(const torch::Tensor& x, const Parameters& p, double floor) {
  auto y = torch::empty_like(x, torch::kFloat64);
  const auto x64 = x.to(torch::kFloat64);
  const auto xa = x64.accessor<double, 4>();
  auto ya = y.accessor<double, 4>();
  for (int64_t b = 0; b < x.size(0); ++b) {
    for (int64_t c = 0; c < x.size(1); ++c) {
      for (int64_t f = 0; f < x.size(2); ++f) {
        const double a = p.alpha[f].item<double>(), d = p.delta[f].item<double>();
        const double rho = p.inverse_root[f].item<double>(), w = p.smooth[f].item<double>();
        double m = xa[b][c][f][0];
        for (int64_t t = 0; t < x.size(3); ++t) {
          if (t > 0) m = w * xa[b][c][f][t] + (1 - w) * m;
          ya[b][c][f][t] = std::pow(xa[b][c][f][t] / std::pow(floor + m, a) + d, rho) - std::pow(d, rho);
        }
      }
    }
  }
  return y;
}

TEST(Pcen, ForwardMatchesTheDefinition) {
  const auto p = random_parameters(5, 1);
  const auto x = torch::rand({2, 3, 5, 17}, torch::kFloat64) * 10.0;
  EXPECT_TRUE(torch::allclose(pcen(x, p.alpha, p.delta, p.inverse_root, p.smooth, 1e-6), reference(x, p, 1e-6),
                              1e-12, 1e-12));
  EXPECT_TRUE(torch::allclose(pcen_autograd(x, p.alpha, p.delta, p.inverse_root, p.smooth, 1e-6),
                              reference(x, p, 1e-6), 1e-12, 1e-12));
  // float32 input through the same recursion (computed in double inside).
  const auto y32 = pcen(x.to(torch::kFloat32), p.alpha, p.delta, p.inverse_root, p.smooth, 1e-6);
  EXPECT_EQ(y32.scalar_type(), torch::kFloat32);
  EXPECT_TRUE(torch::allclose(y32.to(torch::kFloat64), reference(x, p, 1e-6), 1e-5, 1e-6));
  // A transposed (non-contiguous) input gives the same values.
  const auto xt = x.transpose(2, 3).contiguous().transpose(2, 3);
  EXPECT_TRUE(torch::allclose(pcen(xt, p.alpha, p.delta, p.inverse_root, p.smooth, 1e-6), reference(x, p, 1e-6),
                              1e-12, 1e-12));
}

std::vector<torch::Tensor> gradients(bool fused, const torch::Tensor& x0, const Parameters& p0,
                                     const torch::Tensor& upstream) {
  auto x = x0.clone().requires_grad_(true);
  Parameters p{p0.alpha.clone().requires_grad_(true), p0.delta.clone().requires_grad_(true),
               p0.inverse_root.clone().requires_grad_(true), p0.smooth.clone().requires_grad_(true)};
  const auto y = fused ? pcen(x, p.alpha, p.delta, p.inverse_root, p.smooth, 1e-6)
                       : pcen_autograd(x, p.alpha, p.delta, p.inverse_root, p.smooth, 1e-6);
  (y * upstream).sum().backward();
  return {x.grad(), p.alpha.grad(), p.delta.grad(), p.inverse_root.grad(), p.smooth.grad()};
}

TEST(Pcen, AnalyticBackwardEqualsAutogradThroughTheLoop) {
  const auto p = random_parameters(4, 2);
  const auto x = torch::rand({3, 2, 4, 23}, torch::kFloat64) * 5.0;
  const auto upstream = torch::randn_like(x);
  const auto fused = gradients(true, x, p, upstream);
  const auto plain = gradients(false, x, p, upstream);
  const char* names[] = {"input", "alpha", "delta", "inverse_root", "smooth"};
  for (size_t k = 0; k < fused.size(); ++k) {
    EXPECT_TRUE(torch::allclose(fused[k], plain[k], 1e-10, 1e-12)) << names[k] << "\n"
                                                                   << fused[k] << "\n"
                                                                   << plain[k];
  }
}

TEST(Pcen, AnalyticBackwardAgreesWithFiniteDifferences) {
  const auto p = random_parameters(3, 3);
  const auto x = torch::rand({1, 1, 3, 9}, torch::kFloat64) * 3.0 + 0.1;
  const auto upstream = torch::randn_like(x);
  const auto analytic = gradients(true, x, p, upstream);
  const auto loss = [&](const torch::Tensor& xx, const Parameters& pp) {
    return (pcen(xx, pp.alpha, pp.delta, pp.inverse_root, pp.smooth, 1e-6) * upstream).sum().item<double>();
  };
  const double h = 1e-6;
  // Every parameter element and every input element.
  Parameters q = p;
  auto xx = x.clone();
  std::vector<std::pair<torch::Tensor*, torch::Tensor>> targets = {
      {&xx, analytic[0]}, {&q.alpha, analytic[1]}, {&q.delta, analytic[2]}, {&q.inverse_root, analytic[3]},
      {&q.smooth, analytic[4]}};
  for (auto& [tensor, grad] : targets) {
    auto flat = tensor->view({-1});
    const auto g = grad.reshape({-1});
    for (int64_t i = 0; i < flat.numel(); ++i) {
      const double keep = flat[i].item<double>();
      flat[i] = keep + h;
      const double up = loss(xx, q);
      flat[i] = keep - h;
      const double down = loss(xx, q);
      flat[i] = keep;
      const double numeric = (up - down) / (2 * h);
      EXPECT_NEAR(g[i].item<double>(), numeric, 1e-6 * std::max(1.0, std::abs(numeric))) << "element " << i;
    }
  }
}

bool finite(const torch::Tensor& t) { return torch::isfinite(t).all().item<bool>(); }

TEST(Pcen, NoNanAtSilenceExtremesAndLargeInputs) {
  struct Case {
    const char* name;
    torch::Tensor x;
    double smooth, root;
  };
  const std::vector<Case> cases = {
      {"silence", torch::zeros({2, 1, 8, 30}), 0.04, 2.0},
      {"s -> 0", torch::rand({2, 1, 8, 30}), 1e-9, 2.0},
      {"s = 1", torch::rand({2, 1, 8, 30}), 1.0, 2.0},
      {"r = 1", torch::rand({2, 1, 8, 30}), 0.04, 1.0},
      {"large", torch::rand({2, 1, 8, 30}) * 1e30, 0.04, 2.0},
      {"silence then sound", torch::cat({torch::zeros({2, 1, 8, 15}), torch::rand({2, 1, 8, 15}) * 1e6}, 3), 0.5, 2.0},
  };
  for (const auto& c : cases) {
    for (const bool logs : {false, true}) {
      Pcen layer(PcenOptions(8).smooth_coef(c.smooth).root(c.root).learn_logs(logs));
      const auto x = c.x.clone().requires_grad_(true);
      const auto y = layer->forward(x);
      y.sum().backward();
      EXPECT_TRUE(finite(y)) << c.name;
      EXPECT_TRUE(finite(x.grad())) << c.name;
      for (const auto& parameter : layer->parameters()) EXPECT_TRUE(finite(parameter.grad())) << c.name;
    }
  }
}

TEST(Pcen, ModuleParameterisations) {
  const auto x = torch::rand({2, 1, 6, 12});
  Pcen plain(PcenOptions(6));
  Pcen logs(PcenOptions(6).learn_logs(true));
  EXPECT_TRUE(torch::allclose(plain->forward(x), logs->forward(x), 1e-5, 1e-6)) << "same values, other storage";
  EXPECT_NEAR(logs->alpha[0].item<double>(), std::log(0.96), 1e-6);
  Pcen shared(PcenOptions(6).per_channel_smooth_coef(false).learn_smooth_coef(false));
  EXPECT_EQ(shared->smooth_coef.numel(), 1);
  EXPECT_FALSE(shared->smooth_coef.requires_grad());
  EXPECT_EQ(plain->named_parameters().size(), 4u);
  const auto learned = plain->learned_values();
  ASSERT_EQ(learned.size(), 4u);
  EXPECT_EQ(learned[0].name, "pcen_alpha");
  EXPECT_NEAR(learned[0].values.at(5), 0.96, 1e-6);
  EXPECT_THROW(Pcen(PcenOptions(6).delta(0)), std::invalid_argument);
  EXPECT_THROW(Pcen(PcenOptions(6).smooth_coef(1.5)), std::invalid_argument);
  EXPECT_THROW(plain->forward(torch::rand({2, 1, 5, 12})), std::invalid_argument);
}

}  // namespace
}  // namespace tfgram::testing
