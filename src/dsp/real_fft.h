#pragma once
// One-dimensional FFTs of a fixed size through FFTW, for the fused CPU kernels (and the
// benchmarks' FFT floor). Internal (src/): the FFTW backend is no part of the public API; built
// only with TFGRAM_WITH_FFTW. Light header: no LibTorch, no FFTW types.
//
// Plans are made once per (size, precision) and shared; FFTW's new-array execute functions are
// thread-safe, so each thread runs the shared plan on its own buffers. Only the planner needs a
// lock. Buffers come from fftw_malloc so they have the alignment the plans were made for.
#include <cstddef>
#include <cstdint>
#include <memory>

namespace tfgram::dsp::detail {

/// Frees with fftw_free.
struct FftwDeleter {
  void operator()(void* p) const;
};

/// An aligned scratch array of `count` values of T (T = float, double, or their complex pairs).
template <typename T>
using FftBuffer = std::unique_ptr<T[], FftwDeleter>;

template <typename T>
FftBuffer<T> make_fft_buffer(std::size_t count);

/// r2c: n reals → n/2 + 1 complex values (interleaved re, im); c2r: the unnormalised inverse
/// (n·irfft), which overwrites its input as FFTW's c2r does.
template <typename Real>
class RealFft {
 public:
  explicit RealFft(int64_t n);
  int64_t size() const { return n_; }
  void forward(Real* in, Real* out_complex) const;
  void inverse(Real* in_complex, Real* out) const;

 private:
  int64_t n_;
  void* r2c_;
  void* c2r_;
};

/// The forward complex transform of n interleaved (re, im) pairs, out of place. Two real
/// sequences a, b of length n go through it as a + i·b: FFTW's c2c of size n costs about half of
/// its two r2c of size n (measured at n = 128 … 4096), and their spectra follow from the symmetry
/// A_k = (Z_k + conj Z_{n−k}) / 2, B_k = (Z_k − conj Z_{n−k}) / 2i.
template <typename Real>
class ComplexFft {
 public:
  explicit ComplexFft(int64_t n);
  int64_t size() const { return n_; }
  void forward(Real* in_complex, Real* out_complex) const;

 private:
  int64_t n_;
  void* c2c_;
};

}  // namespace tfgram::dsp::detail
