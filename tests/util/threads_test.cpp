// Thread configuration: LibTorch's intra-op count and OpenBLAS's pool follow one setting.
#include <ATen/Parallel.h>
#include <gtest/gtest.h>

#include <atomic>

#include "tfgram/util/threads.h"

namespace tfgram::testing {
namespace {

TEST(Threads, OpenBlasFollowsTheIntraOpCount) {
  if (util::blas_threads() == 0) GTEST_SKIP() << "the BLAS in use is not OpenBLAS";
  const int before = at::get_num_threads();
  EXPECT_EQ(util::configure_threads(1), 1);
  EXPECT_EQ(at::get_num_threads(), 1);
  EXPECT_EQ(util::blas_threads(), 1);
  util::configure_threads(2);
  EXPECT_EQ(util::blas_threads(), 2);
  util::configure_threads(before);
  EXPECT_EQ(util::blas_threads(), before);
}

// at::parallel_for is a header template: it splits the work only where the calling code is compiled
// with OpenMP, which tfgram::core passes on to everything that links it. Without it, every
// parallel loop of the kernels ran on one thread whatever the intra-op count.
TEST(Threads, ParallelForInCodeLinkingTfgramSplitsTheWork) {
  const int before = at::get_num_threads();
  util::configure_threads(2);
  std::atomic<int> chunks{0};
  at::parallel_for(0, 1000, 1, [&](int64_t, int64_t) { ++chunks; });
  util::configure_threads(before);
  EXPECT_EQ(chunks.load(), 2);
}

}  // namespace
}  // namespace tfgram::testing
