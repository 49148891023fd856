// The `tfgram` launcher applies the idle-thread policy before the tool is loaded, so the tool (and
// LibTorch with it) is loaded once: without it the tool re-executed itself, loading LibTorch twice.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "support/process.h"

namespace tfgram::testing {
namespace {

// The lines of glibc's loader report (LD_DEBUG=files, on stderr) that contain every one of `parts`.
int loader_lines(const std::string& log, const std::vector<std::string>& parts) {
  std::istringstream lines(log);
  int n = 0;
  for (std::string line; std::getline(lines, line);) {
    bool all = true;
    for (const auto& part : parts) all = all && line.find(part) != std::string::npos;
    n += all;
  }
  return n;
}

TEST(Launcher, LoadsTheToolOnceWithThePassiveThreadPolicy) {
  // None of the variables set, as for a user who never heard of them.
  const auto result = run_process({"/usr/bin/env", "-u", "OMP_WAIT_POLICY", "-u", "GOMP_SPINCOUNT", "-u", "OPENBLAS_THREAD_TIMEOUT",
                                   "LD_DEBUG=files", cli_path(), "--help"});
  ASSERT_EQ(result.exit_code, 0) << result.err.substr(0, 2000);
  ASSERT_GT(loader_lines(result.err, {"calling init: "}), 0) << "no LD_DEBUG report";
  // Two programs start, the launcher and then the tool (both under the name the user typed), and
  // LibTorch is initialised once: the tool found the policy already set and did not re-execute.
  EXPECT_EQ(loader_lines(result.err, {"transferring control: "}), 2) << result.err.substr(0, 4000);
  EXPECT_EQ(loader_lines(result.err, {"calling init: ", "libtorch_cpu.so"}), 1);
  EXPECT_NE(result.out.find("Subcommands:"), std::string::npos) << result.out;
}

}  // namespace
}  // namespace tfgram::testing
