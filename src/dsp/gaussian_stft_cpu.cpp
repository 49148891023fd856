#include "gaussian_stft_cpu.h"

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <optional>
#include <type_traits>
#include <vector>

#include "real_fft.h"
#include "spectrum_power.h"
#include "util/cpu_clones.h"
#include "vector_log.h"

namespace tfgram::dsp::detail {
namespace {

// Frames per tile: outputs are gathered per tile so they reach the (B, R, T) result as
// contiguous runs along T instead of one strided element per frame.
constexpr int64_t kTile = 16;
static_assert(kTile % kSpectrumGroup == 0, "a tile holds whole groups of frames");
// The most bytes a tile of power spectra (with its σ-derivative) may take. Measured on AVX2: at
// n_fft 512 (33 KB) the tile still wins (22 against 27 ms), at 4096 (262 KB) the frame (175 against 208 ms).
constexpr int64_t kTileBytes = int64_t{64} << 10;

// Half a tile's values of Real as one GCC/Clang vector (the compiler maps it onto the target's
// registers).
template <typename Real>
struct HalfTile;
template <>
struct HalfTile<float> {
  typedef float type __attribute__((vector_size(kTile / 2 * sizeof(float))));
};
template <>
struct HalfTile<double> {
  typedef double type __attribute__((vector_size(kTile / 2 * sizeof(double))));
};

// A tile of frames at once, frame index fastest: out[r][i] = Σ_k W[r, k] p[k][i] for i < kTile,
// with W's row r nonzero on [begin[r], end[r]). The inner loop runs over the tile's frames, so it
// vectorises and each filterbank row's set-up is paid once per tile instead of once per frame.
template <typename Real>
TFGRAM_CPU_CLONES void project_tile(const Real* weights, const int64_t* begin, const int64_t* end, int64_t rows,
                                    int64_t bins, const Real* p, Real* out) {
  // The tile's accumulators as two 8-lane GCC vector values, which stay in registers in every
  // clone (one ymm each with AVX, two xmm on the baseline). As an array they went to the stack
  // at every multiply-add, and GCC's vectoriser turned the array version into a transposing
  // loop over the bins; one 16-lane value was fine on SSE2 but went through the stack in the
  // AVX clones.
  using Half = typename HalfTile<Real>::type;
  constexpr int64_t half = kTile / 2;
  for (int64_t r = 0; r < rows; ++r) {
    const Real* w = weights + r * bins;
    Half lo = {}, hi = {};
    for (int64_t k = begin[r]; k < end[r]; ++k) {
      Half a, b;
      std::memcpy(&a, p + k * kTile, sizeof a);
      std::memcpy(&b, p + k * kTile + half, sizeof b);
      lo += w[k] * a;
      hi += w[k] * b;
    }
    std::memcpy(out + r * kTile, &lo, sizeof lo);
    std::memcpy(out + r * kTile + half, &hi, sizeof hi);
  }
}

// project_tile for a tile of |X|² and one of its σ-derivative at once: each weight is loaded, and
// each row's range walked, once for both.
template <typename Real>
TFGRAM_CPU_CLONES void project_tile_pair(const Real* weights, const int64_t* begin, const int64_t* end, int64_t rows,
                                         int64_t bins, const Real* p, const Real* d, Real* out, Real* d_out) {
  using Half = typename HalfTile<Real>::type;
  constexpr int64_t half = kTile / 2;
  for (int64_t r = 0; r < rows; ++r) {
    const Real* w = weights + r * bins;
    Half lo = {}, hi = {}, d_lo = {}, d_hi = {};
    for (int64_t k = begin[r]; k < end[r]; ++k) {
      Half a, b, c, e;
      std::memcpy(&a, p + k * kTile, sizeof a);
      std::memcpy(&b, p + k * kTile + half, sizeof b);
      std::memcpy(&c, d + k * kTile, sizeof c);
      std::memcpy(&e, d + k * kTile + half, sizeof e);
      lo += w[k] * a;
      hi += w[k] * b;
      d_lo += w[k] * c;
      d_hi += w[k] * e;
    }
    std::memcpy(out + r * kTile, &lo, sizeof lo);
    std::memcpy(out + r * kTile + half, &hi, sizeof hi);
    std::memcpy(d_out + r * kTile, &d_lo, sizeof d_lo);
    std::memcpy(d_out + r * kTile + half, &d_hi, sizeof d_hi);
  }
}

// One frame's projection, for spectra too long for a tile of them to stay in L1: out[r · stride]
// = Σ_k W[r, k] p[k] with p the frame's contiguous |X|² (or its σ-derivative), W's row r nonzero
// on [begin[r], end[r]). Each row's dot product runs in one 8-lane GCC vector.
template <typename Real>
TFGRAM_CPU_CLONES void project_row(const Real* weights, const int64_t* begin, const int64_t* end, int64_t rows,
                                   int64_t bins, const Real* p, Real* out, int64_t stride) {
  using Lanes = typename HalfTile<Real>::type;
  constexpr int64_t lanes = kTile / 2;
  for (int64_t r = 0; r < rows; ++r) {
    const Real* w = weights + r * bins;
    int64_t k = begin[r];
    Lanes acc = {};
    for (; k + lanes <= end[r]; k += lanes) {
      Lanes a, b;
      std::memcpy(&a, w + k, sizeof a);
      std::memcpy(&b, p + k, sizeof b);
      acc += a * b;
    }
    Real sum = 0;
    for (int64_t j = 0; j < lanes; ++j) sum += acc[j];
    for (; k < end[r]; ++k) sum += w[k] * p[k];
    out[r * stride] = sum;
  }
}

// project_row for a frame's |X|² and its σ-derivative at once: each weight is loaded once for both.
template <typename Real>
TFGRAM_CPU_CLONES void project_row_pair(const Real* weights, const int64_t* begin, const int64_t* end, int64_t rows,
                                        int64_t bins, const Real* p, const Real* d, Real* out, Real* d_out,
                                        int64_t stride) {
  using Lanes = typename HalfTile<Real>::type;
  constexpr int64_t lanes = kTile / 2;
  for (int64_t r = 0; r < rows; ++r) {
    const Real* w = weights + r * bins;
    int64_t k = begin[r];
    Lanes acc = {}, d_acc = {};
    for (; k + lanes <= end[r]; k += lanes) {
      Lanes a, b, c;
      std::memcpy(&a, w + k, sizeof a);
      std::memcpy(&b, p + k, sizeof b);
      std::memcpy(&c, d + k, sizeof c);
      acc += a * b;
      d_acc += a * c;
    }
    Real sum = 0, d_sum = 0;
    for (int64_t j = 0; j < lanes; ++j) {
      sum += acc[j];
      d_sum += d_acc[j];
    }
    for (; k < end[r]; ++k) {
      sum += w[k] * p[k];
      d_sum += w[k] * d[k];
    }
    out[r * stride] = sum;
    d_out[r * stride] = d_sum;
  }
}

// The filterbank as rows of its transpose with the range of bins each row touches: a mel row
// spans a few dozen bins, so the projection costs ~2K multiply-adds per frame instead of K·M.
template <typename Real>
struct Projection {
  bool identity = true;
  int64_t rows = 0;
  int64_t bins = 0;
  torch::Tensor storage;  // (M, K) contiguous
  const Real* weights = nullptr;
  std::vector<int64_t> begin, end;

