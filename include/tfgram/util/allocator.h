#pragma once

namespace tfgram::util {

/// For executables, early in main: tells glibc's malloc to keep freed memory for reuse instead of
/// handing large blocks back to the kernel at every free. Training frees and reallocates tensors
/// of the same sizes every step; by default glibc unmaps or trims them, and each step then faults
/// its pages in again (ESC-10, DMEL + mel_conv: 6.6 M minor faults, system time above user time).
/// Sets M_MMAP_THRESHOLD to 1 GiB (smaller blocks come from the heap), M_TRIM_THRESHOLD to 2 GiB
/// and M_TOP_PAD to 256 MiB: that ESC-10 run went from 14.1 s wall / 14.4 s system / 6.6 M faults
/// to 7.4 s / 2.7 s / 0.36 M. The cost is resident memory the process keeps after a peak: 1.22 →
/// 1.5–1.6 GB there (README, "Speed"). Does nothing when the user set any of glibc's own
/// MALLOC_MMAP_THRESHOLD_, MALLOC_TRIM_THRESHOLD_, MALLOC_TOP_PAD_ or GLIBC_TUNABLES (theirs
/// wins), or TFGRAM_MALLOC=default. Returns whether the policy was applied.
bool configure_allocator();

}  // namespace tfgram::util
