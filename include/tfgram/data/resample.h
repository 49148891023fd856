#pragma once
// Sample-rate conversion with libsoxr.
#include <torch/types.h>

#include <vector>

namespace tfgram::data {

/// libsoxr's quality recipes; datasets always use kHigh (20-bit precision, 91% passband).
enum class ResampleQuality { kQuick, kLow, kMedium, kHigh, kVeryHigh };

/// `samples` at `from_rate` Hz, converted to `to_rate` Hz. The output always has
/// round(n · to_rate / from_rate) samples (soxr's own count trimmed or zero-extended by at most
/// a sample or two), so lengths are predictable. Equal rates return a copy.
std::vector<float> resample(const std::vector<float>& samples, double from_rate, double to_rate,
                            ResampleQuality quality = ResampleQuality::kHigh);

/// Tensor form: (N) or (B, N) of any floating dtype, each row converted independently;
/// returns float32 of shape (N') or (B, N').
torch::Tensor resample(const torch::Tensor& samples, double from_rate, double to_rate,
                       ResampleQuality quality = ResampleQuality::kHigh);

}  // namespace tfgram::data