  Projection(const torch::Tensor& filterbank, int64_t n_freqs) : bins(n_freqs) {
    if (filterbank.numel() == 0) {
      rows = n_freqs;
      return;
    }
    identity = false;
    storage = filterbank.t().contiguous();
    weights = storage.data_ptr<Real>();
    rows = storage.size(0);
    begin.assign(rows, 0);
    end.assign(rows, 0);
    for (int64_t r = 0; r < rows; ++r) {
      const Real* row = weights + r * bins;
      int64_t b = 0;
      int64_t e = bins;
      while (b < e && row[b] == Real(0)) ++b;
      while (e > b && row[e - 1] == Real(0)) --e;
      begin[r] = b;
      end[r] = e;
    }
  }

  void apply_tile(const Real* p, Real* out) const {
    if (identity) {
      std::memcpy(out, p, sizeof(Real) * bins * kTile);
      return;
    }
    project_tile(weights, begin.data(), end.data(), rows, bins, p, out);
  }

  // apply_tile to a tile of |X|² and to one of its σ-derivative.
  void apply_tile_pair(const Real* p, const Real* d, Real* out, Real* d_out) const {
    if (identity) {
      apply_tile(p, out);
      apply_tile(d, d_out);
      return;
    }
    project_tile_pair(weights, begin.data(), end.data(), rows, bins, p, d, out, d_out);
  }

  // Column `column` of a (rows, kTile) tile from one frame's contiguous p.
  void apply_column(const Real* p, Real* tile, int64_t column) const {
    if (identity) {
      for (int64_t k = 0; k < bins; ++k) tile[k * kTile + column] = p[k];
      return;
    }
    project_row(weights, begin.data(), end.data(), rows, bins, p, tile + column, kTile);
  }

  // apply_column to a frame's |X|² and to its σ-derivative.
  void apply_column_pair(const Real* p, const Real* d, Real* tile, Real* d_tile, int64_t column) const {
    if (identity) {
      apply_column(p, tile, column);
      apply_column(d, d_tile, column);
      return;
    }
    project_row_pair(weights, begin.data(), end.data(), rows, bins, p, d, tile + column, d_tile + column, kTile);
  }

