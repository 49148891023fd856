// SincGram's range constraint: centres within [0, sr/2], bandwidths above a floor, and honest
// reporting of filters that leave the range (SincGramConstraint).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "tfgram/frontends/sincgram.h"

namespace tfgram::testing {
namespace {
using namespace tfgram::frontends;

// Puts filter 0's centre below 0 Hz, filter 1's above Nyquist and filter 2's width parameter
// through zero (β + eps < 0); filter 3 stays as initialised.
void push_out_of_range(SincGram& layer) {
  torch::NoGradGuard no_grad;
  layer->freq_centers[0][0] = -1.2;
  layer->freq_centers[0][1] = 1.3;
  layer->bands[0][2] = -1.5;  // β = (b + 1)·μ/2 < 0
}

TEST(SincGramConstraint, ProjectionClampsAndReportsEachFilter) {
  SincGram layer(SincGramOptions(257, 8000).filters(4));
  const auto untouched_centre = layer->freq_centers[0][3].item<double>();
  const auto untouched_band = layer->bands[0][3].item<double>();
  push_out_of_range(layer);
  const auto events = layer->constrain_parameters();
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].element, "filter 0");
  EXPECT_NE(events[0].problem.find("centre left the band"), std::string::npos);
  EXPECT_EQ(events[1].element, "filter 1");
  EXPECT_EQ(events[2].element, "filter 2");
  EXPECT_NE(events[2].problem.find("bandwidth collapsed"), std::string::npos);
  EXPECT_NE(events[2].detail.find("crossed zero"), std::string::npos) << events[2].detail;

  const auto centres = layer->center_hz();
  const auto widths = layer->bandwidth_hz();
  EXPECT_DOUBLE_EQ(centres[0].item<double>(), 0.0);
  EXPECT_DOUBLE_EQ(centres[1].item<double>(), 4000.0);
  const double floor = 4000.0 / 256.0;  // one bin spacing by default
  EXPECT_DOUBLE_EQ(layer->min_bandwidth_hz(), floor);
  EXPECT_NEAR(widths[2].item<double>(), floor, 1e-9 * floor);
  EXPECT_GT(widths.min().item<double>(), 0.0);
  EXPECT_EQ(layer->freq_centers[0][3].item<double>(), untouched_centre);
  EXPECT_EQ(layer->bands[0][3].item<double>(), untouched_band);
  // Projected values are in range: nothing more to report, nothing changes.
  EXPECT_TRUE(layer->constrain_parameters().empty());
}

TEST(SincGramConstraint, NoneKeepsThePublishedValuesAndStillReports) {
  SincGram layer(SincGramOptions(257, 8000).filters(4).constraint(SincGramConstraint::kNone));
  push_out_of_range(layer);
  const auto before_c = layer->freq_centers.clone();
  const auto before_b = layer->bands.clone();
  EXPECT_EQ(layer->constrain_parameters().size(), 3u);
  EXPECT_TRUE(torch::equal(layer->freq_centers, before_c));
  EXPECT_TRUE(torch::equal(layer->bands, before_b));
  // Reported in Hz as the response acts: the centre where it is, the width as |β + eps|.
  const auto centres = layer->center_hz();
  EXPECT_LT(centres[0].item<double>(), 0.0);
  EXPECT_GT(centres[1].item<double>(), 4000.0);
  const double mu = 0.25 - 2.0 / 257.0;
  const double beta = (-1.5 + 1.0) * mu / 2.0;
  EXPECT_NEAR(layer->bandwidth_hz()[2].item<double>(), std::abs(beta) * 4000.0, 1e-9);
}

TEST(SincGramConstraint, ExplicitFloorAndItsValidation) {
  SincGram layer(SincGramOptions(257, 8000).filters(4).min_bandwidth_hz(50.0));
  {
    torch::NoGradGuard no_grad;
    layer->bands[0][0] = -0.99;  // ~1 Hz wide
  }
  const auto events = layer->constrain_parameters();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_NEAR(layer->bandwidth_hz()[0].item<double>(), 50.0, 1e-6);
  for (const double bad : {0.0, -1.0, 4000.0, std::nan("")}) {
    EXPECT_THROW(SincGram(SincGramOptions(257, 8000).min_bandwidth_hz(bad)), std::invalid_argument) << bad;
  }
  EXPECT_THROW(parse_sincgram_constraint("clamp"), std::invalid_argument);
}

TEST(SincGramConstraint, ProjectionLeavesTheGradientPathIntact) {
  SincGram layer(SincGramOptions(65, 8000).filters(8));
  push_out_of_range(layer);
  layer->constrain_parameters();
  EXPECT_TRUE(layer->freq_centers.requires_grad());
  const auto out = layer->forward(torch::rand({2, 1, 65, 5}));
  out.sum().backward();
  EXPECT_TRUE(torch::isfinite(layer->freq_centers.grad()).all().item<bool>());
  EXPECT_TRUE(torch::isfinite(layer->bands.grad()).all().item<bool>());
}

}  // namespace
}  // namespace tfgram::testing
