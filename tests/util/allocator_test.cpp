// The allocation policy of the executables: applied unless the user chose glibc's own settings.
#include <gtest/gtest.h>
#include <stdlib.h>

#include "tfgram/util/allocator.h"

namespace tfgram::testing {
namespace {

TEST(Allocator, PolicyAppliesUnlessTheUserChoseTheirOwn) {
  for (const char* name : {"TFGRAM_MALLOC", "MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_",
                           "GLIBC_TUNABLES"}) {
    if (std::getenv(name) != nullptr) GTEST_SKIP() << name << " is set in this environment";
  }
  ::setenv("TFGRAM_MALLOC", "default", 1);
  EXPECT_FALSE(util::configure_allocator());
  ::unsetenv("TFGRAM_MALLOC");
  ::setenv("MALLOC_TOP_PAD_", "4096", 1);
  EXPECT_FALSE(util::configure_allocator());
  ::unsetenv("MALLOC_TOP_PAD_");
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "AddressSanitizer replaces glibc's malloc: mallopt has nothing to set (TFGRAM_SANITIZE build)";
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
  GTEST_SKIP() << "AddressSanitizer replaces glibc's malloc: mallopt has nothing to set (TFGRAM_SANITIZE build)";
#endif
#endif
  EXPECT_TRUE(util::configure_allocator()) << "glibc refused one of the settings";
}

}  // namespace
}  // namespace tfgram::testing
