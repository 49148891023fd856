// util::set_passive_thread_defaults, on its own and without LibTorch: the `tfgram` launcher
// (apps/tfgram/launcher) compiles this file too, and must link nothing but the C++ runtime.
#include <cstdlib>
#include <initializer_list>
#include <utility>

#include "tfgram/util/threads.h"

namespace tfgram::util {

bool set_passive_thread_defaults() {
  bool changed = false;
  // The user's choice wins for each variable.
  for (const auto& [name, value] : {std::pair{"OMP_WAIT_POLICY", "passive"}, std::pair{"OPENBLAS_THREAD_TIMEOUT", "4"}}) {
    if (std::getenv(name) == nullptr && ::setenv(name, value, 1) == 0) changed = true;
  }
  return changed;
}

}  // namespace tfgram::util
