#include "tfgram/util/allocator.h"

#include <malloc.h>

#include <cstdlib>
#include <cstring>

namespace tfgram::util {

bool configure_allocator() {
  for (const char* name : {"MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_", "GLIBC_TUNABLES"}) {
    if (std::getenv(name) != nullptr) return false;
  }
  if (const char* choice = std::getenv("TFGRAM_MALLOC"); choice != nullptr && std::strcmp(choice, "default") == 0) {
    return false;
  }
#if defined(__GLIBC__)
  // Blocks up to 1 GiB from the heap (a batch of 5 s clips and its spectrograms are tens of MB),
  // which is kept up to 2 GiB above its top and grown 256 MiB at a time. A fixed threshold also
  // stops glibc from moving it around.
  constexpr int kMiB = 1024 * 1024;
  const bool ok = mallopt(M_MMAP_THRESHOLD, 1024 * kMiB) == 1 && mallopt(M_TRIM_THRESHOLD, 2047 * kMiB) == 1 &&
                  mallopt(M_TOP_PAD, 256 * kMiB) == 1;
  return ok;
#else
  return false;
#endif
}

}  // namespace tfgram::util
