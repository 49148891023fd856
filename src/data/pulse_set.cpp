#include "tfgram/data/pulse_set.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>

#include "tfgram/data/random.h"
#include "tfgram/util/check.h"

namespace tfgram::data {
namespace {

const std::vector<std::string> kClassNames = {"0_one_pulse", "1_two_in_time", "2_two_in_frequency"};

// Adds one zero-mean Gaussian-windowed sinusoid to `out` (SPEC §2.7).
void add_pulse(std::vector<double>& out, double t0, double f0, double width, double phase) {
  const auto n = out.size();
  std::vector<double> envelope(n);
  std::vector<double> carrier(n);
  double envelope_peak = 0.0;
  double carrier_peak = -1.0;
  for (size_t t = 0; t < n; ++t) {
    const double z = (static_cast<double>(t) - t0) / width;
    envelope[t] = std::exp(-0.5 * z * z);
    carrier[t] = std::sin(2.0 * M_PI * f0 * static_cast<double>(t) + phase);
    envelope_peak = std::max(envelope_peak, envelope[t]);
    carrier_peak = std::max(carrier_peak, carrier[t]);
  }
  // Both factors are scaled so their largest value on the grid is 1.
  const double scale = (envelope_peak > 0 ? 1.0 / envelope_peak : 1.0) * (carrier_peak > 0 ? 1.0 / carrier_peak : 1.0);
  double mean = 0.0;
  std::vector<double> pulse(n);
  for (size_t t = 0; t < n; ++t) {
    pulse[t] = envelope[t] * carrier[t] * scale;
    mean += pulse[t];
  }
  mean /= static_cast<double>(n);
  for (size_t t = 0; t < n; ++t) out[t] += pulse[t] - mean;
}

}  // namespace

void PulseSetOptions::validate() const {
  constexpr const char* where = "PulseSetOptions";
  util::require(examples() > 0, where, "examples must be > 0, got ", examples());
  util::require(length() >= 8, where, "length must be >= 8, got ", length());
  util::require(std::isfinite(sigma()) && sigma() > 0, where, "sigma must be > 0, got ", sigma());
  // d is drawn from [σ, N/5]: that range must exist.
  util::require(sigma() < static_cast<double>(length()) / 5.0, where, "sigma (", sigma(),
                ") must be below length/5 (", static_cast<double>(length()) / 5.0, ")");
  util::require(std::isfinite(noise_std()) && noise_std() >= 0, where, "noise_std must be >= 0, got ",
                noise_std());
  util::require(sample_rate() > 0, where, "sample_rate must be > 0, got ", sample_rate());
}

PulseSet::PulseSet(PulseSetOptions options) : options_(std::move(options)), map_(kClassNames) {
  options_.validate();
  const int64_t count = options_.examples();
  const int64_t n = options_.length();
  const double sigma = options_.sigma();
  const double centre = static_cast<double>(n) / 2.0;
  const double t_max = static_cast<double>(n) / 5.0;
  const double f_max = 0.1;
  const double t_min = sigma;
  const double f_min = sigma / (2.0 * static_cast<double>(n));
  const double k_max = 2.0 * t_max / (6.0 * sigma) + 1.0;
  util::require(f_min < f_max, "PulseSetOptions", "sigma/(2·length) = ", f_min, " must be below 0.1");

  signals_ = torch::empty({count, n}, torch::kFloat32);
  params_.resize(static_cast<size_t>(count));
  infos_.resize(static_cast<size_t>(count));
  float* out = signals_.data_ptr<float>();
  Rng rng(derive_seed(options_.seed(), 0));
  std::vector<double> x(static_cast<size_t>(n));
  auto phase = [&] { return uniform(rng, 0.0, 2.0 * M_PI); };
  for (int64_t e = 0; e < count; ++e) {
    std::fill(x.begin(), x.end(), 0.0);
    PulseParams& p = params_[static_cast<size_t>(e)];
    p.label = static_cast<int64_t>(uniform_index(rng, 3));
    if (p.label == 0) {
      const bool wider = uniform01(rng) < 0.5;
      p.width_scale = wider ? uniform(rng, 1.0, k_max) : uniform(rng, 1.0 / k_max, 1.0);
      add_pulse(x, centre, 0.25, sigma * p.width_scale, phase());
    } else if (p.label == 1) {
      p.time_offset = uniform(rng, t_min, t_max);
      const double phase_a = phase();
      const double phase_b = phase();
      add_pulse(x, centre - p.time_offset, 0.25, sigma, phase_a);
      add_pulse(x, centre + p.time_offset, 0.25, sigma, phase_b);
    } else {
      p.freq_offset = uniform(rng, f_min, f_max);
      const double phase_a = phase();
      const double phase_b = phase();
      add_pulse(x, centre, 0.25 - p.freq_offset, sigma, phase_a);
      add_pulse(x, centre, 0.25 + p.freq_offset, sigma, phase_b);
    }
    p.amplitude = uniform(rng, 0.5, 1.0);
    double mean = 0.0;
    for (auto& v : x) {
      v = v * p.amplitude + options_.noise_std() * uniform01(rng);
      mean += v;
    }
    mean /= static_cast<double>(n);
    for (int64_t t = 0; t < n; ++t) out[e * n + t] = static_cast<float>(x[static_cast<size_t>(t)] - mean);
    infos_[static_cast<size_t>(e)].label = kClassNames[static_cast<size_t>(p.label)];
  }
}

torch::Tensor PulseSet::waveform(int64_t index) const {
  check_index(index);
  return signals_[index];
}

int64_t PulseSet::label(int64_t index) const {
  check_index(index);
  return params_[static_cast<size_t>(index)].label;
}

const ClipInfo& PulseSet::info(int64_t index) const {
  check_index(index);
  return infos_[static_cast<size_t>(index)];
}

const PulseParams& PulseSet::params(int64_t index) const {
  check_index(index);
  return params_[static_cast<size_t>(index)];
}

}  // namespace tfgram::data