  // v[k] = Σ_r W[r, k] g[r * stride]  (the adjoint)
  void adjoint(const Real* g, int64_t stride, Real* v) const {
    if (identity) {
      for (int64_t k = 0; k < bins; ++k) v[k] = g[k * stride];
      return;
    }
    std::fill(v, v + bins, Real(0));
    for (int64_t r = 0; r < rows; ++r) {
      const Real* w = weights + r * bins;
      const Real gr = g[r * stride];
      for (int64_t k = begin[r]; k < end[r]; ++k) v[k] += w[k] * gr;
    }
  }
};

// The mean of n samples, summed in float64 (four lanes, two accumulators).
template <typename Real>
TFGRAM_CPU_CLONES double signal_mean(const Real* x, int64_t n) {
  typedef Real Four __attribute__((vector_size(4 * sizeof(Real))));
  typedef double Wide __attribute__((vector_size(4 * sizeof(double))));
  Wide lo = {}, hi = {};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    Four a, b;
    std::memcpy(&a, x + i, sizeof a);
    std::memcpy(&b, x + i + 4, sizeof b);
    lo += __builtin_convertvector(a, Wide);
    hi += __builtin_convertvector(b, Wide);
  }
  double total = 0;
  for (; i < n; ++i) total += static_cast<double>(x[i]);
  for (int j = 0; j < 4; ++j) total += lo[j] + hi[j];
  return total / static_cast<double>(n);
}

// Writes frame t of example `signal` (mean-free through `mean`), multiplied by `window`, into
// `frame`. Only the window's support is written: the rest of `frame` stays zero from its setup.
template <typename Real>
TFGRAM_CPU_CLONES void gather_frame(const Real* signal, int64_t n, Real mean, int64_t start, const Real* window,
                         const FrameLayout& l, Real* frame) {
  // Signal indices start + j for j in the support; zero where they fall into the padding.
  const int64_t lo = std::max(l.window_begin, -start);
  const int64_t hi = std::min(l.window_end, n - start);
  for (int64_t j = l.window_begin; j < std::min(lo, l.window_end); ++j) frame[j] = 0;
  for (int64_t j = lo; j < hi; ++j) frame[j] = (signal[start + j] - mean) * window[j];
  for (int64_t j = std::max(hi, l.window_begin); j < l.window_end; ++j) frame[j] = 0;
}

// Both windowed copies of frame t in one pass, as the complex sequence w·f + i·s·w'·f.
template <typename Real>
TFGRAM_CPU_CLONES void gather_frame_pair(const Real* signal, int64_t n, Real mean, int64_t start, const Real* window,
                              const Real* scaled_dwindow, const FrameLayout& l, Real* z) {
  const int64_t lo = std::max(l.window_begin, -start);
  const int64_t hi = std::min(l.window_end, n - start);
  for (int64_t j = l.window_begin; j < std::min(lo, l.window_end); ++j) z[2 * j] = z[2 * j + 1] = 0;
  for (int64_t j = lo; j < hi; ++j) {
    const Real v = signal[start + j] - mean;
    z[2 * j] = v * window[j];
    z[2 * j + 1] = v * scaled_dwindow[j];
  }
  for (int64_t j = std::max(hi, l.window_begin); j < l.window_end; ++j) z[2 * j] = z[2 * j + 1] = 0;
}

// The derivative window times s = ‖w‖/‖w′‖: X and s·X′ then have comparable magnitudes, so
// neither loses digits when the two are separated from their joint transform. Empty without `dw`.
template <typename Real>
struct ScaledDerivative {
  ScaledDerivative(const Real* w, const Real* dw, int64_t n_fft) {
    if (dw == nullptr) return;
    double ww = 0, dd = 0;
    for (int64_t j = 0; j < n_fft; ++j) {
      ww += static_cast<double>(w[j]) * w[j];
      dd += static_cast<double>(dw[j]) * dw[j];
    }
    scale = dd > 0 && ww > 0 ? std::sqrt(ww / dd) : 1.0;
    values.resize(n_fft);
    for (int64_t j = 0; j < n_fft; ++j) values[j] = static_cast<Real>(scale * dw[j]);
  }
  const Real* data() const { return values.empty() ? nullptr : values.data(); }
  double scale = 1.0;
  std::vector<Real> values;
};

// The first `count` columns of a (rows, kTile) tile into rows `row_stride` apart. A full tile's
// rows are fixed-length copies the compiler inlines (a memcpy call per row cost more than the copy,
// ~7 % of the 10 ms forward+backward).
template <typename Real>
TFGRAM_CPU_CLONES void copy_tile(const Real* tile, int64_t rows, int64_t count, Real* to, int64_t row_stride) {
  if (count == kTile) {
    for (int64_t r = 0; r < rows; ++r) std::memcpy(to + r * row_stride, tile + r * kTile, sizeof(Real) * kTile);
  } else {
    for (int64_t r = 0; r < rows; ++r) std::copy_n(tile + r * kTile, count, to + r * row_stride);
  }
}

// Asks for the cache lines that copy_tile will write (the first `count` values of `rows` rows,
// `row_stride` apart) for writing. The tile's output rows are R separate streams, too many for the
// hardware prefetchers: without this each line was fetched when the copy first stored to it.
template <typename Real>
void prefetch_tile_rows(const Real* to, int64_t rows, int64_t count, int64_t row_stride) {
  for (int64_t r = 0; r < rows; ++r) {
    __builtin_prefetch(to + r * row_stride, 1);
    __builtin_prefetch(to + r * row_stride + count - 1, 1);
  }
}

// |X_k|² of an r2c spectrum (interleaved), written `stride` values apart.
template <typename Real>
TFGRAM_CPU_CLONES void real_power(const Real* s, int64_t n_freqs, Real* power, int64_t stride) {
  for (int64_t k = 0; k < n_freqs; ++k) power[k * stride] = s[2 * k] * s[2 * k] + s[2 * k + 1] * s[2 * k + 1];
}

// |X_k|² and 2·Re(conj(X_k)·X'_k) from the joint spectrum Z of w·f + i·s·w'·f (below), with
// `mirror` (2·n_freqs) as scratch. Z_{n−k} is first copied into mirror[k] so that the main loop
// reads both operands forwards: with the mirrored access inside it, GCC vectorised neither.
template <typename Real>
TFGRAM_CPU_CLONES void joint_power(const Real* __restrict s, Real* __restrict mirror, int64_t n_fft, int64_t n_freqs,
                                   Real inv_scale, Real* __restrict power, Real* __restrict d_power, int64_t stride) {
  // Bin 0 and, for even n, bin n/2 are their own mirror images.
  mirror[0] = s[0];
  mirror[1] = s[1];
  const bool even = n_fft % 2 == 0;
  const int64_t inner_end = even ? n_freqs - 1 : n_freqs;
  for (int64_t k = 1; k < inner_end; ++k) {
    mirror[2 * k] = s[2 * (n_fft - k)];
    mirror[2 * k + 1] = s[2 * (n_fft - k) + 1];
  }
  if (even && n_freqs > 1) {
    mirror[2 * (n_freqs - 1)] = s[2 * (n_freqs - 1)];
    mirror[2 * (n_freqs - 1) + 1] = s[2 * (n_freqs - 1) + 1];
  }
  for (int64_t k = 0; k < n_freqs; ++k) {
    const Real pr = s[2 * k], pi = s[2 * k + 1], zr = mirror[2 * k], zi = mirror[2 * k + 1];
    const Real xr = pr + zr, xi = pi - zi;
    power[k * stride] = Real(0.25) * (xr * xr + xi * xi);
    d_power[k * stride] = (pr * zi + pi * zr) * inv_scale;
  }
}

// One frame's |X|² and, with `sdw` (the scaled derivative window), its σ-derivative
// 2·Re(conj(X)·X') (X' the transform with the window's derivative), written K values apart by
// `stride` (1: a row; kTile: a tile column). Without the derivative: one r2c. With it: X and
// s·X' from one complex FFT Z of w·f + i·s·w'·f. With P = Z_k and Z_{n−k} = (zr, zi):
//   X = (P + conj Z_{n−k}) / 2, so |X|² = ((pr + zr)² + (pi − zi)²) / 4, and
//   2·Re(conj(X)·X') = (pr·zi + pi·zr) / s.
// Holds the thread's FFT buffers; the frames' zero padding is set up once.
template <typename Real>
struct FramePower {
  FramePower(const FrameLayout& l, bool derivative)
      : frame(make_fft_buffer<Real>(derivative ? 2 * l.n_fft : l.n_fft)),
        spectrum(make_fft_buffer<Real>(derivative ? spectrum_slot(l.n_fft) : 2 * l.n_freqs)),
        mirror(make_fft_buffer<Real>(derivative ? 2 * l.n_freqs : 0)) {
    std::fill(frame.get(), frame.get() + (derivative ? 2 : 1) * l.n_fft, Real(0));
  }

