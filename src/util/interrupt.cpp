#include "tfgram/util/interrupt.h"

#include <signal.h>
#include <string.h>

#include <atomic>

namespace tfgram::util {
namespace {
volatile sig_atomic_t received = 0;

void on_signal(int signal) {
  if (received != 0) {  // second signal: the default action, now
    ::signal(signal, SIG_DFL);
    ::raise(signal);
    return;
  }
  received = signal;
}

std::string describe(int signal) {
  const char* name = signal == SIGINT ? "SIGINT" : signal == SIGTERM ? "SIGTERM" : ::strsignal(signal);
  return std::string("interrupted by ") + name + "; nothing half-done was written, rerun the same command to resume";
}
}  // namespace

Interrupted::Interrupted(int signal) : std::runtime_error(describe(signal)), signal_(signal) {}

void install_interrupt_handlers() {
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  ::sigaction(SIGINT, &action, nullptr);
  ::sigaction(SIGTERM, &action, nullptr);
}

int interrupt_signal() { return received; }

void throw_if_interrupted() {
  if (received != 0) throw Interrupted(received);
}

}  // namespace tfgram::util
