// The fused DMEL kernel's vectorised log (libmvec at the CPU's widest level, else std::log) against
// std::log in float64, at every length around the vector widths so each tail path runs.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "dsp/vector_log.h"

namespace tfgram::testing {
namespace {

template <typename Real>
void expect_matches_std_log(double rtol) {
  std::mt19937 rng(11);
  std::uniform_real_distribution<double> value(0.0, 1e4), derivative(-5.0, 5.0);
  const Real offset = static_cast<Real>(1e-3);
  for (int64_t n = 0; n <= 40; ++n) {
    std::vector<Real> x(n), d(n), x_only(n);
    for (int64_t i = 0; i < n; ++i) {
      x[i] = x_only[i] = static_cast<Real>(i % 5 == 0 ? 0.0 : value(rng));
      d[i] = static_cast<Real>(derivative(rng));
    }
    const auto x0 = x, d0 = d;
    dsp::detail::log_with_offset(x.data(), d.data(), n, offset);
    dsp::detail::log_with_offset(x_only.data(), nullptr, n, offset);
    for (int64_t i = 0; i < n; ++i) {
      const double v = static_cast<double>(x0[i]) + static_cast<double>(offset);
      const double log_ref = std::log(v), d_ref = static_cast<double>(d0[i]) / v;
      EXPECT_NEAR(x[i], log_ref, rtol * std::max(1.0, std::abs(log_ref))) << "n " << n << " i " << i;
      EXPECT_NEAR(d[i], d_ref, rtol * std::abs(d_ref)) << "n " << n << " i " << i;
      EXPECT_EQ(x_only[i], x[i]) << "without d, n " << n << " i " << i;
    }
  }
}

TEST(VectorLog, MatchesStdLogAndDividesTheDerivativeAtEveryLength) {
  ::testing::Test::RecordProperty("isa", dsp::detail::log_with_offset_isa());
  // libmvec's log is within 4 ulp (glibc's bound; 1.5 measured in float32), plus half an ulp from
  // rounding x + offset.
  expect_matches_std_log<float>(4.5 * std::numeric_limits<float>::epsilon());
  expect_matches_std_log<double>(4.5 * std::numeric_limits<double>::epsilon());
}

TEST(VectorLog, SpecialValuesAsIeeeLog) {
  constexpr float inf = std::numeric_limits<float>::infinity();
  std::vector<float> x = {0.0f, inf, std::nanf(""), -1.0f, 1.0f};
  dsp::detail::log_with_offset(x.data(), nullptr, static_cast<int64_t>(x.size()), 0.0f);
  EXPECT_EQ(x[0], -inf);
  EXPECT_EQ(x[1], inf);
  EXPECT_TRUE(std::isnan(x[2]));
  EXPECT_TRUE(std::isnan(x[3]));
  EXPECT_EQ(x[4], 0.0f);
}

}  // namespace
}  // namespace tfgram::testing
