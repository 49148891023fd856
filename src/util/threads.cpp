#include "tfgram/util/threads.h"

#include <ATen/Parallel.h>
#include <dlfcn.h>
#include <sched.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <thread>

#include "tfgram/util/check.h"

namespace tfgram::util {
namespace {

// OpenBLAS's entry points, when the BLAS this process loaded is OpenBLAS (Debian's libblas.so.3
// alternatives may be another BLAS, which has neither).
template <typename Function>
Function openblas_function(const char* name) {
  return reinterpret_cast<Function>(::dlsym(RTLD_DEFAULT, name));
}

}  // namespace

int usable_cores() {
  // Respect CPU affinity (taskset, containers) rather than the machine's total.
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    const int n = CPU_COUNT(&set);
    if (n > 0) return n;
  }
  const unsigned hw = std::thread::hardware_concurrency();
  return hw > 0 ? static_cast<int>(hw) : 1;
}

int blas_threads() {
  const auto get = openblas_function<int (*)()>("openblas_get_num_threads");
  return get != nullptr ? get() : 0;
}

int configure_threads(int requested) {
  int threads = requested;
  if (threads <= 0) {
    if (const char* env = std::getenv("TFGRAM_NUM_THREADS"); env != nullptr && *env != '\0') {
      char* end = nullptr;
      const long value = std::strtol(env, &end, 10);
      require(end != env && *end == '\0' && value > 0, "TFGRAM_NUM_THREADS",
              "expected a positive integer, got '", env, "'");
      threads = static_cast<int>(value);
    } else {
      threads = usable_cores();
    }
  }
  at::set_num_threads(threads);
  // OpenBLAS sizes its own pool by the machine's cores when it loads, whatever LibTorch uses: with
  // fewer intra-op threads, its surplus workers wake for every product and spin (sched_yield) on
  // the cores this process or a parallel trial needs (FSDD mel_linear at one thread: 6.3 s of
  // system time against 0.6 s with OpenBLAS at one thread too).
  if (const auto set = openblas_function<void (*)(int)>("openblas_set_num_threads")) set(threads);
  return threads;
}

void prefer_passive_threads(char** argv) {
  if (!set_passive_thread_defaults()) return;
  ::execv("/proc/self/exe", argv);
  // Still here: exec failed. The variables stay set, which only affects child processes.
}

}  // namespace tfgram::util