  // Frame `start` (its first sample's index in the signal) gathered, windowed and transformed into
  // z: the r2c spectrum without the derivative; with it the joint spectrum Z, with Z_0 repeated at
  // bin n (Z_n = Z_0, bin 0's mirror image, read with the others by spectrum_power), so z holds
  // spectrum_slot(n_fft) values.
  void transform(const RealFft<Real>& fft, const ComplexFft<Real>& joint, const FrameLayout& l, const Real* signal,
                 int64_t n, Real mean, int64_t start, const Real* w, const ScaledDerivative<Real>& sdw, Real* z) {
    if (sdw.data() == nullptr) {
      gather_frame(signal, n, mean, start, w, l, frame.get());
      fft.forward(frame.get(), z);
      return;
    }
    gather_frame_pair(signal, n, mean, start, w, sdw.data(), l, frame.get());
    joint.forward(frame.get(), z);
    z[2 * l.n_fft] = z[0];
    z[2 * l.n_fft + 1] = z[1];
  }

  void operator()(const RealFft<Real>& fft, const ComplexFft<Real>& joint, const FrameLayout& l,
                  const Real* signal, int64_t n, Real mean, int64_t start, const Real* w,
                  const ScaledDerivative<Real>& sdw, Real* power, Real* d_power, int64_t stride) {
    const Real* s = spectrum.get();
    transform(fft, joint, l, signal, n, mean, start, w, sdw, spectrum.get());
    if (sdw.data() == nullptr) {
      real_power(s, l.n_freqs, power, stride);
      return;
    }
    if constexpr (std::is_same_v<Real, float>) {
      if (stride == 1 && spectrum_power_supports(l.n_fft)) {
        joint_power_row(s, l.n_fft, l.n_freqs, static_cast<float>(1.0 / sdw.scale), power, d_power);
        return;
      }
    }
    joint_power(s, mirror.get(), l.n_fft, l.n_freqs, static_cast<Real>(1.0 / sdw.scale), power, d_power, stride);
  }

  FftBuffer<Real> frame, spectrum, mirror;
};

// The tile path's frames in groups of kSpectrumGroup (float32): FramePower::transform puts each
// frame's spectrum into its slot of one buffer, and the group's power (with its σ-derivative) goes
// into the tile's columns at once (spectrum_power.h). Per-frame (FramePower) otherwise.
template <typename Real>
struct GroupPower {
  static bool applies(const FrameLayout& l) {
    return std::is_same_v<Real, float> && spectrum_power_supports(l.n_fft);
  }

