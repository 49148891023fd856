// The synthetic Gaussian-pulse set (SPEC §2.7).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "tfgram/data/pulse_set.h"

namespace tfgram::data {
namespace {

TEST(DataPulseSet, ShapesLabelsAndClassBalance) {
  const PulseSet set;  // the paper's grid: 5000 examples, N = 128, σ = 6.38, noise 0.5
  EXPECT_EQ(set.size(), 5000);
  EXPECT_EQ(set.signals().sizes(), (std::vector<int64_t>{5000, 128}));
  EXPECT_EQ(set.signals().scalar_type(), torch::kFloat32);
  EXPECT_EQ(set.class_names(), (std::vector<std::string>{"0_one_pulse", "1_two_in_time", "2_two_in_frequency"}));
  EXPECT_EQ(set.sample_rate(), 1);
  std::vector<int64_t> counts(3, 0);
  for (int64_t i = 0; i < set.size(); ++i) {
    ASSERT_GE(set.label(i), 0);
    ASSERT_LT(set.label(i), 3);
    ++counts[static_cast<size_t>(set.label(i))];
    EXPECT_EQ(set.info(i).label, set.class_names()[static_cast<size_t>(set.label(i))]);
  }
  // Uniform classes: 5000/3 ± 4.5 standard deviations (σ ≈ 33).
  for (const int64_t count : counts) {
    EXPECT_GT(count, 1517);
    EXPECT_LT(count, 1817);
  }
  EXPECT_TRUE(torch::isfinite(set.signals()).all().item<bool>());
  EXPECT_LT(set.signals().mean(1).abs().max().item<double>(), 1e-5);  // every example zero-mean
  EXPECT_TRUE(torch::equal(set.waveform(17), set.signals()[17]));
}

TEST(DataPulseSet, SameSeedSameSet) {
  const auto options = PulseSetOptions().examples(300).seed(42);
  const PulseSet a(options);
  const PulseSet b(options);
  EXPECT_TRUE(torch::equal(a.signals(), b.signals()));
  EXPECT_EQ(a.labels(), b.labels());
  const PulseSet c(PulseSetOptions(options).seed(43));
  EXPECT_FALSE(torch::equal(a.signals(), c.signals()));
  EXPECT_NE(a.labels(), c.labels());
  // A longer set starts with the shorter one: examples are drawn one after another.
  const PulseSet longer(PulseSetOptions(options).examples(400));
  EXPECT_TRUE(torch::equal(longer.signals().slice(0, 0, 300), a.signals()));
}

TEST(DataPulseSet, DrawsStayInTheirSpecifiedRanges) {
  const PulseSet set(PulseSetOptions().examples(2000).seed(1));
  const double sigma = 6.38;
  const double n = 128;
  const double k_max = 2.0 * (n / 5.0) / (6.0 * sigma) + 1.0;
  int wider = 0;
  int narrower = 0;
  for (int64_t i = 0; i < set.size(); ++i) {
    const auto& p = set.params(i);
    EXPECT_GE(p.amplitude, 0.5);
    EXPECT_LE(p.amplitude, 1.0);
    if (p.label == 0) {
      EXPECT_GE(p.width_scale, 1.0 / k_max);
      EXPECT_LE(p.width_scale, k_max);
      (p.width_scale >= 1.0 ? wider : narrower)++;
    } else if (p.label == 1) {
      EXPECT_GE(p.time_offset, sigma);
      EXPECT_LE(p.time_offset, n / 5.0);
    } else {
      EXPECT_GE(p.freq_offset, sigma / (2.0 * n));
      EXPECT_LE(p.freq_offset, 0.1);
    }
  }
  EXPECT_GT(wider, 250);  // each half of class 0 is drawn about equally often
  EXPECT_GT(narrower, 250);
}

TEST(DataPulseSet, NoiselessPulsesSitWhereTheClassSays) {
  const PulseSet set(PulseSetOptions().examples(300).noise_std(0.0).seed(3));
  const auto t = torch::arange(128, torch::kFloat64);
  for (int64_t i = 0; i < set.size(); ++i) {
    const auto x = set.waveform(i).to(torch::kFloat64);
    const auto energy = x.pow(2);
    const double centroid = (energy * t).sum().item<double>() / energy.sum().item<double>();
    const auto& p = set.params(i);
    if (p.label == 1) {
      // Two pulses at 64 ± d: their peaks lie at least d − σ away from the centre.
      const int64_t peak = x.abs().argmax().item<int64_t>();
      EXPECT_GT(std::abs(static_cast<double>(peak) - 64.0), p.time_offset - 6.38) << i;
    } else {
      // One time position: energy centred on N/2 (zero-meaning leaves a small floor).
      EXPECT_NEAR(centroid, 64.0, 3.0) << "class " << p.label << " example " << i;
    }
    EXPECT_LE(x.abs().max().item<double>(), 2.0 * p.amplitude + 1e-6);
  }
}

TEST(DataPulseSet, RejectsImpossibleOptions) {
  EXPECT_THROW(PulseSet(PulseSetOptions().examples(0)), std::invalid_argument);
  EXPECT_THROW(PulseSet(PulseSetOptions().sigma(30.0)), std::invalid_argument);  // σ ≥ N/5
  EXPECT_THROW(PulseSet(PulseSetOptions().noise_std(-1)), std::invalid_argument);
  EXPECT_THROW(PulseSet(PulseSetOptions().examples(5)).waveform(5), std::out_of_range);
}

}  // namespace
}  // namespace tfgram::data
