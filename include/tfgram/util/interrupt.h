#pragma once
// Ctrl-C and SIGTERM for long runs: the first signal only sets a flag, which the trainer and the
// experiment runner check between steps; they stop without writing anything half-done (the last
// epoch's checkpoint stays as it was) and throw Interrupted. The tool then exits with 128 + the
// signal (130 for SIGINT), and rerunning the same command resumes. A second signal ends the process
// at once (the default action).
#include <stdexcept>
#include <string>

namespace tfgram::util {

class Interrupted : public std::runtime_error {
 public:
  explicit Interrupted(int signal);
  int signal() const noexcept { return signal_; }
  /// 128 + signal: the exit status a shell reports for a process ended by it.
  int exit_code() const noexcept { return 128 + signal_; }

 private:
  int signal_;
};

/// Installs the flag-setting handlers for SIGINT and SIGTERM (idempotent).
void install_interrupt_handlers();
/// The signal received since the handlers were installed, or 0.
int interrupt_signal();
/// Throws Interrupted when a signal has been received.
void throw_if_interrupted();

}  // namespace tfgram::util
