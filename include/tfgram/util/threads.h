#pragma once

namespace tfgram::util {

/// Sets LibTorch's intra-op thread count, and OpenBLAS's to the same when OpenBLAS is the BLAS in
/// use, and returns it. `requested > 0` wins; otherwise $TFGRAM_NUM_THREADS; otherwise the cores
/// this process may use. (LibTorch as packaged by Debian starts with a single thread.)
int configure_threads(int requested = 0);

/// OpenBLAS's thread count, or 0 when the BLAS in use is not OpenBLAS.
int blas_threads();

/// For executables, first thing in main: unless OMP_WAIT_POLICY is set (the user's choice wins),
/// re-executes the program once with OMP_WAIT_POLICY=passive. With OpenMP's default policy, idle
/// workers spin after every parallel region, and on a few cores they take the cores OpenBLAS's own
/// threads need for the next matrix product: on 2 cores a DEGram forward+backward drops from ~75
/// to ~45 ms and a mel_linear training step from ~20 to ~10 ms, with nothing slower. libgomp reads
/// the variable only when it is loaded, before main, hence the re-execution. Returns normally if
/// the variable was already set, or if re-execution fails (the variable then stays set, which only
/// affects child processes).
void prefer_passive_openmp(char** argv);

}  // namespace tfgram::util
