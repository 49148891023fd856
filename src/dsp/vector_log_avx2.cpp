// log_with_offset on AVX2 + FMA: compiled with -mavx2 -mfma alone (src/CMakeLists.txt), called only
// where the CPU has both.
#include <immintrin.h>

#include "vector_log_isa.h"
#include "vector_log_loop.h"

// glibc's libmvec, by its names in the x86-64 vector function ABI ('d': AVX2, 8 or 4 lanes).
extern "C" __m256 _ZGVdN8v_logf(__m256);
extern "C" __m256d _ZGVdN4v_log(__m256d);

namespace tfgram::dsp::detail {
namespace {

struct Float8 {
  static constexpr int64_t lanes = 8;
  static __m256 load(const float* p) { return _mm256_loadu_ps(p); }
  static void store(float* p, __m256 v) { _mm256_storeu_ps(p, v); }
  static __m256 set1(float v) { return _mm256_set1_ps(v); }
  static __m256 add(__m256 a, __m256 b) { return _mm256_add_ps(a, b); }
  static __m256 div(__m256 a, __m256 b) { return _mm256_div_ps(a, b); }
  static __m256 log(__m256 v) { return _ZGVdN8v_logf(v); }
};

struct Double4 {
  static constexpr int64_t lanes = 4;
  static __m256d load(const double* p) { return _mm256_loadu_pd(p); }
  static void store(double* p, __m256d v) { _mm256_storeu_pd(p, v); }
  static __m256d set1(double v) { return _mm256_set1_pd(v); }
  static __m256d add(__m256d a, __m256d b) { return _mm256_add_pd(a, b); }
  static __m256d div(__m256d a, __m256d b) { return _mm256_div_pd(a, b); }
  static __m256d log(__m256d v) { return _ZGVdN4v_log(v); }
};

}  // namespace

void log_with_offset_avx2(float* x, float* d, int64_t n, float offset) { log_loop<Float8>(x, d, n, offset); }
void log_with_offset_avx2(double* x, double* d, int64_t n, double offset) { log_loop<Double4>(x, d, n, offset); }

}  // namespace tfgram::dsp::detail
