#pragma once
// Shared pieces of the hand-fused CPU loops (DMEL kernel, TF-DE maxout, normalisation, SincGram's
// responses). Internal.
#include <torch/types.h>

#include <cstdint>

namespace tfgram::util::detail {

/// The tensors the fused CPU loops handle: float32 or float64 on the CPU.
inline bool fused_cpu_supports(const torch::Tensor& x) {
  return x.device().is_cpu() && (x.scalar_type() == torch::kFloat32 || x.scalar_type() == torch::kFloat64);
}

/// Element (i, j) of a 2-d tensor with any strides.
template <typename Real>
struct Strided2 {
  const Real* data;
  int64_t s0, s1;
  explicit Strided2(const torch::Tensor& t) : data(t.data_ptr<Real>()), s0(t.stride(0)), s1(t.stride(1)) {}
  Real operator()(int64_t i, int64_t j) const { return data[i * s0 + j * s1]; }
};

/// Element (b, c, f, t) of a 4-d tensor with any strides (expanded gradients have stride 0).
template <typename Real>
struct Strided4 {
  Real* data;
  int64_t s0, s1, s2, s3;
  explicit Strided4(const torch::Tensor& t)
      : data(t.data_ptr<Real>()), s0(t.stride(0)), s1(t.stride(1)), s2(t.stride(2)), s3(t.stride(3)) {}
  Real& operator()(int64_t b, int64_t c, int64_t f, int64_t t) const {
    return data[b * s0 + c * s1 + f * s2 + t * s3];
  }
};

/// Calls body(c, f, t) for every element of one example of a (B, C, F, T) tensor, with the smaller
/// of the f and t strides innermost so the loop walks memory in order (SincGram's output is
/// (B, C, F, T) over (B, C, T, F) memory).
template <typename Body>
void for_each_in_example(const torch::Tensor& x, const Body& body) {
  const int64_t channels = x.size(1), rows = x.size(2), frames = x.size(3);
  const bool f_inner = x.stride(2) <= x.stride(3);
  for (int64_t c = 0; c < channels; ++c) {
    if (f_inner) {
      for (int64_t t = 0; t < frames; ++t)
        for (int64_t f = 0; f < rows; ++f) body(c, f, t);
    } else {
      for (int64_t f = 0; f < rows; ++f)
        for (int64_t t = 0; t < frames; ++t) body(c, f, t);
    }
  }
}

}  // namespace tfgram::util::detail
