#pragma once
// The DMEL differentiable power spectrogram of SPEC §2.2 as a pure function.
#include <torch/types.h>

#include <cstdint>

namespace tfgram::dsp {

/// How the Gaussian window's length follows λ.
enum class WindowMode {
  kFull,        ///< L = N, n_fft = 2N (the synthetic task; quadratic in N)
  kPowerOfTwo,  ///< L = n_fft = next power of two >= ⌊6|λ|⌋ (real audio)
};

/// Parses "full" / "pow2" (also "power_of_two", "optimized"); throws naming the accepted values.
WindowMode parse_window_mode(const std::string& name);
const char* to_string(WindowMode mode);

/// Frequency-bin count K and frame count T for a signal of `n_samples`.
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
/// Returns (K,T) or (B,K,T) in x's dtype; differentiable in `lambd` (through the window) and `x`.
torch::Tensor gaussian_power_spectrogram(const torch::Tensor& x, const torch::Tensor& lambd,
                                         WindowMode mode, int64_t hop_length,
                                         bool normalize_window = false);

}  // namespace tfgram::dsp
