#include "vector_log.h"

#include <cmath>

#include "tfgram_build_config.h"
#if TFGRAM_HAVE_LIBMVEC
#include <emmintrin.h>

#include "vector_log_isa.h"

// glibc's libmvec, by its names in the x86-64 vector function ABI ('b': SSE2, 4 or 2 lanes).
extern "C" __m128 _ZGVbN4v_logf(__m128);
extern "C" __m128d _ZGVbN2v_log(__m128d);
#endif

namespace tfgram::dsp::detail {
namespace {

enum class Isa { kAvx512, kAvx2, kSse2, kScalar };

Isa detect() {
#if TFGRAM_HAVE_LIBMVEC
  // libgcc's checks include the OS's support for the wider register state (XGETBV).
  if (__builtin_cpu_supports("avx512f")) return Isa::kAvx512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return Isa::kAvx2;
  return Isa::kSse2;
#else
  return Isa::kScalar;
#endif
}

Isa isa() {
  static const Isa chosen = detect();
  return chosen;
}

template <typename Real>
void scalar(Real* x, Real* d, int64_t n, Real offset) {
  for (int64_t i = 0; i < n; ++i) {
    const Real v = x[i] + offset;
    if (d != nullptr) d[i] /= v;
    x[i] = std::log(v);
  }
}

#if TFGRAM_HAVE_LIBMVEC
// SSE2 is part of x86-64 itself: the baseline build has it.
void sse2(float* x, float* d, int64_t n, float offset) {
  const __m128 c = _mm_set1_ps(offset);
  int64_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const __m128 v = _mm_add_ps(_mm_loadu_ps(x + i), c);
    if (d != nullptr) _mm_storeu_ps(d + i, _mm_div_ps(_mm_loadu_ps(d + i), v));
    _mm_storeu_ps(x + i, _ZGVbN4v_logf(v));
  }
  scalar(x + i, d == nullptr ? nullptr : d + i, n - i, offset);
}

void sse2(double* x, double* d, int64_t n, double offset) {
  const __m128d c = _mm_set1_pd(offset);
  int64_t i = 0;
  for (; i + 2 <= n; i += 2) {
    const __m128d v = _mm_add_pd(_mm_loadu_pd(x + i), c);
    if (d != nullptr) _mm_storeu_pd(d + i, _mm_div_pd(_mm_loadu_pd(d + i), v));
    _mm_storeu_pd(x + i, _ZGVbN2v_log(v));
  }
  scalar(x + i, d == nullptr ? nullptr : d + i, n - i, offset);
}
#endif

template <typename Real>
void dispatch(Real* x, Real* d, int64_t n, Real offset) {
  switch (isa()) {
#if TFGRAM_HAVE_LIBMVEC
    case Isa::kAvx512:
      return log_with_offset_avx512(x, d, n, offset);
    case Isa::kAvx2:
      return log_with_offset_avx2(x, d, n, offset);
    case Isa::kSse2:
      return sse2(x, d, n, offset);
#endif
    default:
      return scalar(x, d, n, offset);
  }
}

}  // namespace

void log_with_offset(float* x, float* d, int64_t n, float offset) { dispatch(x, d, n, offset); }
void log_with_offset(double* x, double* d, int64_t n, double offset) { dispatch(x, d, n, offset); }

const char* log_with_offset_isa() {
  switch (isa()) {
    case Isa::kAvx512:
      return "avx512";
    case Isa::kAvx2:
      return "avx2";
    case Isa::kSse2:
      return "sse2";
    default:
      return "scalar";
  }
}

}  // namespace tfgram::dsp::detail