  explicit GroupPower(const FrameLayout& l)
      : slot(spectrum_slot(l.n_fft)), spectra(make_fft_buffer<Real>(kSpectrumGroup * slot)) {
    // A short last group computes on slots no frame of this tile wrote: their columns are never
    // copied out, but they must hold numbers.
    std::fill(spectra.get(), spectra.get() + kSpectrumGroup * slot, Real(0));
  }

  Real* spectrum(int64_t i) { return spectra.get() + i * slot; }

  // The group's power into tile columns [0, kSpectrumGroup) of `power` / `d_power`.
  void power(const FrameLayout& l, const ScaledDerivative<Real>& sdw, Real* power, Real* d_power) const {
    if constexpr (std::is_same_v<Real, float>) {
      if (sdw.data() == nullptr) {
        group_real_power(spectra.get(), slot, l.n_freqs, power, kTile);
      } else {
        group_joint_power(spectra.get(), slot, l.n_fft, l.n_freqs, static_cast<float>(1.0 / sdw.scale), power,
                          d_power, kTile);
      }
    }
  }

  int64_t slot;
  FftBuffer<Real> spectra;
};

template <typename Real>
void forward_impl(const torch::Tensor& x, const torch::Tensor& window, const torch::Tensor& dwindow,
                  const torch::Tensor& filterbank, const FrameLayout& l, double log_offset, torch::Tensor& out,
                  torch::Tensor& d_out) {
  const int64_t batch = x.size(0);
  const int64_t n = x.size(1);
  const bool derivative = dwindow.defined();
  const Projection<Real> projection(filterbank, l.n_freqs);
  const int64_t rows = projection.rows;
  out = torch::empty({batch, rows, l.n_frames}, x.options());
  const int64_t tiles = (l.n_frames + kTile - 1) / kTile;
  // ∂out/∂σ stays in the tiles it is computed in (only λ's gradient reads it, fused_cpu_tile_dot):
  // no strided copy-out into a (B, R, T) tensor.
  if (derivative) d_out = torch::empty({batch, tiles, rows, kTile}, x.options());
  const Real* xs = x.data_ptr<Real>();
  const Real* w = window.data_ptr<Real>();
  const Real* dw = derivative ? dwindow.data_ptr<Real>() : nullptr;
  Real* outs = out.data_ptr<Real>();
  Real* d_outs = derivative ? d_out.data_ptr<Real>() : nullptr;
  const RealFft<Real> fft(l.n_fft);
  const ComplexFft<Real> joint(l.n_fft);
  const ScaledDerivative<Real> sdw(w, dw, l.n_fft);
  const int64_t half = l.n_fft / 2;

  // Short spectra: the power (and its σ-derivative) of a tile of frames as [bin][frame], then
  // projected at once with the frames in the vector lanes. Long ones: such a tile outgrows L1 (at
  // n_fft 4096 every strided store into it missed, a quarter of the 300 ms time), so each frame's
  // power is written contiguously and projected on its own into a column of the output tile.
  const bool by_frame = l.n_freqs * kTile * static_cast<int64_t>(sizeof(Real)) * (derivative ? 2 : 1) > kTileBytes;
  const int64_t power_size = by_frame ? l.n_freqs : l.n_freqs * kTile;

  at::parallel_for(0, batch * tiles, 1, [&](int64_t first, int64_t last) {
    FramePower<Real> frame_power(l, derivative);
    std::optional<GroupPower<Real>> group;
    if (!by_frame && GroupPower<Real>::applies(l)) group.emplace(l);
    std::vector<Real> power(power_size, Real(0)), d_power(derivative ? power_size : 0, Real(0));
    std::vector<Real> tile(rows * kTile);
    // Each task takes the mean of the examples it meets (a task's items are consecutive, so it
    // meets each once), right before their frames: no separate pass over the batch, and the
    // signal is still in L2 when the frames are gathered.
    int64_t mean_example = -1;
    Real mean = 0;

    for (int64_t item = first; item < last; ++item) {
      const int64_t b = item / tiles;
      const int64_t t0 = (item % tiles) * kTile;
      const int64_t count = std::min(kTile, l.n_frames - t0);
      Real* d_tile = derivative ? d_outs + item * rows * kTile : nullptr;
      const Real* signal = xs + b * n;
      if (b != mean_example) {
        mean = static_cast<Real>(signal_mean(signal, n));
        mean_example = b;
      }
      Real* to = outs + b * rows * l.n_frames + t0;
      prefetch_tile_rows(to, rows, count, l.n_frames);
      if (by_frame) {
        for (int64_t i = 0; i < count; ++i) {
          frame_power(fft, joint, l, signal, n, mean, (t0 + i) * l.hop - half, w, sdw, power.data(),
                      derivative ? d_power.data() : nullptr, 1);
          if (derivative) {
            projection.apply_column_pair(power.data(), d_power.data(), tile.data(), d_tile, i);
          } else {
            projection.apply_column(power.data(), tile.data(), i);
          }
        }
        // A short last tile's columns beyond `count` are stale; they are not copied out.
      } else {
        if (group) {
          for (int64_t i0 = 0; i0 < count; i0 += kSpectrumGroup) {
            for (int64_t i = i0; i < std::min(count, i0 + kSpectrumGroup); ++i) {
              frame_power.transform(fft, joint, l, signal, n, mean, (t0 + i) * l.hop - half, w, sdw,
                                    group->spectrum(i - i0));
            }
            group->power(l, sdw, power.data() + i0, derivative ? d_power.data() + i0 : nullptr);
          }
        } else {
          for (int64_t i = 0; i < count; ++i) {
            frame_power(fft, joint, l, signal, n, mean, (t0 + i) * l.hop - half, w, sdw, power.data() + i,
                        derivative ? d_power.data() + i : nullptr, kTile);
          }
        }
        // A short last tile projects stale columns beyond `count`; they are not copied out.
        if (derivative) {
          projection.apply_tile_pair(power.data(), d_power.data(), tile.data(), d_tile);
        } else {
          projection.apply_tile(power.data(), tile.data());
        }
      }
      // Stale columns of a short last tile may divide by zero here: out's are not copied out, and
      // ∂out/∂σ's are zeroed below.
      if (log_offset >= 0) {
        log_with_offset(tile.data(), d_tile, rows * kTile, static_cast<Real>(log_offset));
      }
      copy_tile(tile.data(), rows, count, to, l.n_frames);
      if (derivative && count < kTile) {
        for (int64_t r = 0; r < rows; ++r) std::fill(d_tile + r * kTile + count, d_tile + (r + 1) * kTile, Real(0));
      }
    }
  });
}

template <typename Real>
torch::Tensor input_grad_impl(const torch::Tensor& x, const torch::Tensor& window,
                              const torch::Tensor& filterbank, const FrameLayout& l,
                              const torch::Tensor& grad_in) {
  const int64_t batch = x.size(0);
  const int64_t n = x.size(1);
  const Projection<Real> projection(filterbank, l.n_freqs);
  const auto grad = grad_in.contiguous();
  auto grad_x = torch::empty_like(x);
  const Real* xs = x.data_ptr<Real>();
  const Real* w = window.data_ptr<Real>();
  const Real* gs = grad.data_ptr<Real>();
  Real* gxs = grad_x.data_ptr<Real>();
  const RealFft<Real> fft(l.n_fft);
  const int64_t half = l.n_fft / 2;
  const int64_t rows = projection.rows;
  const bool even = l.n_fft % 2 == 0;

  // One example per task: overlapping frames of an example add into the same samples.
  at::parallel_for(0, batch, 1, [&](int64_t first, int64_t last) {
    auto frame = make_fft_buffer<Real>(l.n_fft);
    auto spectrum = make_fft_buffer<Real>(2 * l.n_freqs);
    std::fill(frame.get(), frame.get() + l.n_fft, Real(0));
    std::vector<Real> g_power(l.n_freqs);
    std::vector<Real> accumulated(n);
    for (int64_t b = first; b < last; ++b) {
      std::fill(accumulated.begin(), accumulated.end(), Real(0));
      const Real* signal = xs + b * n;
      const Real mean = static_cast<Real>(signal_mean(signal, n));  // as forward_impl takes it
      for (int64_t t = 0; t < l.n_frames; ++t) {
        const int64_t start = t * l.hop - half;
        gather_frame(signal, n, mean, start, w, l, frame.get());
        fft.forward(frame.get(), spectrum.get());
        projection.adjoint(gs + b * rows * l.n_frames + t, l.n_frames, g_power.data());
        // Y_k = G_k X_k; the c2r transform counts interior bins twice and the end bins once, so
        // the end bins are doubled: the result is dL/d(windowed frame) = 2·Re Σ_k G_k X_k e^{+iθ}.
        Real* s = spectrum.get();
        for (int64_t k = 0; k < l.n_freqs; ++k) {
          const bool end_bin = k == 0 || (even && k == l.n_freqs - 1);
          const Real scale = end_bin ? 2 * g_power[k] : g_power[k];
          s[2 * k] *= scale;
          s[2 * k + 1] *= scale;
        }
        fft.inverse(spectrum.get(), frame.get());
        const int64_t lo = std::max(l.window_begin, -start);
        const int64_t hi = std::min(l.window_end, n - start);
        for (int64_t j = lo; j < hi; ++j) accumulated[start + j] += frame[j] * w[j];
        // c2r overwrote the frame buffer; gather_frame rewrites the support, the rest must be 0.
        std::fill(frame.get(), frame.get() + l.window_begin, Real(0));
        std::fill(frame.get() + l.window_end, frame.get() + l.n_fft, Real(0));
      }
      // Adjoint of x ↦ x − mean(x).
      Real total = 0;
      for (int64_t i = 0; i < n; ++i) total += accumulated[i];
      const Real mean_grad = total / static_cast<Real>(n);
      Real* out = gxs + b * n;
      for (int64_t i = 0; i < n; ++i) out[i] = accumulated[i] - mean_grad;
    }
  });
  return grad_x;
}

template <typename Real>
void power_impl(const torch::Tensor& x, const torch::Tensor& window, const torch::Tensor& dwindow, const FrameLayout& l,
                int64_t first_example, int64_t last_example, torch::Tensor& power, torch::Tensor& d_power) {
  const int64_t n = x.size(1);
  const bool derivative = dwindow.defined();
  const Real* xs = x.data_ptr<Real>();
  // The float64 means every pass of this kernel takes (signal_mean), so recomputed frames match.
  std::vector<Real> mean_of(last_example - first_example);
  for (int64_t b = first_example; b < last_example; ++b) {
    mean_of[b - first_example] = static_cast<Real>(signal_mean(xs + b * n, n));
  }
  const Real* w = window.data_ptr<Real>();
  const Real* dw = derivative ? dwindow.data_ptr<Real>() : nullptr;
  Real* ps = power.data_ptr<Real>();
  Real* dps = derivative ? d_power.data_ptr<Real>() : nullptr;
  // Rows may be columns of a wider matrix (power beside its derivative, one GEMM operand).
  const int64_t ld = power.stride(0);
  const int64_t d_ld = derivative ? d_power.stride(0) : 0;
  const RealFft<Real> fft(l.n_fft);
  const ComplexFft<Real> joint(l.n_fft);
  const ScaledDerivative<Real> sdw(w, dw, l.n_fft);
  const int64_t half = l.n_fft / 2;
  const int64_t frames = (last_example - first_example) * l.n_frames;
  at::parallel_for(0, frames, 1, [&](int64_t first, int64_t last) {
    FramePower<Real> frame_power(l, derivative);
    for (int64_t item = first; item < last; ++item) {
      const int64_t b = item / l.n_frames;  // within the chunk
      const int64_t t = item % l.n_frames;
      frame_power(fft, joint, l, xs + (first_example + b) * n, n, mean_of[b], t * l.hop - half, w, sdw,
                  ps + item * ld, derivative ? dps + item * d_ld : nullptr, 1);
    }
  });
}

template <typename Real>
void log_impl(torch::Tensor& y, torch::Tensor& reciprocal, double offset) {
  Real* ys = y.data_ptr<Real>();
  Real* rs = reciprocal.defined() ? reciprocal.data_ptr<Real>() : nullptr;
  constexpr int64_t kGrain = int64_t{1} << 14;  // a few L1-sized blocks per task
  at::parallel_for(0, y.numel(), kGrain, [&](int64_t first, int64_t last) {
    // log_with_offset divides what it is given by y + offset: ones give the reciprocal.
    if (rs != nullptr) std::fill(rs + first, rs + last, Real(1));
    log_with_offset(ys + first, rs == nullptr ? nullptr : rs + first, last - first, static_cast<Real>(offset));
  });
}

// Rows [0, block) of `count` frames for frame_major_impl: g's rows (one per r, `step` apart along t)
// go to out[i · rows + r], multiplied by s there if given.
template <typename Real>
TFGRAM_CPU_CLONES void frame_major_block(const Real* g, int64_t row_stride, int64_t step, const Real* s,
                                         int64_t rows, int64_t block, int64_t count, Real* out) {
  Real t[kTile][kTile];
  for (int64_t r = 0; r < block; ++r) {
    for (int64_t i = 0; i < count; ++i) t[i][r] = g[r * row_stride + i * step];
  }
  for (int64_t i = 0; i < count; ++i) {
    for (int64_t r = 0; r < block; ++r) out[i * rows + r] = s == nullptr ? t[i][r] : t[i][r] * s[i * rows + r];
  }
}

// out[b][t][r] = g(b, r, t) · s[b][t][r] (s optional) for out and s (B, T, R) in memory and g in
// any layout. One task walks kTile rows of one example along t, a tile of frames at a time: a
// contiguous (B, R, T) gradient is then read as kTile forward streams (one per row), which the
// prefetchers follow; with all R rows per tile (R streams) the reads missed and the pass took ~10 %
// of the fully learnable front end's time.
template <typename Real>
void frame_major_impl(const torch::Tensor& grad, const torch::Tensor& s, torch::Tensor& out) {
  const int64_t batch = grad.size(0), rows = grad.size(1), frames = grad.size(2);
  const int64_t g0 = grad.stride(0), g1 = grad.stride(1), g2 = grad.stride(2);
  const Real* gs = grad.data_ptr<Real>();
  const Real* ss = s.defined() ? s.data_ptr<Real>() : nullptr;
  Real* os = out.data_ptr<Real>();
  const int64_t row_blocks = (rows + kTile - 1) / kTile;
  at::parallel_for(0, batch * row_blocks, 1, [&](int64_t first, int64_t last) {
    for (int64_t item = first; item < last; ++item) {
      const int64_t b = item / row_blocks;
      const int64_t r0 = (item % row_blocks) * kTile;
      const int64_t block = std::min(kTile, rows - r0);
      for (int64_t t0 = 0; t0 < frames; t0 += kTile) {
        const int64_t at = (b * frames + t0) * rows + r0;
        frame_major_block(gs + b * g0 + r0 * g1 + t0 * g2, g1, g2, ss == nullptr ? nullptr : ss + at, rows, block,
                          std::min(kTile, frames - t0), os + at);
      }
    }
  });
}

// Σ_t g[t·step] · d(t) for one row r of one example, d(t) = tiles[(t / kTile)·tile_stride + t % kTile]:
// g is read forwards and d one cache line per tile at a constant stride, two streams the
// prefetchers follow. float64, one accumulator per frame of a tile.
template <typename Real>
TFGRAM_CPU_CLONES double row_tile_dot(const Real* g, int64_t step, const Real* d, int64_t tile_stride, int64_t frames) {
  double acc[kTile] = {};
  int64_t t0 = 0;
  if (step == 1) {
    for (; t0 + kTile <= frames; t0 += kTile, d += tile_stride) {
      for (int64_t i = 0; i < kTile; ++i) acc[i] += static_cast<double>(g[t0 + i]) * static_cast<double>(d[i]);
    }
  }
  for (; t0 < frames; t0 += kTile, d += tile_stride) {
    for (int64_t i = 0; i < std::min(kTile, frames - t0); ++i) {
      acc[i] += static_cast<double>(g[(t0 + i) * step]) * static_cast<double>(d[i]);
    }
  }
  double total = 0;
  for (double a : acc) total += a;
  return total;
}

// Σ grad ⊙ ∂out/∂σ with the latter in forward_impl's tiles (B, tiles, R, kTile): one partial sum
// per row of an example, added in order, so the result is the same at every thread count.
template <typename Real>
double tile_dot_impl(const torch::Tensor& grad, const torch::Tensor& d_tiles) {
  const int64_t batch = grad.size(0), rows = grad.size(1), frames = grad.size(2), tiles = d_tiles.size(1);
  const int64_t g0 = grad.stride(0), g1 = grad.stride(1), g2 = grad.stride(2);
  const Real* gs = grad.data_ptr<Real>();
  const Real* ds = d_tiles.data_ptr<Real>();
  std::vector<double> partial(batch * rows, 0.0);
  at::parallel_for(0, batch * rows, 1, [&](int64_t first, int64_t last) {
    for (int64_t item = first; item < last; ++item) {
      const int64_t b = item / rows, r = item % rows;
      partial[item] = row_tile_dot(gs + b * g0 + r * g1, g2, ds + (b * tiles * rows + r) * kTile, rows * kTile, frames);
    }
  });
  double total = 0;
  for (double p : partial) total += p;
  return total;
}

}  // namespace

