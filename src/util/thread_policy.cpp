// util::set_passive_thread_defaults, on its own and without LibTorch: the `tfgram` launcher
// (apps/tfgram/launcher) compiles this file too, and must link nothing but the C++ runtime.
#include <cstdlib>
#include <initializer_list>
#include <utility>

#include "tfgram/util/threads.h"

namespace tfgram::util {

bool set_passive_thread_defaults() {
  bool changed = false;
  const auto set_default = [&](const char* name, const char* value) {
    if (std::getenv(name) == nullptr && ::setenv(name, value, 1) == 0) changed = true;
  };
  // The user's choice wins for each variable. A user who chose an OpenMP wait policy also keeps
  // libgomp's spin count for it.
  if (std::getenv("OMP_WAIT_POLICY") == nullptr) {
    set_default("OMP_WAIT_POLICY", "passive");
    set_default("GOMP_SPINCOUNT", "3000");
  }
  set_default("OPENBLAS_THREAD_TIMEOUT", "4");
  return changed;
}

}  // namespace tfgram::util
