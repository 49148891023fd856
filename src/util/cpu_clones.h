#pragma once
// Hot loops built for several x86-64 levels and picked once at load time by the CPU's features
// (GCC's function multi-versioning through an ifunc). The library is compiled for the baseline
// x86-64, so without this the fused kernels' loops ran on SSE2 alone: the DMEL kernel's per-bin
// work was ~27 instructions a bin at 10 ms. v3 is AVX2 + FMA, v4 adds AVX-512. The clones may
// contract a·b + c into one FMA, so float results can differ in the last bits between CPUs of
// different levels (never between runs on one machine).
// Elsewhere (clang, which has no target_clones on templates; other architectures) a plain function.
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__gnu_linux__)
#define TFGRAM_CPU_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define TFGRAM_CPU_CLONES
#endif
