#include "tfgram/data/fit_length.h"

#include <torch/torch.h>

#include <algorithm>
#include <cctype>

#include "tfgram/util/check.h"

namespace tfgram::data {

LengthPolicy parse_length_policy(const std::string& name) {
  std::string lower;
  for (const char c : name) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "none") return LengthPolicy::kNone;
  if (lower == "start") return LengthPolicy::kStart;
  if (lower == "centre" || lower == "center") return LengthPolicy::kCentre;
  throw std::invalid_argument(util::concat("length_policy: unknown policy '", name,
                                           "' (expected none, start or centre)"));
}

std::string to_string(LengthPolicy policy) {
  switch (policy) {
    case LengthPolicy::kNone: return "none";
    case LengthPolicy::kStart: return "start";
    case LengthPolicy::kCentre: return "centre";
  }
  return "unknown";
}

int64_t fit_offset(int64_t n, int64_t length, LengthPolicy policy) {
  if (policy != LengthPolicy::kCentre) return 0;
  // Python's floor division: (length - n) // 2 rounds towards −∞ for longer clips too.
  const int64_t diff = length - n;
  const int64_t half = diff >= 0 ? diff / 2 : -((-diff + 1) / 2);
  return 1 + half;
}

std::vector<float> fit_length(std::vector<float> samples, int64_t length, LengthPolicy policy) {
  if (policy == LengthPolicy::kNone) return samples;
  util::require(length > 0, "fit_length", "length must be > 0 for policy ", to_string(policy),
                ", got ", length);
  const auto n = static_cast<int64_t>(samples.size());
  const int64_t offset = fit_offset(n, length, policy);
  if (offset == 0 && n >= length) {
    samples.resize(static_cast<size_t>(length));
    return samples;
  }
  std::vector<float> out(static_cast<size_t>(length), 0.0f);
  // Output j takes input j − offset where that exists.
  const int64_t first = std::max<int64_t>(0, offset);
  const int64_t last = std::min<int64_t>(length, n + offset);
  if (last > first) {
    std::copy(samples.begin() + (first - offset), samples.begin() + (last - offset),
              out.begin() + first);
  }
  return out;
}

torch::Tensor fit_length(const torch::Tensor& samples, int64_t length, LengthPolicy policy) {
  if (policy == LengthPolicy::kNone) return samples;
  util::require(length > 0, "fit_length", "length must be > 0 for policy ", to_string(policy),
                ", got ", length);
  util::require(samples.dim() >= 1, "fit_length", "samples need at least one dimension");
  const int64_t n = samples.size(-1);
  const int64_t offset = fit_offset(n, length, policy);
  // constant_pad_nd crops where a pad is negative.
  return torch::constant_pad_nd(samples, {offset, length - n - offset}, 0.0);
}

}  // namespace tfgram::data
