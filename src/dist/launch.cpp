#include "tfgram/dist/launch.h"

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <ostream>
#include <stdexcept>
#include <thread>

#include "tfgram/dist/group.h"
#include "tfgram/util/check.h"
#include "tfgram/util/interrupt.h"
#include "tfgram/util/process.h"
#include "tfgram/util/threads.h"

namespace tfgram::dist {
namespace {
int exit_code(const util::ExitStatus& status) { return status.exited ? status.status : 128 + status.status; }
}  // namespace

void LaunchOptions::validate() const {
  util::require(nproc() >= 1, "--nproc", "expected >= 1, got ", nproc());
  util::require(nnodes() >= 1, "--nnodes", "expected >= 1, got ", nnodes());
  util::require(node_rank() >= 0 && node_rank() < nnodes(), "--node-rank", "node rank ", node_rank(),
                " is outside [0, ", nnodes(), ")");
  util::require(nnodes() == 1 || !master().empty(), "--master",
                "a job on several machines needs the HOST:PORT of node 0 (the same on every machine)");
  if (!master().empty()) Endpoint::parse(master(), "--master");
  util::require(!command().empty(), "launch", "no command to run (give it after --, e.g. -- tfgram train -c run.yaml)");
  util::require(grace() >= 0, "--grace", "expected >= 0 seconds, got ", grace());
}

uint16_t free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("cannot open a socket to find a free port");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof address;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    ::close(fd);
    throw std::runtime_error("cannot find a free port on 127.0.0.1");
  }
  ::close(fd);
  return ntohs(address.sin_port);
}

int launch(const LaunchOptions& options, std::ostream* log) {
  options.validate();
  const Endpoint master = options.master().empty() ? Endpoint{"127.0.0.1", free_port()}
                                                   : Endpoint::parse(options.master(), "--master");
  const int64_t world = options.nproc() * options.nnodes();
  const int threads = std::max(1, util::usable_cores() / static_cast<int>(options.nproc()));
  const auto unset = [](const char* name) { return std::getenv(name) == nullptr; };
  if (!options.log_dir().empty()) std::filesystem::create_directories(options.log_dir());
  util::install_interrupt_handlers();

  std::map<pid_t, int64_t> running;  // pid → rank
  const auto stop_all = [&](int signal) {
    for (const auto& [pid, rank] : running) ::kill(pid, signal);
  };
  try {
    for (int64_t local = 0; local < options.nproc(); ++local) {
      const int64_t rank = options.node_rank() * options.nproc() + local;
      util::SpawnOptions spawn;
      spawn.argv = options.command();
      spawn.environment = {"MASTER_ADDR=" + master.host,
                           "MASTER_PORT=" + std::to_string(master.port),
                           "WORLD_SIZE=" + std::to_string(world),
                           "RANK=" + std::to_string(rank),
                           "LOCAL_RANK=" + std::to_string(local),
                           "LOCAL_WORLD_SIZE=" + std::to_string(options.nproc())};
      // As torchrun: the cores are split between the local ranks unless the user chose.
      if (unset("OMP_NUM_THREADS")) spawn.environment.push_back("OMP_NUM_THREADS=" + std::to_string(threads));
      if (unset("TFGRAM_NUM_THREADS")) spawn.environment.push_back("TFGRAM_NUM_THREADS=" + std::to_string(threads));
      if (!options.log_dir().empty()) spawn.output_path = options.log_dir() + "/rank_" + std::to_string(rank) + ".log";
      spawn.null_stdin = local != 0;
      spawn.die_with_parent = true;
      running[util::spawn_process(spawn)] = rank;
    }
  } catch (...) {
    stop_all(SIGKILL);
    for (const auto& [pid, rank] : running) util::wait_process(pid);
    throw;
  }
  if (log != nullptr) {
    *log << "launch: ranks " << options.node_rank() * options.nproc() << ".."
         << options.node_rank() * options.nproc() + options.nproc() - 1 << " of " << world << ", master "
         << master.str() << ", " << threads << " thread(s) each" << std::endl;
  }

  int result = 0;
  bool forwarded = false;
  std::chrono::steady_clock::time_point kill_at{};
  bool stopping = false;
  while (!running.empty()) {
    bool ended = false;
    for (auto it = running.begin(); it != running.end();) {
      std::optional<util::ExitStatus> status;
      try {
        status = util::poll_process(it->first);
      } catch (const std::runtime_error&) {
        status = util::ExitStatus{};
      }
      if (!status) {
        ++it;
        continue;
      }
      ended = true;
      if (!status->success() && result == 0) {
        result = exit_code(*status);
        if (log != nullptr) {
          *log << "launch: rank " << it->second << " " << status->describe() << "; stopping the other ranks"
               << std::endl;
        }
      }
      it = running.erase(it);
    }
    if (result != 0 && !stopping) {
      stopping = true;
      stop_all(SIGTERM);
      kill_at = std::chrono::steady_clock::now() +
                std::chrono::milliseconds(static_cast<int64_t>(options.grace() * 1000));
    }
    if (stopping && std::chrono::steady_clock::now() > kill_at) stop_all(SIGKILL);
    if (util::interrupt_signal() != 0 && !forwarded) {
      stop_all(util::interrupt_signal());  // each rank stops cleanly; the job resumes when rerun
      forwarded = true;
    }
    if (!ended) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (result == 0 && util::interrupt_signal() != 0) result = 128 + util::interrupt_signal();
  return result;
}

}  // namespace tfgram::dist
