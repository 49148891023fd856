#pragma once
// The fused CPU path of the DMEL spectrogram kernel (see gaussian_stft_kernel.cpp for the maths).
//
// One pass per frame, in registers and L1/L2-sized scratch: gather and window the frame, FFTW
// r2c, |X|², sparse filterbank projection, optionally the log, and on request the derivative of
// all of that in σ (then X and X' come from one c2c of the frame under both windows).
// No frame matrix, complex spectrum or power spectrogram is ever materialised for the batch, and
// the work is spread over the intra-op threads with a single parallel region per call.
#include <torch/types.h>

#include <cstdint>

namespace tfgram::dsp::detail {

struct FrameLayout {
  int64_t n_fft;
  int64_t n_freqs;
  int64_t n_frames;
  int64_t hop;
  int64_t window_begin;  // the padded window is zero outside [window_begin, window_end)
  int64_t window_end;
};

/// x (B, N) contiguous; window and dwindow (n_fft) in x's dtype (dwindow may be undefined);
/// filterbank (K, M) or empty. Fills out (B, R, T), R = M or K, and when dwindow is defined
/// d_out = ∂out/∂σ in the kernel's tiles of frames: (B, ⌈T/16⌉, R, 16), zero beyond T, for
/// fused_cpu_tile_dot. With log_offset >= 0 they are log(out + log_offset) and
/// (∂out/∂σ) / (out + log_offset) instead, taken tile by tile.
void fused_cpu_forward(const torch::Tensor& x, const torch::Tensor& window, const torch::Tensor& dwindow,
                       const torch::Tensor& filterbank, const FrameLayout& layout, double log_offset,
                       torch::Tensor& out, torch::Tensor& d_out);

/// Σ grad ⊙ ∂out/∂σ for grad (B, R, T) in any layout and fused_cpu_forward's d_out, accumulated
/// in float64 per row and added in a fixed order (the same sum at every thread count): dL/dσ.
double fused_cpu_tile_dot(const torch::Tensor& grad, const torch::Tensor& d_tiles);

/// dL/dx for grad = dL/dout (B, R, T): recomputes each frame's spectrum, one r2c and one c2r per
/// frame, overlap-adds into the signal and applies the adjoint of the mean removal.
torch::Tensor fused_cpu_input_grad(const torch::Tensor& x, const torch::Tensor& window,
                                   const torch::Tensor& filterbank, const FrameLayout& layout,
                                   const torch::Tensor& grad);

/// |X|² of every frame of examples [first, last) of x (B, N), and with `dwindow` defined its
/// σ-derivative 2·Re(conj(X)·X'), into `power` / `d_power` ((last − first)·T rows of K, unit
/// column stride, any row stride: the two may be the halves of one (rows, 2K) matrix; preallocated):
/// the frames spread over the intra-op threads. For dense filterbanks, whose
/// projection is then one GEMM per chunk of examples (a learnable SincGram has no zero entries,
/// so the sparse per-frame projection would cost K·M multiply-adds per frame).
void fused_cpu_power(const torch::Tensor& x, const torch::Tensor& window, const torch::Tensor& dwindow,
                     const FrameLayout& layout, int64_t first, int64_t last, torch::Tensor& power,
                     torch::Tensor& d_power);

/// In place over a contiguous float32/float64 CPU tensor y: y ← log(y + offset) and, when
/// `reciprocal` is defined (y's size, contiguous), reciprocal ← 1 / (y + offset), in one pass with
/// the kernel's vectorised log.
void fused_cpu_log(torch::Tensor& y, torch::Tensor& reciprocal, double offset);

/// out = grad ⊙ scale (or grad alone with `scale` undefined) for out and scale (B, R, T) views of
/// (B, T, R) memory (a dense filterbank's output) and grad of that shape in any layout (a
/// contiguous (B, R, T) one from the next layer): read in blocks of frames, instead of a transposing
/// copy of grad and a second pass.
void fused_cpu_frame_major(const torch::Tensor& grad, const torch::Tensor& scale, torch::Tensor& out);

}  // namespace tfgram::dsp::detail
