#pragma once
// Running a helper program (gnuplot) as a child process. Private to the report layer.
#include <string>
#include <vector>

namespace tfgram::report::detail {

struct ProcessResult {
  bool exited = false;   ///< ended by exit(); otherwise by a signal
  int status = 0;        ///< exit status, or the signal number
  bool timed_out = false;  ///< killed by us after the timeout
};

/// Runs argv[0] (looked up on PATH when it has no '/') with `argv`, stdin from /dev/null and
/// stdout + stderr appended to `log_path`, and waits at most `timeout_seconds` (then SIGKILL).
/// Throws std::runtime_error naming the program when it cannot be started (ENOENT: not found).
ProcessResult run_process(const std::vector<std::string>& argv, const std::string& log_path,
                          double timeout_seconds);

/// The executable `name` resolves to ("" when none): itself if it contains '/', else the first
/// executable regular file named so on PATH.
std::string find_executable(const std::string& name);

}  // namespace tfgram::report::detail
