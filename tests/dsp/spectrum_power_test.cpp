// The fused DMEL loop's vectorised |X|² and σ-derivative (spectrum_power) against the per-frame
// formulas in float64: eight frames into the tile's [bin][frame] layout, and one frame into a
// row, at transform sizes whose bin count is and is not a multiple of the vector width, odd ones
// included, so the last block's partial store and the wrapped bin 0 are both exercised.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "dsp/spectrum_power.h"

namespace tfgram::testing {
namespace {

using dsp::detail::kSpectrumGroup;

constexpr int64_t kTile = 16;  // the kernel's frames per tile; columns beyond the group stay untouched

struct Spectra {
  int64_t n_fft, n_freqs, slot;
  std::vector<float> values;  // kSpectrumGroup joint spectra, `slot` apart, Z_0 repeated at bin n
};

Spectra random_spectra(int64_t n_fft, unsigned seed) {
  Spectra s{n_fft, n_fft / 2 + 1, dsp::detail::spectrum_slot(n_fft), {}};
  s.values.assign(kSpectrumGroup * s.slot, 0.0f);
  std::mt19937 rng(seed);
  std::normal_distribution<float> value(0.0f, 3.0f);
  for (int64_t i = 0; i < kSpectrumGroup; ++i) {
    float* z = s.values.data() + i * s.slot;
    for (int64_t j = 0; j < 2 * n_fft; ++j) z[j] = value(rng);
    z[2 * n_fft] = z[0];
    z[2 * n_fft + 1] = z[1];
  }
  return s;
}

// |X_k|² and 2·Re(conj(X_k)·X'_k) of joint spectrum z at bin k, in float64.
std::pair<double, double> joint_reference(const float* z, int64_t n_fft, int64_t k, double inv_scale) {
  const int64_t m = (n_fft - k) % n_fft;
  const double pr = z[2 * k], pi = z[2 * k + 1], zr = z[2 * m], zi = z[2 * m + 1];
  const double xr = pr + zr, xi = pi - zi;
  return {0.25 * (xr * xr + xi * xi), (pr * zi + pi * zr) * inv_scale};
}

void expect_close(double actual, double expected, const std::string& what) {
  EXPECT_NEAR(actual, expected, 1e-5 * (std::abs(expected) + 1.0)) << what;
}

// A tile of n_freqs + 1 bins × kTile frames filled with a sentinel, so that a store outside the
// group's columns or past the last bin is seen.
std::vector<float> sentinel_tile(int64_t n_freqs) { return std::vector<float>((n_freqs + 1) * kTile, -7.0f); }

// Every cell of `tile`: those of the group's frames below n_freqs against expected(bin, frame),
// all others still the sentinel.
template <typename Expected>
void expect_tile(const std::vector<float>& tile, int64_t n_fft, int64_t n_freqs, const char* name,
                 const Expected& expected) {
  for (int64_t k = 0; k <= n_freqs; ++k) {
    for (int64_t i = 0; i < kTile; ++i) {
      const std::string what = std::string(name) + ", n_fft " + std::to_string(n_fft) + " bin " +
                               std::to_string(k) + " frame " + std::to_string(i);
      if (k == n_freqs || i >= kSpectrumGroup) {
        EXPECT_EQ(tile[k * kTile + i], -7.0f) << what << ": written outside the group";
      } else {
        expect_close(tile[k * kTile + i], expected(k, i), what);
      }
    }
  }
}

TEST(SpectrumPower, EightJointSpectraFillTheirTileColumns) {
  const float inv_scale = 0.37f;
  for (const int64_t n_fft : {16, 17, 30, 33, 128, 131}) {
    const auto s = random_spectra(n_fft, static_cast<unsigned>(n_fft));
    auto power = sentinel_tile(s.n_freqs), d_power = sentinel_tile(s.n_freqs);
    dsp::detail::group_joint_power(s.values.data(), s.slot, n_fft, s.n_freqs, inv_scale, power.data(),
                                   d_power.data(), kTile);
    const auto reference = [&](int64_t k, int64_t i) {
      return joint_reference(s.values.data() + i * s.slot, n_fft, k, inv_scale);
    };
    expect_tile(power, n_fft, s.n_freqs, "power", [&](int64_t k, int64_t i) { return reference(k, i).first; });
    expect_tile(d_power, n_fft, s.n_freqs, "derivative", [&](int64_t k, int64_t i) { return reference(k, i).second; });
  }
}

TEST(SpectrumPower, OneJointSpectrumFillsItsRow) {
  for (const int64_t n_fft : {16, 17, 30, 33, 128, 131}) {
    const auto s = random_spectra(n_fft, 100 + static_cast<unsigned>(n_fft));
    std::vector<float> power(s.n_freqs + 1, -7.0f), d_power(s.n_freqs + 1, -7.0f);
    dsp::detail::joint_power_row(s.values.data(), n_fft, s.n_freqs, 2.5f, power.data(), d_power.data());
    for (int64_t k = 0; k < s.n_freqs; ++k) {
      const auto [p, d] = joint_reference(s.values.data(), n_fft, k, 2.5);
      const std::string what = "n_fft " + std::to_string(n_fft) + " bin " + std::to_string(k);
      expect_close(power[k], p, what + " power");
      expect_close(d_power[k], d, what + " derivative");
    }
    EXPECT_EQ(power[s.n_freqs], -7.0f) << "n_fft " << n_fft << ": written past the row";
    EXPECT_EQ(d_power[s.n_freqs], -7.0f) << "n_fft " << n_fft << ": written past the row";
  }
}

TEST(SpectrumPower, EightRealSpectraFillTheirTileColumns) {
  for (const int64_t n_fft : {16, 17, 30, 128}) {
    const auto s = random_spectra(n_fft, 200 + static_cast<unsigned>(n_fft));  // read as r2c outputs
    auto power = sentinel_tile(s.n_freqs);
    dsp::detail::group_real_power(s.values.data(), s.slot, s.n_freqs, power.data(), kTile);
    expect_tile(power, n_fft, s.n_freqs, "power", [&](int64_t k, int64_t i) {
      const float* z = s.values.data() + i * s.slot;
      return static_cast<double>(z[2 * k]) * z[2 * k] + static_cast<double>(z[2 * k + 1]) * z[2 * k + 1];
    });
  }
}

}  // namespace
}  // namespace tfgram::testing
