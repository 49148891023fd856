#include "tfgram/data/random.h"

#include <cmath>
#include <utility>

#include "tfgram/util/check.h"

namespace tfgram::data {
namespace {

uint64_t splitmix(uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

}  // namespace

uint64_t derive_seed(uint64_t seed, uint64_t stream) { return splitmix(splitmix(seed) ^ stream); }

double uniform01(Rng& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

double uniform(Rng& rng, double low, double high) { return low + (high - low) * uniform01(rng); }

uint64_t uniform_index(Rng& rng, uint64_t n) {
  util::require(n > 0, "uniform_index", "n must be > 0");
  // 2^64 mod n: draws below it would favour small results.
  const uint64_t threshold = (0 - n) % n;
  for (;;) {
    const uint64_t x = rng();
    if (x >= threshold) return x % n;
  }
}

double standard_normal(Rng& rng) {
  const double u1 = 1.0 - uniform01(rng);  // (0, 1]: log stays finite
  const double u2 = uniform01(rng);
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
}

void shuffle(std::vector<int64_t>& values, Rng& rng) {
  for (size_t i = values.size(); i > 1; --i) {
    const size_t j = static_cast<size_t>(uniform_index(rng, i));
    std::swap(values[i - 1], values[j]);
  }
}

}  // namespace tfgram::data
