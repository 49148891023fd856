#pragma once

namespace tfgram::util {

/// Sets LibTorch's intra-op thread count and returns it.
/// `requested > 0` wins; otherwise $TFGRAM_NUM_THREADS; otherwise the cores this process may use.
/// (LibTorch as packaged by Debian starts with a single thread.)
int configure_threads(int requested = 0);

}  // namespace tfgram::util
