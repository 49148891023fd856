#pragma once

namespace tfgram::util {

/// The cores this process may run on: its CPU affinity (taskset, cgroup cpusets), not the
/// machine's total; at least 1.
int usable_cores();

/// Sets LibTorch's intra-op thread count, and OpenBLAS's to the same when OpenBLAS is the BLAS in
/// use, and returns it. `requested > 0` wins; otherwise $TFGRAM_NUM_THREADS; otherwise the cores
/// this process may use. (LibTorch as packaged by Debian starts with a single thread.)
int configure_threads(int requested = 0);

/// OpenBLAS's thread count, or 0 when the BLAS in use is not OpenBLAS.
int blas_threads();

/// Sets OMP_WAIT_POLICY=passive with GOMP_SPINCOUNT=3000, and OPENBLAS_THREAD_TIMEOUT=4 (see
/// prefer_passive_threads), where the user has not set them; returns whether it set any. They take effect only in programs started
/// afterwards: the `tfgram` command is a small launcher that calls this and then executes the tool
/// (tfgram-main), so the tool, which loads LibTorch, is loaded once.
bool set_passive_thread_defaults();

/// For executables, first thing in main: re-executes the program once with idle threads that sleep
/// soon, OMP_WAIT_POLICY=passive with GOMP_SPINCOUNT=3000 and OPENBLAS_THREAD_TIMEOUT=4, each unless
/// the user set it (their choice wins; a user's OMP_WAIT_POLICY keeps libgomp's spin count too).
/// libgomp and OpenBLAS read them only when they are loaded, before main, hence the re-execution.
/// - With OpenMP's default policy, idle workers spin after every parallel region and take the
///   cores OpenBLAS's threads need for the next matrix product: on 2 cores a DEGram
///   forward+backward drops from ~75 to ~45 ms and a mel_linear training step from ~20 to ~10 ms.
/// - Passive alone puts a worker to sleep the moment a region ends, so the next region, often
///   microseconds later, waits for the kernel to wake it: about 0.15 ms per region on a 2-core VM
///   (a 1-example DMEL forward+backward at 2 threads: 232 µs, 88 µs with the short spin). 3000
///   spins, a few tens of microseconds, bridge those gaps and then the worker sleeps: FSDD
///   mel_linear at 2 threads, 5.3 → 4.7 s wall and 0.6 → 0.3 s of system time.
/// - OpenBLAS's idle workers spin (sched_yield) for 2^28 cycles after each product by default;
///   2^4 puts them to sleep at once: FSDD mel_linear, 4 epochs at 2 threads, 3.9 → 0.34 s of
///   system time at the same wall time, cores a neighbouring trial can use.
/// Returns normally if every variable was already set, or if re-execution fails (the variables then
/// stay set, which only affects child processes).
void prefer_passive_threads(char** argv);

}  // namespace tfgram::util
