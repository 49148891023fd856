#pragma once
// Seeded randomness for the data layer that gives the same numbers with every compiler and
// standard library.
#include <cstdint>
#include <random>
#include <vector>

namespace tfgram::data {

/// The generator behind every random choice in tfgram::data (splits, shuffling, the pulse set,
/// augmentation). The C++ standard fixes std::mt19937_64's output sequence but not what the
/// std::*_distribution classes make of it, so numbers are drawn with the helpers below.
using Rng = std::mt19937_64;

/// A well-mixed seed for sub-stream `stream` of `seed` (SplitMix64 finaliser over both), so
/// e.g. epoch 3 of seed 7 and epoch 7 of seed 3 are unrelated.
uint64_t derive_seed(uint64_t seed, uint64_t stream);
/// Uniform in [0, 1) with 53 random bits.
double uniform01(Rng& rng);
/// Uniform in [low, high).
double uniform(Rng& rng, double low, double high);
/// Uniform integer in [0, n), unbiased (rejection sampling); n must be > 0.
uint64_t uniform_index(Rng& rng, uint64_t n);
/// Standard normal (Box–Muller, one value per call).
double standard_normal(Rng& rng);
/// Fisher–Yates shuffle driven by uniform_index.
void shuffle(std::vector<int64_t>& values, Rng& rng);

}  // namespace tfgram::data
