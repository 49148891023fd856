#pragma once
// Padding or cutting clips to a fixed number of samples, by a named policy.
#include <torch/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace tfgram::data {

/// How a clip of n samples becomes `length` samples (zeros fill, surplus is cut):
/// - kNone: left as it is;
/// - kStart: keep the start — samples [0, length), zeros appended;
/// - kCentre: the DMEL paper's Audio-MNIST rule `np.pad(x, 1 + (length - n) // 2)[:length]`:
///   the clip starts at offset 1 + ⌊(length − n)/2⌋ (pad both sides, then cut). A longer clip
///   gets a negative offset, so its centre is kept.
enum class LengthPolicy { kNone, kStart, kCentre };

/// "none", "start", "centre" (or "center"); throws std::invalid_argument naming the choices.
LengthPolicy parse_length_policy(const std::string& name);
std::string to_string(LengthPolicy policy);

/// Where sample 0 of a clip of `n` samples lands in the output (see LengthPolicy).
int64_t fit_offset(int64_t n, int64_t length, LengthPolicy policy);

/// `samples` fitted to `length` (> 0) by `policy`; kNone returns them unchanged.
std::vector<float> fit_length(std::vector<float> samples, int64_t length, LengthPolicy policy);

/// Tensor form along the last dimension.
torch::Tensor fit_length(const torch::Tensor& samples, int64_t length, LengthPolicy policy);

}  // namespace tfgram::data
