// The tfgram tool re-executes itself once unless OMP_WAIT_POLICY and OPENBLAS_THREAD_TIMEOUT are
// set (util::prefer_passive_threads). Set here, before any test runs, both reach every child
// process the tests start, which then runs at once. ctest sets OMP_WAIT_POLICY for this process
// too; OPENBLAS_THREAD_TIMEOUT comes too late for this process's own OpenBLAS, which is fine.
#include <stdlib.h>

namespace tfgram::testing {
namespace {

const bool child_environment = [] {
  ::setenv("OMP_WAIT_POLICY", "passive", /*overwrite=*/0);
  ::setenv("OPENBLAS_THREAD_TIMEOUT", "4", /*overwrite=*/0);
  return true;
}();

}  // namespace
}  // namespace tfgram::testing
