// TF-DE's fused maxout node against the expression it replaces, max(x·a, x·s) through autograd.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "frontends/gated_maxout.h"
#include "support/close.h"

namespace tfgram::testing {
namespace {

void expect_matches_reference(const torch::Tensor& x_base, torch::ScalarType dtype, double rtol) {
  torch::manual_seed(4);
  const int64_t batch = x_base.size(0), rows = x_base.size(2), frames = x_base.size(3);
  const auto a_base = torch::rand({batch, rows}, dtype);
  auto s_base = torch::rand({batch, 1, rows}, dtype);
  s_base.select(1, 0).select(1, 0).copy_(a_base.select(1, 0));  // equal gates on one row: ties everywhere there
  const auto upstream = torch::randn({batch, 1, rows, frames}, dtype);
  const auto run = [&](bool fused) {
    const auto x = x_base.detach().clone().requires_grad_(true);
    // Keep SincGram's (B, 1, F, T)-over-(B, T, F) memory order when the base has it.
    const auto xin = x_base.stride(2) == 1 ? x.transpose(2, 3).contiguous().transpose(2, 3) : x;
    const auto a = a_base.clone().requires_grad_(true);
    const auto s = s_base.clone().requires_grad_(true);
    const auto out = fused ? frontends::detail::gated_maxout(xin, a, s)
                           : torch::maximum(xin * a.unsqueeze(1).unsqueeze(-1), xin * s.unsqueeze(-1));
    (out * upstream).sum().backward();
    return std::make_tuple(out.detach(), x.grad(), a.grad(), s.grad());
  };
  const auto [o1, dx1, da1, ds1] = run(true);
  const auto [o2, dx2, da2, ds2] = run(false);
  EXPECT_TRUE(torch::equal(o1, o2));
  EXPECT_TRUE(all_close(dx1, dx2, rtol, rtol));
  EXPECT_TRUE(all_close(da1, da2, rtol, rtol * frames));
  EXPECT_TRUE(all_close(ds1, ds2, rtol, rtol * frames));
}

TEST(GatedMaxout, MatchesMaximumOfGatedCopies) {
  for (const auto dtype : {torch::kFloat64, torch::kFloat32}) {
    const double rtol = dtype == torch::kFloat64 ? 1e-12 : 1e-5;
    auto x = torch::randn({3, 1, 8, 21}, dtype);
    x.select(3, 4).zero_();  // x = 0: a tie between the branches
    expect_matches_reference(x, dtype, rtol);
    // The same values in SincGram's memory order ((B, 1, F, T) over (B, T, F)).
    expect_matches_reference(x.transpose(2, 3).contiguous().transpose(2, 3), dtype, rtol);
  }
}

TEST(GatedMaxout, PropagatesNaNAsMaximumDoes) {
  auto x = torch::ones({1, 1, 2, 3});
  x[0][0][1][2] = std::numeric_limits<float>::quiet_NaN();
  const auto out = frontends::detail::gated_maxout(x, torch::full({1, 2}, 0.3), torch::full({1, 1, 2}, 0.6));
  EXPECT_TRUE(std::isnan(out[0][0][1][2].item<float>()));
  EXPECT_FLOAT_EQ(out[0][0][0][0].item<float>(), 0.6f);
}

}  // namespace
}  // namespace tfgram::testing
