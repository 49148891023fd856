#pragma once
// The ranks of one data-parallel job and their collectives, on LibTorch's c10d: a TCPStore at the
// master for rendezvous, a Gloo process group on CPU (NCCL for CUDA tensors when built with
// TFGRAM_WITH_NCCL). c10d's headers stay out of this one (the implementation is in src/dist/).
//
// Failures are never silent: a collective that fails (a peer died: its socket closed) or does not
// finish within the timeout (a peer hangs) throws PeerFailure, whose message names the ranks
// whose heartbeat stopped, or the rank that fell behind.
#include <torch/types.h>

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace tfgram::dist {

/// Another rank died, hung or cannot be reached; the job cannot go on.
class PeerFailure : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// "HOST:PORT" ("[::1]:29500" for IPv6).
struct Endpoint {
  std::string host;
  uint16_t port = 0;
  /// std::invalid_argument naming `what` (e.g. "--master") when `text` is not HOST:PORT with a
  /// port in 1..65535.
  static Endpoint parse(const std::string& text, const std::string& what);
  std::string str() const;
};

struct GroupOptions {
  /// Throws std::invalid_argument naming the option (rank outside [0, world_size), no master…).
  void validate() const;
  /// torchrun's environment: WORLD_SIZE, RANK, LOCAL_RANK, MASTER_ADDR, MASTER_PORT (each one
  /// that is set; the others keep their defaults).
  static GroupOptions from_environment();

  /// Processes in the job (1 = not distributed).
  TORCH_ARG(int64_t, world_size) = 1;
  /// This process's rank in [0, world_size); rank 0 hosts the store and writes the outputs.
  TORCH_ARG(int64_t, rank) = 0;
  /// Rank on this machine (picks cuda:<local_rank> for a CUDA run).
  TORCH_ARG(int64_t, local_rank) = 0;
  /// Where rank 0 listens: HOST:PORT.
  TORCH_ARG(std::string, master) = "";
  /// Seconds to wait for the other ranks (to join, and in every collective) before giving up.
  TORCH_ARG(double, timeout) = 120;
};

/// Bytes moved by the all-reduces of gradients, and their timing.
struct CommStats {
  int64_t steps = 0;
  int64_t buckets = 0;                 ///< buckets per step
  int64_t bytes_per_step = 0;          ///< gradient bytes all-reduced per step
  int64_t launched_in_backward = 0;    ///< buckets launched before backward returned, summed over steps
  int64_t launched = 0;                ///< buckets launched, summed over steps
  double wait_seconds = 0;             ///< time spent after backward waiting for the all-reduces
  double comm_seconds = 0;             ///< launch to completion of every bucket, summed
  double overlapped_seconds = 0;       ///< the part of comm_seconds before backward returned
};

class Group {
 public:
  /// Joins the job: connects to (rank 0: hosts) the store at options.master, waits up to
  /// options.timeout for every rank, builds the process group. PeerFailure naming the missing
  /// ranks, or the master that cannot be reached.
  static std::shared_ptr<Group> join(const GroupOptions& options, const torch::Device& device = torch::kCPU);
  ~Group();
  Group(const Group&) = delete;
  Group& operator=(const Group&) = delete;

  int64_t rank() const;
  int64_t size() const;
  bool lead() const { return rank() == 0; }
  const GroupOptions& options() const;
  /// The device this rank computes on (cuda:<local_rank> for a CUDA run).
  torch::Device device() const;

  /// Sums every tensor over the ranks, in place, in one collective (flattened).
  void all_reduce_sum(std::vector<torch::Tensor>& tensors, const std::string& during);
  /// Sums `values` over the ranks (double precision).
  std::vector<double> sum(std::vector<double> values, const std::string& during);
  /// Overwrites `tensors` on every rank with rank `root`'s values (c10d::broadcast_coalesced).
  void broadcast(const std::vector<torch::Tensor>& tensors, const std::string& during, int64_t root = 0);
  /// Rank `root`'s `text` on every rank.
  std::string broadcast_text(const std::string& text, const std::string& during, int64_t root = 0);
  /// Where this rank is (shown in failure messages as how far each rank got).
  void set_progress(const std::string& where);

  /// Converts the error of a failed or timed-out collective into a PeerFailure naming the ranks
  /// that stopped (waits a few heartbeats to tell).
  [[noreturn]] void fail(const std::exception& error, const std::string& during);

  struct Impl;
  Impl& impl();

 private:
  explicit Group(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace tfgram::dist
