#pragma once
// Child processes: start one (argv, extra environment, output to a log), poll or wait for it, kill
// it. Used by the experiment scheduler (parallel trials) and the report layer (gnuplot).
#include <sys/types.h>

#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace tfgram::util {

struct SpawnOptions {
  /// argv[0] is the program: a path, or a name looked up on PATH (see find_executable).
  std::vector<std::string> argv;
  /// "KEY=VALUE" entries set in the child's environment (replacing the parent's value of KEY).
  std::vector<std::string> environment;
  /// stdout and stderr are appended to this file (created when missing); "" = inherit the parent's.
  std::string output_path;
  /// stdin from /dev/null (otherwise the parent's).
  bool null_stdin = true;
  /// SIGKILL the child when the thread that started it exits (Linux PR_SET_PDEATHSIG).
  bool die_with_parent = false;
};

struct ExitStatus {
  bool exited = false;     ///< ended by exit(); otherwise by a signal
  int status = 0;          ///< exit status, or the signal number
  bool timed_out = false;  ///< killed by wait_process after its timeout
  bool success() const { return exited && status == 0 && !timed_out; }
  /// "exited with status 3", "was killed by signal 9", "was killed after the timeout".
  std::string describe() const;
};

/// Starts the child and returns its pid. Everything is prepared before fork, so it is safe from a
/// process with running threads (LibTorch's). std::runtime_error naming the program when it cannot
/// be started (not found on PATH, not executable, the output file cannot be opened).
pid_t spawn_process(const SpawnOptions& options);

/// The child's status if it has ended (reaping it), std::nullopt while it runs. Only this pid is
/// polled, never another child of the process.
std::optional<ExitStatus> poll_process(pid_t pid);

/// Waits for the child; after `timeout_seconds` kills it (SIGKILL) and reports timed_out.
ExitStatus wait_process(pid_t pid, double timeout_seconds = std::numeric_limits<double>::infinity());

/// Sends SIGKILL and reaps the child.
ExitStatus kill_process(pid_t pid);

/// The executable `name` resolves to ("" when none): itself if it contains '/', else the first
/// executable regular file named so on PATH.
std::string find_executable(const std::string& name);

}  // namespace tfgram::util
