#include "tfgram/util/process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace tfgram::util {
namespace {

ExitStatus decode(int status) {
  ExitStatus result;
  result.exited = WIFEXITED(status);
  result.status = result.exited ? WEXITSTATUS(status) : (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
  return result;
}

std::string key_of(const std::string& entry) { return entry.substr(0, entry.find('=')); }

// The child's environment: `overrides`, then the parent's entries whose key they do not set.
std::vector<std::string> child_environment(const std::vector<std::string>& overrides) {
  std::vector<std::string> env = overrides;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    const std::string entry = *e;
    bool replaced = false;
    for (const auto& o : overrides) replaced = replaced || key_of(o) == key_of(entry);
    if (!replaced) env.push_back(entry);
  }
  return env;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// Writes all of `size` bytes, retrying on EINTR; async-signal-safe.
void write_all(int fd, const void* data, size_t size) {
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    const ssize_t n = ::write(fd, p, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    p += n;
    size -= static_cast<size_t>(n);
  }
}

}  // namespace

std::string ExitStatus::describe() const {
  if (timed_out) return "was killed after the timeout";
  if (exited) return "exited with status " + std::to_string(status);
  return "was killed by signal " + std::to_string(status);
}

std::string find_executable(const std::string& name) {
  const auto runnable = [](const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
  };
  if (name.empty()) return "";
  if (name.find('/') != std::string::npos) return runnable(name) ? name : "";
  const char* path_env = std::getenv("PATH");
  const std::string path = path_env != nullptr ? path_env : "/usr/local/bin:/usr/bin:/bin";
  size_t start = 0;
  while (start <= path.size()) {
    const auto colon = path.find(':', start);
    std::string dir = path.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
    if (dir.empty()) dir = ".";
    const std::string candidate = dir + "/" + name;
    if (runnable(candidate)) return candidate;
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  return "";
}

pid_t spawn_process(const SpawnOptions& options) {
  if (options.argv.empty()) throw std::invalid_argument("spawn_process: empty command");
  const std::string& program = options.argv[0];
  const std::string executable = find_executable(program);
  if (executable.empty()) {
    throw std::runtime_error("cannot run '" + program + "': " +
                             (program.find('/') == std::string::npos ? "not found on PATH" : "not an executable file"));
  }
  // Everything the child touches is built here: after fork it may only make async-signal-safe calls.
  std::vector<std::string> args = options.argv;
  std::vector<std::string> env = child_environment(options.environment);
  const auto argv = pointers(args);
  const auto envp = pointers(env);
  int output = -1;
  if (!options.output_path.empty()) {
    output = ::open(options.output_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (output < 0) {
      throw std::runtime_error("cannot run '" + program + "': cannot open " + options.output_path + ": " +
                               std::strerror(errno));
    }
  }
  int input = -1;
  if (options.null_stdin) input = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  // exec's errno comes back through a close-on-exec pipe: end of file means exec succeeded.
  int report[2];
  if (::pipe2(report, O_CLOEXEC) != 0) report[0] = report[1] = -1;
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid == 0) {
    if (options.die_with_parent) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) ::_exit(127);  // the parent ended before prctl
    }
    if (input >= 0) ::dup2(input, STDIN_FILENO);
    if (output >= 0) {
      ::dup2(output, STDOUT_FILENO);
      ::dup2(output, STDERR_FILENO);
    }
    ::execve(executable.c_str(), argv.data(), envp.data());
    const int error = errno;
    if (report[1] >= 0) write_all(report[1], &error, sizeof error);
    ::_exit(127);
  }
  const int fork_error = errno;
  if (output >= 0) ::close(output);
  if (input >= 0) ::close(input);
  if (report[1] >= 0) ::close(report[1]);
  if (pid < 0) {
    if (report[0] >= 0) ::close(report[0]);
    throw std::runtime_error("cannot run '" + program + "': fork failed: " + std::strerror(fork_error));
  }
  int exec_error = 0;
  if (report[0] >= 0) {
    ssize_t n;
    do {
      n = ::read(report[0], &exec_error, sizeof exec_error);
    } while (n < 0 && errno == EINTR);
    ::close(report[0]);
    if (n != static_cast<ssize_t>(sizeof exec_error)) exec_error = 0;
  }
  if (exec_error != 0) {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    throw std::runtime_error("cannot run '" + program + "': " + std::strerror(exec_error));
  }
  return pid;
}

std::optional<ExitStatus> poll_process(pid_t pid) {
  int status = 0;
  pid_t done;
  do {
    done = ::waitpid(pid, &status, WNOHANG);
  } while (done < 0 && errno == EINTR);
  if (done == 0) return std::nullopt;
  if (done < 0) throw std::runtime_error("waiting for process " + std::to_string(pid) + " failed: " + std::strerror(errno));
  return decode(status);
}

ExitStatus kill_process(pid_t pid) {
  ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return decode(status);
  }
  return decode(status);
}

ExitStatus wait_process(pid_t pid, double timeout_seconds) {
  if (!std::isfinite(timeout_seconds)) {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0) {
      if (errno != EINTR) throw std::runtime_error("waiting for process " + std::to_string(pid) + " failed: " + std::strerror(errno));
    }
    return decode(status);
  }
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                            std::chrono::duration<double>(timeout_seconds));
  // Poll rather than block so a hung child can be killed.
  while (true) {
    if (const auto status = poll_process(pid)) return *status;
    if (std::chrono::steady_clock::now() > deadline) {
      auto status = kill_process(pid);
      status.timed_out = true;
      return status;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

}  // namespace tfgram::util
