#pragma once
// A pool of workers sharing a grid's trials through a c10d TCPStore (Ray Tune's role): each worker
// claims the next unfinished trial atomically (compareSet on the trial's claim key), and keeps a
// heartbeat while it lives. A trial whose claimer's heartbeat has not moved for `timeout` seconds
// is taken over (its folder resumes from its last checkpoint); a finished trial (its folder
// has result.json, on the shared filesystem) is never claimed. Workers may join at any time.
//
// The first worker on the master's machine hosts the store (it binds HOST:PORT); it leaves last,
// once every trial is settled and the other workers have gone, and a worker that loses the store
// stops with a message saying so (rerunning the workers resumes).
#include <torch/arg.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace tfgram::dist {

struct TrialPoolOptions {
  void validate() const;
  /// Where the store is (or is to be hosted): HOST:PORT.
  TORCH_ARG(std::string, master) = "";
  /// Seconds without a heartbeat after which a worker counts as gone and its trial is retried.
  TORCH_ARG(double, timeout) = 60;
  /// Seconds between heartbeats.
  TORCH_ARG(double, heartbeat) = 1;
  /// A name for the grid, so two grids can share a store without mixing their claims.
  TORCH_ARG(std::string, pool) = "grid";
};

class TrialPool {
 public:
  /// Joins (or hosts) the pool. `trials` names every trial (its folder); `finished(i)` says
  /// whether trial i is done on disk. PeerFailure when the store cannot be reached.
  TrialPool(TrialPoolOptions options, std::vector<std::string> trials, std::function<bool(size_t)> finished);
  ~TrialPool();
  TrialPool(const TrialPool&) = delete;
  TrialPool& operator=(const TrialPool&) = delete;

  /// claim(): every remaining trial is held by a live worker; try again later.
  static constexpr int64_t kWait = -1;
  /// claim(): every trial is finished or failed.
  static constexpr int64_t kDone = -2;
  /// Claims the next trial that is neither finished, failed nor held by a live worker (this one
  /// included: with --jobs it holds several at once), taking over one whose worker is gone,
  /// without waiting: its index, kWait or kDone. PeerFailure when the store is gone.
  int64_t claim();
  /// Seconds to wait before claiming again after kWait.
  double retry_seconds() const;
  /// Marks a claimed trial as failed in this pool (not retried by other workers of the pool).
  void fail(int64_t trial);
  /// Lets go of a claimed trial that was not finished (interrupted): another worker may take it.
  void release(int64_t trial);
  /// This worker's number in the pool (1, 2, … in joining order).
  int64_t worker() const;
  /// Whether this worker hosts the store.
  bool hosts() const;
  /// For the hosting worker: waits until the other workers have left (or their heartbeats stopped).
  void wait_for_others();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace tfgram::dist
