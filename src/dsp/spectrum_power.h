#pragma once
// |X|² and its σ-derivative from the FFT outputs of the fused DMEL loop, in explicit vectors
// (float32, the training dtype; float64 keeps gaussian_stft_cpu's scalar loops).
//
// The joint spectrum Z of w·f + i·s·w'·f is read at bin k and at its mirror n − k. Written as a
// plain loop, the mirrored access kept GCC from vectorising, so the bins were first copied into a
// mirrored buffer; here the mirror is read forwards eight bins at a time and reversed in registers.
//
// The tile path holds the power as [bin][frame] so that the mel projection runs with frames in
// the vector lanes. Written one frame at a time that is one scalar store per bin and frame, which
// was the loop's largest share after FFTW (17 % of the 10 ms forward+backward on AVX2). The group
// functions put eight frames in the lanes with in-register transposes, so that each store writes
// eight frames of one bin: group_real_power transposes its results; group_joint_power transposes
// its inputs, four bins of each frame and their four mirror bins, which come out of the transpose
// already reversed (a third fewer shuffles than reversing each frame's mirror bins and transposing
// the results, and none crossing 128-bit lanes but the transpose's own: 8 % faster at 10 ms).
//
// The formulas are gaussian_stft_cpu's per-frame ones. Light header: no LibTorch.
#include <cstdint>

namespace tfgram::dsp::detail {

/// Frames per group.
constexpr int64_t kSpectrumGroup = 8;

/// The floats a spectrum buffer needs here for transforms of size n_fft (and the distance between
/// two spectra of a group): room for the reads of a whole last block of bins and for the wrapped
/// bin n (see group_joint_power), rounded up to 64 bytes so that every spectrum of a group keeps
/// the FFT buffers' alignment.
int64_t spectrum_slot(int64_t n_fft);

/// Whether these functions handle transforms of size n_fft (their reads reach 7 bins below the
/// mirror of the last bin, so very short transforms keep the scalar loops).
bool spectrum_power_supports(int64_t n_fft);

/// For eight r2c spectra (n_fft/2 + 1 interleaved complex bins each) `slot` floats apart:
/// power[k · tile + i] = |X_k|² of spectrum i, for k < n_freqs and i < 8.
void group_real_power(const float* spectra, int64_t slot, int64_t n_freqs, float* power, int64_t tile);

/// For eight joint c2c spectra Z of w·f + i·s·w'·f, each with Z_0 repeated at bin n_fft (values
/// [2·n_fft, 2·n_fft + 2)): power[k · tile + i] = |X_k|² = ((pr + zr)² + (pi − zi)²) / 4 and
/// d_power[k · tile + i] = 2·Re(conj(X_k)·X'_k) = (pr·zi + pi·zr) · inv_scale, with (pr, pi) = Z_k
/// and (zr, zi) = Z_{n−k} of spectrum i (gaussian_stft_cpu's joint_power, eight frames at once).
void group_joint_power(const float* spectra, int64_t slot, int64_t n_fft, int64_t n_freqs, float inv_scale,
                       float* power, float* d_power, int64_t tile);

/// The same for one joint spectrum z (with Z_0 repeated at bin n_fft), into contiguous rows:
/// power[k] and d_power[k] for k < n_freqs.
void joint_power_row(const float* z, int64_t n_fft, int64_t n_freqs, float inv_scale, float* power,
                     float* d_power);

}  // namespace tfgram::dsp::detail
