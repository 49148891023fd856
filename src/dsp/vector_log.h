#pragma once
// The log of the DMEL kernel's tiles, vectorised with glibc's libmvec (part of libc6) at the widest
// level the CPU has: AVX-512, AVX2 + FMA, else SSE2. Without libmvec (or off x86-64) a std::log
// loop. Internal; light header.
//
// libmvec replaced SLEEF (Debian's libsleef, which ATen's own log uses): on AVX2, 1 M logs took
// 0.54 against SLEEF's 0.84 ms in float32 (u35) and 1.7 against 3.6 ms in float64 (u10), and the
// 10 ms DMEL layer's forward+backward ran 6–7 % faster.
//
// The fused kernel applies it to each projected tile while the tile is in L1, instead of three
// ATen passes over the whole (B, M, T) output afterwards (add, divide, log: ~15 % of the 10 ms
// forward+backward).
#include <cstdint>

namespace tfgram::dsp::detail {

/// For i < n: with `d`, first d[i] ← d[i] / (x[i] + offset) (the σ-derivative of the log); then
/// x[i] ← log(x[i] + offset). libmvec's functions are within 4 ulp (glibc's bound for them; 1.5 ulp
/// measured in float32, 1 in float64). The |X|² they take the log of carries the FFT's rounding,
/// several ulps already, so the output's error is the spectrum's, not the log's.
void log_with_offset(float* x, float* d, int64_t n, float offset);
void log_with_offset(double* x, double* d, int64_t n, double offset);

/// The instruction set log_with_offset runs on here: "avx512", "avx2", "sse2" or "scalar".
const char* log_with_offset_isa();

}  // namespace tfgram::dsp::detail
