#include "spectrum_power.h"

#include <algorithm>
#include <cstring>

#include "util/cpu_clones.h"

// The helpers below pass 32-byte vectors by value; always inlined, they never cross a call, so
// the compilers' note that such a call's ABI differs without AVX does not apply.
#if defined(__GNUC__)
#pragma GCC diagnostic ignored "-Wpsabi"
#endif

namespace tfgram::dsp::detail {
namespace {

// Eight floats as one GCC/Clang vector: one ymm in the AVX clones, two xmm on the baseline. The
// helpers are always inlined, so they are compiled for each clone's instruction set.
typedef float Lanes __attribute__((vector_size(8 * sizeof(float))));

[[gnu::always_inline]] inline Lanes load(const float* p) {
  Lanes v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

[[gnu::always_inline]] inline void store(float* p, const Lanes& v) { std::memcpy(p, &v, sizeof v); }

// Rows v[0..8) become columns: afterwards v[j][i] is the former v[i][j]. Pairs are interleaved,
// then pairs of pairs, then the 128-bit halves exchanged (24 shuffles for 64 values).
[[gnu::always_inline]] inline void transpose(Lanes* v) {
  Lanes t[8], s[8];
  for (int j = 0; j < 8; j += 2) {
    t[j] = __builtin_shufflevector(v[j], v[j + 1], 0, 8, 1, 9, 4, 12, 5, 13);
    t[j + 1] = __builtin_shufflevector(v[j], v[j + 1], 2, 10, 3, 11, 6, 14, 7, 15);
  }
  for (int j = 0; j < 8; j += 4) {
    s[j] = __builtin_shufflevector(t[j], t[j + 2], 0, 1, 8, 9, 4, 5, 12, 13);
    s[j + 1] = __builtin_shufflevector(t[j], t[j + 2], 2, 3, 10, 11, 6, 7, 14, 15);
    s[j + 2] = __builtin_shufflevector(t[j + 1], t[j + 3], 0, 1, 8, 9, 4, 5, 12, 13);
    s[j + 3] = __builtin_shufflevector(t[j + 1], t[j + 3], 2, 3, 10, 11, 6, 7, 14, 15);
  }
  for (int j = 0; j < 4; ++j) {
    v[j] = __builtin_shufflevector(s[j], s[j + 4], 0, 1, 2, 3, 8, 9, 10, 11);
    v[j + 4] = __builtin_shufflevector(s[j], s[j + 4], 4, 5, 6, 7, 12, 13, 14, 15);
  }
}

// Bins [k0, k0 + count) of the eight frames' results (bins in lanes) into the tile.
[[gnu::always_inline]] inline void store_block(Lanes* v, int64_t k0, int64_t count, float* out, int64_t tile) {
  transpose(v);
  if (count == 8) {
    // A fixed count keeps v in registers: with the variable one GCC stored v to the stack and
    // copied it out in halves, which stalled on the store forwarding (8 % of the group's time).
    for (int64_t j = 0; j < 8; ++j) store(out + (k0 + j) * tile, v[j]);
  } else {
    for (int64_t j = 0; j < count; ++j) store(out + (k0 + j) * tile, v[j]);
  }
}

// Bins [k0, k0 + 8) of joint spectrum z: |X_k|² into p and 2·Re(conj(X_k)·X'_k) into d. Z_k is
// read at k0, and Z_{n−k} forwards from bin n − k0 − 7, then reversed.
[[gnu::always_inline]] inline void joint_block(const float* z, int64_t n_fft, int64_t k0, float inv_scale, Lanes& p,
                                               Lanes& d) {
  const Lanes a = load(z + 2 * k0), b = load(z + 2 * k0 + 8);
  const float* m = z + 2 * (n_fft - k0 - 7);
  const Lanes c = load(m), e = load(m + 8);
  const Lanes pr = __builtin_shufflevector(a, b, 0, 2, 4, 6, 8, 10, 12, 14);
  const Lanes pi = __builtin_shufflevector(a, b, 1, 3, 5, 7, 9, 11, 13, 15);
  const Lanes zr = __builtin_shufflevector(c, e, 14, 12, 10, 8, 6, 4, 2, 0);
  const Lanes zi = __builtin_shufflevector(c, e, 15, 13, 11, 9, 7, 5, 3, 1);
  const Lanes xr = pr + zr, xi = pi - zi;
  p = 0.25f * (xr * xr + xi * xi);
  d = (pr * zi + pi * zr) * inv_scale;
}

}  // namespace

int64_t spectrum_slot(int64_t n_fft) { return (2 * n_fft + 2 + 15) / 16 * 16; }

bool spectrum_power_supports(int64_t n_fft) { return n_fft >= 16; }

TFGRAM_CPU_CLONES void group_real_power(const float* spectra, int64_t slot, int64_t n_freqs, float* power,
                                        int64_t tile) {
  for (int64_t k0 = 0; k0 < n_freqs; k0 += 8) {
    Lanes p[kSpectrumGroup];
    for (int64_t i = 0; i < kSpectrumGroup; ++i) {
      const float* s = spectra + i * slot + 2 * k0;
      const Lanes a = load(s), b = load(s + 8);
      const Lanes re = __builtin_shufflevector(a, b, 0, 2, 4, 6, 8, 10, 12, 14);
      const Lanes im = __builtin_shufflevector(a, b, 1, 3, 5, 7, 9, 11, 13, 15);
      p[i] = re * re + im * im;
    }
    store_block(p, k0, std::min<int64_t>(8, n_freqs - k0), power, tile);
  }
}

TFGRAM_CPU_CLONES void group_joint_power(const float* spectra, int64_t slot, int64_t n_fft, int64_t n_freqs,
                                         float inv_scale, float* power, float* d_power, int64_t tile) {
  int64_t k0 = 0;
  for (; k0 + 4 <= n_freqs; k0 += 4) {
    // Row i: Z_{k0..k0+3} of frame i, interleaved; after the transpose z[2b] and z[2b + 1] hold
    // Re and Im of Z_{k0+b} across the eight frames. m likewise from bin n − k0 − 3 on, so
    // m[6 − 2b] and m[7 − 2b] hold Z_{n−k0−b}: the mirror comes out reversed at no cost.
    Lanes z[kSpectrumGroup], m[kSpectrumGroup];
    for (int64_t i = 0; i < kSpectrumGroup; ++i) {
      z[i] = load(spectra + i * slot + 2 * k0);
      m[i] = load(spectra + i * slot + 2 * (n_fft - k0 - 3));
    }
    transpose(z);
    transpose(m);
    for (int b = 0; b < 4; ++b) {
      const Lanes pr = z[2 * b], pi = z[2 * b + 1], zr = m[6 - 2 * b], zi = m[7 - 2 * b];
      const Lanes xr = pr + zr, xi = pi - zi;
      store(power + (k0 + b) * tile, 0.25f * (xr * xr + xi * xi));
      store(d_power + (k0 + b) * tile, (pr * zi + pi * zr) * inv_scale);
    }
  }
  // The last n_freqs mod 4 bins (the Nyquist bin alone for n_fft a multiple of 8), frame by frame.
  for (; k0 < n_freqs; ++k0) {
    for (int64_t i = 0; i < kSpectrumGroup; ++i) {
      const float* s = spectra + i * slot;
      const float pr = s[2 * k0], pi = s[2 * k0 + 1], zr = s[2 * (n_fft - k0)], zi = s[2 * (n_fft - k0) + 1];
      const float xr = pr + zr, xi = pi - zi;
      power[k0 * tile + i] = 0.25f * (xr * xr + xi * xi);
      d_power[k0 * tile + i] = (pr * zi + pi * zr) * inv_scale;
    }
  }
}

TFGRAM_CPU_CLONES void joint_power_row(const float* z, int64_t n_fft, int64_t n_freqs, float inv_scale, float* power,
                                       float* d_power) {
  int64_t k0 = 0;
  for (; k0 + 8 <= n_freqs; k0 += 8) {
    Lanes p, d;
    joint_block(z, n_fft, k0, inv_scale, p, d);
    store(power + k0, p);
    store(d_power + k0, d);
  }
  if (k0 < n_freqs) {
    Lanes p, d;
    joint_block(z, n_fft, k0, inv_scale, p, d);
    for (int64_t k = k0; k < n_freqs; ++k) {
      power[k] = p[k - k0];
      d_power[k] = d[k - k0];
    }
  }
}

}  // namespace tfgram::dsp::detail
