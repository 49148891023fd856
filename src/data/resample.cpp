#include "tfgram/data/resample.h"

#include <soxr.h>
#include <torch/torch.h>

#include <cmath>

#include "tfgram/util/check.h"

namespace tfgram::data {
namespace {

unsigned long soxr_recipe(ResampleQuality quality) {
  switch (quality) {
    case ResampleQuality::kQuick: return SOXR_QQ;
    case ResampleQuality::kLow: return SOXR_LQ;
    case ResampleQuality::kMedium: return SOXR_MQ;
    case ResampleQuality::kHigh: return SOXR_HQ;
    case ResampleQuality::kVeryHigh: return SOXR_VHQ;
  }
  return SOXR_HQ;
}

void check_rates(double from_rate, double to_rate) {
  util::require(std::isfinite(from_rate) && from_rate > 0, "resample",
                "from_rate must be a positive number of Hz, got ", from_rate);
  util::require(std::isfinite(to_rate) && to_rate > 0, "resample",
                "to_rate must be a positive number of Hz, got ", to_rate);
}

void resample_into(const float* in, size_t n, double from_rate, double to_rate,
                   ResampleQuality quality, std::vector<float>& out) {
  const auto target = static_cast<size_t>(std::llround(static_cast<double>(n) * to_rate / from_rate));
  // Room for soxr's own rounding; the result is then trimmed or zero-extended to `target`.
  out.assign(target + 16, 0.0f);
  if (n == 0 || target == 0) {
    out.resize(target);
    return;
  }
  const soxr_io_spec_t io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I);
  const soxr_quality_spec_t q = soxr_quality_spec(soxr_recipe(quality), 0);
  size_t done = 0;
  const soxr_error_t error = soxr_oneshot(from_rate, to_rate, 1, in, n, nullptr, out.data(),
                                          out.size(), &done, &io, &q, nullptr);
  if (error != nullptr) {
    throw std::runtime_error(util::concat("resample: libsoxr failed converting ", from_rate,
                                          " Hz to ", to_rate, " Hz: ", error));
  }
  std::fill(out.begin() + static_cast<std::ptrdiff_t>(std::min(done, out.size())), out.end(), 0.0f);
  out.resize(target);
}

}  // namespace

std::vector<float> resample(const std::vector<float>& samples, double from_rate, double to_rate,
                            ResampleQuality quality) {
  check_rates(from_rate, to_rate);
  if (from_rate == to_rate) return samples;
  std::vector<float> out;
  resample_into(samples.data(), samples.size(), from_rate, to_rate, quality, out);
  return out;
}

torch::Tensor resample(const torch::Tensor& samples, double from_rate, double to_rate,
                       ResampleQuality quality) {
  check_rates(from_rate, to_rate);
  util::require(samples.dim() == 1 || samples.dim() == 2, "resample",
                "samples must be (N) or (B, N), got ", samples.sizes());
  util::require(samples.is_floating_point(), "resample", "samples must be floating point, got ",
                samples.scalar_type());
  const auto rows = samples.to(torch::kCPU, torch::kFloat32).contiguous().view({-1, samples.size(-1)});
  if (from_rate == to_rate) {
    return rows.view(samples.sizes()).clone();
  }
  const int64_t n = rows.size(1);
  const auto target = std::llround(static_cast<double>(n) * to_rate / from_rate);
  auto out = torch::empty({rows.size(0), target}, torch::kFloat32);
  std::vector<float> buffer;
  for (int64_t b = 0; b < rows.size(0); ++b) {
    resample_into(rows[b].data_ptr<float>(), static_cast<size_t>(n), from_rate, to_rate, quality,
                  buffer);
    std::copy(buffer.begin(), buffer.end(), out[b].data_ptr<float>());
  }
  return samples.dim() == 1 ? out.view({target}) : out;
}

}  // namespace tfgram::data
