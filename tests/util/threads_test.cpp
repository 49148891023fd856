// Thread configuration: LibTorch's intra-op count and OpenBLAS's pool follow one setting.
#include <ATen/Parallel.h>
#include <gtest/gtest.h>

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

}  // namespace
}  // namespace tfgram::testing