void fused_cpu_power(const torch::Tensor& x, const torch::Tensor& window, const torch::Tensor& dwindow,
                     const FrameLayout& layout, int64_t first, int64_t last, torch::Tensor& power,
                     torch::Tensor& d_power) {
  if (x.scalar_type() == torch::kFloat64) {
    power_impl<double>(x, window, dwindow, layout, first, last, power, d_power);
  } else {
    power_impl<float>(x, window, dwindow, layout, first, last, power, d_power);
  }
}

void fused_cpu_forward(const torch::Tensor& x, const torch::Tensor& window, const torch::Tensor& dwindow,
                       const torch::Tensor& filterbank, const FrameLayout& layout, double log_offset,
                       torch::Tensor& out, torch::Tensor& d_out) {
  if (x.scalar_type() == torch::kFloat64) {
    forward_impl<double>(x, window, dwindow, filterbank, layout, log_offset, out, d_out);
  } else {
    forward_impl<float>(x, window, dwindow, filterbank, layout, log_offset, out, d_out);
  }
}

void fused_cpu_log(torch::Tensor& y, torch::Tensor& reciprocal, double offset) {
  if (y.scalar_type() == torch::kFloat64) {
    log_impl<double>(y, reciprocal, offset);
  } else {
    log_impl<float>(y, reciprocal, offset);
  }
}

