#pragma once
// The log of the DMEL kernel's tiles, vectorised with SLEEF (Debian's libsleef, the library ATen's
// own log uses) at the widest level the CPU has: AVX-512, AVX2 + FMA, else SSE2. Without SLEEF
// (or off x86-64) a std::log loop. Internal; light header.
//
// The fused kernel applies it to each projected tile while the tile is in L1, instead of three
// ATen passes over the whole (B, M, T) output afterwards (add, divide, log: ~15 % of the 10 ms
// forward+backward).
#include <cstdint>

namespace tfgram::dsp::detail {

/// For i < n: with `d`, first d[i] ← d[i] / (x[i] + offset) (the σ-derivative of the log); then
/// x[i] ← log(x[i] + offset). float64: SLEEF's u10 functions, within 1 ulp as ATen's log.
/// float32: the u35 ones, within 3.5 ulp (3.5 · 6e-8 relative) at 0.6× the cost of u10 (1 M logs:
/// 0.83 against 1.34 ms on AVX2). The |X|² they take the log of carries the FFT's rounding, several
/// float32 ulps already, so the output's error is the spectrum's, not the log's.
void log_with_offset(float* x, float* d, int64_t n, float offset);
void log_with_offset(double* x, double* d, int64_t n, double offset);

/// The instruction set log_with_offset runs on here: "avx512", "avx2", "sse2" or "scalar".
const char* log_with_offset_isa();

}  // namespace tfgram::dsp::detail
