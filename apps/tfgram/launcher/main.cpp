// The `tfgram` command as users run it: sets the idle-thread policy (util::set_passive_thread_defaults:
// OMP_WAIT_POLICY, GOMP_SPINCOUNT, OPENBLAS_THREAD_TIMEOUT, each unless set) and executes the tool,
// tfgram-main, from the same folder. libgomp and OpenBLAS read those variables only when they are loaded, so the
// tool on its own re-executes itself to apply them, loading LibTorch twice: ~0.3 s and 16 K page
// faults per process. This launcher links no LibTorch, so that costs ~1 ms.
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <string>

#include "tfgram/util/threads.h"

int main(int, char** argv) {
  tfgram::util::set_passive_thread_defaults();
  char self[PATH_MAX];
  const ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0) {
    std::fprintf(stderr, "tfgram: cannot find its own executable (/proc/self/exe): %s\n", std::strerror(errno));
    return 127;
  }
  const std::string path(self, static_cast<size_t>(n));
  const std::string tool = path.substr(0, path.rfind('/') + 1) + "tfgram-main";
  ::execv(tool.c_str(), argv);  // argv[0] unchanged: usage lines name the command the user typed
  std::fprintf(stderr, "tfgram: cannot run %s: %s\n", tool.c_str(), std::strerror(errno));
  return 127;
}
