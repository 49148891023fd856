// Thread configuration: LibTorch's intra-op count and OpenBLAS's pool follow one setting.
#include <ATen/Parallel.h>
#include <gtest/gtest.h>

#include <stdlib.h>

#include <atomic>
#include <initializer_list>
#include <optional>
#include <string>
#include <utility>
#include <vector>

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

// Clears the named environment variables and restores them on destruction: child processes of
// later tests inherit this process's environment.
class SavedEnvironment {
 public:
  explicit SavedEnvironment(std::initializer_list<const char*> names) {
    for (const char* name : names) {
      const char* value = ::getenv(name);
      saved_.push_back({name, value == nullptr ? std::nullopt : std::optional<std::string>(value)});
      ::unsetenv(name);
    }
  }
  ~SavedEnvironment() {
    for (const auto& [name, value] : saved_) {
      if (value) {
        ::setenv(name, value->c_str(), 1);
      } else {
        ::unsetenv(name);
      }
    }
  }

 private:
  std::vector<std::pair<const char*, std::optional<std::string>>> saved_;
};

std::string variable(const char* name) {
  const char* value = ::getenv(name);
  return value == nullptr ? "(unset)" : value;
}

TEST(Threads, PassiveDefaultsWithAShortSpinAndTheUsersChoiceWins) {
  const SavedEnvironment saved{"OMP_WAIT_POLICY", "GOMP_SPINCOUNT", "OPENBLAS_THREAD_TIMEOUT"};
  EXPECT_TRUE(util::set_passive_thread_defaults());
  EXPECT_EQ(variable("OMP_WAIT_POLICY"), "passive");
  EXPECT_EQ(variable("GOMP_SPINCOUNT"), "3000");
  EXPECT_EQ(variable("OPENBLAS_THREAD_TIMEOUT"), "4");
  EXPECT_FALSE(util::set_passive_thread_defaults()) << "all set already: nothing to re-execute for";

  // A user's wait policy keeps libgomp's own spin count for it; their spin count is theirs too.
  ::setenv("OMP_WAIT_POLICY", "active", 1);
  ::unsetenv("GOMP_SPINCOUNT");
  EXPECT_FALSE(util::set_passive_thread_defaults());
  EXPECT_EQ(variable("OMP_WAIT_POLICY"), "active");
  EXPECT_EQ(variable("GOMP_SPINCOUNT"), "(unset)");
  ::unsetenv("OMP_WAIT_POLICY");
  ::setenv("GOMP_SPINCOUNT", "0", 1);
  EXPECT_TRUE(util::set_passive_thread_defaults());
  EXPECT_EQ(variable("OMP_WAIT_POLICY"), "passive");
  EXPECT_EQ(variable("GOMP_SPINCOUNT"), "0");
}

}  // namespace
}  // namespace tfgram::testing