void fused_cpu_frame_major(const torch::Tensor& grad, const torch::Tensor& scale, torch::Tensor& out) {
  const auto frame_major = [](const torch::Tensor& t) { return t.dim() == 3 && t.transpose(1, 2).is_contiguous(); };
  TORCH_CHECK(grad.dim() == 3 && frame_major(out) && out.sizes() == grad.sizes() &&
                  (!scale.defined() || (frame_major(scale) && scale.sizes() == grad.sizes())),
              "fused_cpu_frame_major: expected (B, R, T) tensors, out and scale views of (B, T, R) memory");
  const auto g = grad.to(out.scalar_type());
  if (out.scalar_type() == torch::kFloat64) {
    frame_major_impl<double>(g, scale, out);
  } else {
    frame_major_impl<float>(g, scale, out);
  }
}

double fused_cpu_tile_dot(const torch::Tensor& grad_in, const torch::Tensor& d_tiles) {
  TORCH_CHECK(grad_in.dim() == 3 && d_tiles.dim() == 4 && d_tiles.is_contiguous() &&
                  d_tiles.size(0) == grad_in.size(0) && d_tiles.size(2) == grad_in.size(1) &&
                  d_tiles.size(3) == kTile && d_tiles.size(1) == (grad_in.size(2) + kTile - 1) / kTile,
              "fused_cpu_tile_dot: expected grad (B, R, T) and fused_cpu_forward's ∂out/∂σ tiles");
  const auto grad = grad_in.to(d_tiles.scalar_type());
  if (grad.scalar_type() == torch::kFloat64) return tile_dot_impl<double>(grad, d_tiles);
  return tile_dot_impl<float>(grad, d_tiles);
}

torch::Tensor fused_cpu_input_grad(const torch::Tensor& x, const torch::Tensor& window,
                                   const torch::Tensor& filterbank, const FrameLayout& layout,
                                   const torch::Tensor& grad) {
  if (x.scalar_type() == torch::kFloat64) return input_grad_impl<double>(x, window, filterbank, layout, grad);
  return input_grad_impl<float>(x, window, filterbank, layout, grad);
}

}  // namespace tfgram::dsp::detail
