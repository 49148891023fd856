#include "real_fft.h"

#include <fftw3.h>

#include <map>
#include <mutex>
#include <new>
#include <stdexcept>
#include <string>

namespace tfgram::dsp::detail {
namespace {

// FFTW_ESTIMATE, not FFTW_MEASURE: measured plans are up to ~1.5x faster at n = 128 (~1.05x at
// 4096) but cost 20-170 ms per size and depend on timing, so two processes could pick different
// algorithms and round differently — a resumed training run would no longer reproduce an
// uninterrupted one bit for bit.
constexpr unsigned kPlannerFlags = FFTW_ESTIMATE;

std::mutex& planner_mutex() {
  static std::mutex mutex;
  return mutex;
}

template <typename Real>
struct Fftw;

struct Plans {
  void* r2c = nullptr;
  void* c2r = nullptr;
  void* c2c = nullptr;  // forward, out of place
};

template <>
struct Fftw<float> {
  static Plans plans(int n) {
    auto* real = static_cast<float*>(fftwf_malloc(sizeof(float) * n));
    auto* spectrum = static_cast<fftwf_complex*>(fftwf_malloc(sizeof(fftwf_complex) * (n / 2 + 1)));
    auto* in = static_cast<fftwf_complex*>(fftwf_malloc(sizeof(fftwf_complex) * n));
    auto* out = static_cast<fftwf_complex*>(fftwf_malloc(sizeof(fftwf_complex) * n));
    Plans made;
    made.r2c = fftwf_plan_dft_r2c_1d(n, real, spectrum, kPlannerFlags);
    made.c2r = fftwf_plan_dft_c2r_1d(n, spectrum, real, kPlannerFlags);
    made.c2c = fftwf_plan_dft_1d(n, in, out, FFTW_FORWARD, kPlannerFlags);
    for (void* p : {static_cast<void*>(real), static_cast<void*>(spectrum), static_cast<void*>(in),
                    static_cast<void*>(out)}) {
      fftwf_free(p);
    }
    return made;
  }
  static void r2c(void* plan, float* in, float* out) {
    fftwf_execute_dft_r2c(static_cast<fftwf_plan>(plan), in, reinterpret_cast<fftwf_complex*>(out));
  }
  static void c2r(void* plan, float* in, float* out) {
    fftwf_execute_dft_c2r(static_cast<fftwf_plan>(plan), reinterpret_cast<fftwf_complex*>(in), out);
  }
  static void c2c(void* plan, float* in, float* out) {
    fftwf_execute_dft(static_cast<fftwf_plan>(plan), reinterpret_cast<fftwf_complex*>(in),
                      reinterpret_cast<fftwf_complex*>(out));
  }
};

template <>
struct Fftw<double> {
  static Plans plans(int n) {
    auto* real = static_cast<double*>(fftw_malloc(sizeof(double) * n));
    auto* spectrum = static_cast<fftw_complex*>(fftw_malloc(sizeof(fftw_complex) * (n / 2 + 1)));
    auto* in = static_cast<fftw_complex*>(fftw_malloc(sizeof(fftw_complex) * n));
    auto* out = static_cast<fftw_complex*>(fftw_malloc(sizeof(fftw_complex) * n));
    Plans made;
    made.r2c = fftw_plan_dft_r2c_1d(n, real, spectrum, kPlannerFlags);
    made.c2r = fftw_plan_dft_c2r_1d(n, spectrum, real, kPlannerFlags);
    made.c2c = fftw_plan_dft_1d(n, in, out, FFTW_FORWARD, kPlannerFlags);
    for (void* p : {static_cast<void*>(real), static_cast<void*>(spectrum), static_cast<void*>(in),
                    static_cast<void*>(out)}) {
      fftw_free(p);
    }
    return made;
  }
  static void r2c(void* plan, double* in, double* out) {
    fftw_execute_dft_r2c(static_cast<fftw_plan>(plan), in, reinterpret_cast<fftw_complex*>(out));
  }
  static void c2r(void* plan, double* in, double* out) {
    fftw_execute_dft_c2r(static_cast<fftw_plan>(plan), reinterpret_cast<fftw_complex*>(in), out);
  }
  static void c2c(void* plan, double* in, double* out) {
    fftw_execute_dft(static_cast<fftw_plan>(plan), reinterpret_cast<fftw_complex*>(in),
                     reinterpret_cast<fftw_complex*>(out));
  }
};

// Plans live for the whole process: a handful of sizes is ever used.
template <typename Real>
Plans cached_plans(int64_t n) {
  if (n < 1 || n > (int64_t{1} << 30)) {
    throw std::invalid_argument("FFT: size must lie in [1, 2^30], got " + std::to_string(n));
  }
  std::lock_guard<std::mutex> lock(planner_mutex());
  static std::map<int64_t, Plans> plans;
  auto found = plans.find(n);
  if (found == plans.end()) {
    const auto made = Fftw<Real>::plans(static_cast<int>(n));
    if (made.r2c == nullptr || made.c2r == nullptr || made.c2c == nullptr) {
      throw std::runtime_error("FFT: FFTW could not plan a transform of size " + std::to_string(n));
    }
    found = plans.emplace(n, made).first;
  }
  return found->second;
}

}  // namespace

void FftwDeleter::operator()(void* p) const { fftw_free(p); }

template <typename T>
FftBuffer<T> make_fft_buffer(std::size_t count) {
  // fftw_malloc and fftwf_malloc align the same way; either frees with fftw_free.
  void* p = fftw_malloc(sizeof(T) * (count == 0 ? 1 : count));
  if (p == nullptr) throw std::bad_alloc();
  return FftBuffer<T>(static_cast<T*>(p));
}

template FftBuffer<float> make_fft_buffer<float>(std::size_t);
template FftBuffer<double> make_fft_buffer<double>(std::size_t);

template <typename Real>
RealFft<Real>::RealFft(int64_t n) : n_(n) {
  const Plans plans = cached_plans<Real>(n);
  r2c_ = plans.r2c;
  c2r_ = plans.c2r;
}

template <typename Real>
void RealFft<Real>::forward(Real* in, Real* out_complex) const {
  Fftw<Real>::r2c(r2c_, in, out_complex);
}

template <typename Real>
void RealFft<Real>::inverse(Real* in_complex, Real* out) const {
  Fftw<Real>::c2r(c2r_, in_complex, out);
}

template <typename Real>
ComplexFft<Real>::ComplexFft(int64_t n) : n_(n), c2c_(cached_plans<Real>(n).c2c) {}

template <typename Real>
void ComplexFft<Real>::forward(Real* in_complex, Real* out_complex) const {
  Fftw<Real>::c2c(c2c_, in_complex, out_complex);
}

template class RealFft<float>;
template class RealFft<double>;
template class ComplexFft<float>;
template class ComplexFft<double>;

}  // namespace tfgram::dsp::detail
