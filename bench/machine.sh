#!/usr/bin/env bash
# Prints the machine the benchmark scripts ran on, for their records: "N cores (CPU model, vector
# level)". The kernels' loops and libmvec's log run per vector level, so ratios differ between
# an AVX2 and an AVX-512 machine.
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
isa=$(grep -qw avx512f /proc/cpuinfo && echo AVX-512 || { grep -qw avx2 /proc/cpuinfo && echo AVX2 || echo "no AVX2"; })
echo "$(nproc) cores ($cpu, $isa)"
