#pragma once
// Child processes for CLI tests: run the real tfgram binary and capture its output.
#include <sys/types.h>

#include <string>
#include <vector>

#include "support/temp_dir.h"

namespace tfgram::testing {

/// Path of the built tfgram binary.
std::string cli_path();

struct ProcessResult {
  int exit_code = -1;  ///< exit status, or 128 + signal when killed
  std::string out;
  std::string err;
};

/// Runs `args` (args[0] is the program) with extra environment `env` ("KEY=VALUE") and waits.
ProcessResult run_process(const std::vector<std::string>& args, const std::vector<std::string>& env = {});

/// Starts `args` in the background with stdout/stderr discarded; returns its pid.
pid_t spawn_process(const std::vector<std::string>& args, const std::vector<std::string>& env = {});
/// Waits for `pid`; returns its exit code (128 + signal when killed).
int wait_process(pid_t pid);

}  // namespace tfgram::testing
