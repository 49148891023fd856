// log_with_offset on AVX-512F: compiled with -mavx512f alone (src/CMakeLists.txt), called only
// where the CPU has it.
#include <immintrin.h>

#include "vector_log_isa.h"
#include "vector_log_loop.h"

// glibc's libmvec, by its names in the x86-64 vector function ABI ('e': AVX-512, 16 or 8 lanes).
extern "C" __m512 _ZGVeN16v_logf(__m512);
extern "C" __m512d _ZGVeN8v_log(__m512d);

namespace tfgram::dsp::detail {
namespace {

struct Float16 {
  static constexpr int64_t lanes = 16;
  static __m512 load(const float* p) { return _mm512_loadu_ps(p); }
  static void store(float* p, __m512 v) { _mm512_storeu_ps(p, v); }
  static __m512 set1(float v) { return _mm512_set1_ps(v); }
  static __m512 add(__m512 a, __m512 b) { return _mm512_add_ps(a, b); }
  static __m512 div(__m512 a, __m512 b) { return _mm512_div_ps(a, b); }
  static __m512 log(__m512 v) { return _ZGVeN16v_logf(v); }
};

struct Double8 {
  static constexpr int64_t lanes = 8;
  static __m512d load(const double* p) { return _mm512_loadu_pd(p); }
  static void store(double* p, __m512d v) { _mm512_storeu_pd(p, v); }
  static __m512d set1(double v) { return _mm512_set1_pd(v); }
  static __m512d add(__m512d a, __m512d b) { return _mm512_add_pd(a, b); }
  static __m512d div(__m512d a, __m512d b) { return _mm512_div_pd(a, b); }
  static __m512d log(__m512d v) { return _ZGVeN8v_log(v); }
};

}  // namespace

void log_with_offset_avx512(float* x, float* d, int64_t n, float offset) { log_loop<Float16>(x, d, n, offset); }
void log_with_offset_avx512(double* x, double* d, int64_t n, double offset) { log_loop<Double8>(x, d, n, offset); }

}  // namespace tfgram::dsp::detail
