#pragma once
// The DMEL differentiable power spectrogram of SPEC §2.2 as pure functions.
#include <torch/types.h>

#include <cstdint>
#include <optional>
#include <string>

namespace tfgram::dsp {

/// How the Gaussian window's length follows λ.
enum class WindowMode {
  kFull,        ///< L = N, n_fft = 2N (the synthetic task; quadratic in N)
  kPowerOfTwo,  ///< L = n_fft = next power of two >= ⌊6|λ|⌋ (real audio)
};

/// Parses "full" / "pow2" (also "power_of_two", "optimized"); throws naming the accepted values.
WindowMode parse_window_mode(const std::string& name);
const char* to_string(WindowMode mode);

/// DMEL states windows by their length l = 6λ/sr: λ in samples for a window of `window_ms`
/// milliseconds (std::invalid_argument unless positive), and back.
double lambd_for_window_ms(double window_ms, int64_t sample_rate);
double window_ms_for_lambd(double lambd, int64_t sample_rate);

/// Window length, FFT size, frequency-bin count K and frame count T for a signal of `n_samples`.
struct SpectrogramShape {
  int64_t window_length;
  int64_t n_fft;
  int64_t n_freqs;
  int64_t n_frames;
};
SpectrogramShape gaussian_spectrogram_shape(int64_t n_samples, double lambd, WindowMode mode,
                                            int64_t hop_length);

/// |STFT|² of each row of `x` ((N) or (B,N), mean removed first) with a Gaussian window of standard
/// deviation |lambd| samples, centred frames with zero padding of n_fft/2, one-sided.
/// Returns (K,T) or (B,K,T) in x's dtype. Differentiable in `lambd` and `x` through a custom
/// kernel: no complex spectrum is kept for backward. When lambd requires grad, forward also
/// computes ∂out/∂λ analytically (one more real FFT per frame) and keeps only that, so backward to
/// λ is a dot product; backward to x recomputes each frame's spectrum (one forward and one inverse
/// real FFT per frame). Float32/float64 CPU tensors take a fused FFTW loop over frames spread over
/// the intra-op threads; other devices and dtypes take batched ATen ops, so CUDA works unchanged.
torch::Tensor gaussian_power_spectrogram(const torch::Tensor& x, const torch::Tensor& lambd,
                                         WindowMode mode, int64_t hop_length,
                                         bool normalize_window = false);

/// The same followed by a filterbank projection: `filterbank` (K, M) → (B, M, T) (or (M, T)),
/// fused so the (B, K, T) power spectrogram is never stored for backward. With `log_offset` c the
/// result is log(M + c), also fused (no extra copies of the output). The filterbank may require
/// grad (a learnable one, e.g. SincGram's): its gradient powerᵀ·upstream is accumulated chunk by chunk
/// in backward from recomputed spectra (one more real FFT per frame), returned in its dtype.
torch::Tensor gaussian_filterbank_spectrogram(const torch::Tensor& x, const torch::Tensor& lambd,
                                              const torch::Tensor& filterbank, WindowMode mode,
                                              int64_t hop_length, bool normalize_window = false,
                                              std::optional<double> log_offset = std::nullopt);

/// Reference implementation: torch::stft with autograd through the complex spectrum, as one would
/// write it from the paper. Kept for tests (analytic vs autograd) and the benchmarks.
torch::Tensor gaussian_power_spectrogram_autograd(const torch::Tensor& x, const torch::Tensor& lambd,
                                                  WindowMode mode, int64_t hop_length,
                                                  bool normalize_window = false);

}  // namespace tfgram::dsp
