#pragma once
// torchrun's role: start this machine's ranks of a data-parallel job as child processes, with the
// environment every rank reads (MASTER_ADDR, MASTER_PORT, WORLD_SIZE, RANK, LOCAL_RANK,
// LOCAL_WORLD_SIZE; OMP_NUM_THREADS and TFGRAM_NUM_THREADS split the cores unless set), forward
// SIGINT/SIGTERM to them, and end as soon as one fails: the others are stopped and the first
// failing status is returned.
#include <torch/arg.h>

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

namespace tfgram::dist {

struct LaunchOptions {
  /// std::invalid_argument naming the option.
  void validate() const;

  /// Ranks started on this machine.
  TORCH_ARG(int64_t, nproc) = 1;
  /// Machines in the job (each runs one launcher).
  TORCH_ARG(int64_t, nnodes) = 1;
  /// This machine's index in [0, nnodes): its ranks are node_rank·nproc … node_rank·nproc + nproc − 1.
  TORCH_ARG(int64_t, node_rank) = 0;
  /// HOST:PORT of rank 0's store; "" on one machine = 127.0.0.1 and a free port.
  TORCH_ARG(std::string, master) = "";
  /// The program and arguments every rank runs.
  TORCH_ARG(std::vector<std::string>, command) = {};
  /// Each rank's output goes to <log_dir>/rank_<R>.log; "" = this process's stdout/stderr.
  TORCH_ARG(std::string, log_dir) = "";
  /// Seconds the other ranks get to stop after SIGTERM (once one failed) before SIGKILL.
  TORCH_ARG(double, grace) = 10;
};

/// Runs the ranks to the end: 0 when all succeed, else the first failure's exit status (128 + the
/// signal for one killed by a signal). Progress lines go to `log` (nullptr = none).
int launch(const LaunchOptions& options, std::ostream* log = nullptr);

/// A TCP port that was free on 127.0.0.1 just now.
uint16_t free_port();

}  // namespace tfgram::dist
