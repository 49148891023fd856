#pragma once
// Gradient averaging as DDP does it: parameters are grouped into buckets (c10d's
// compute_bucket_assignment_by_size: 1 MiB for the first, 25 MiB cap, in reverse registration
// order, which is roughly the order backward produces them); a gradient hook copies each gradient
// into its bucket's flat buffer, and a full bucket's all-reduce is launched at once, in bucket
// order on every rank, so communication runs while backward computes the rest. After backward,
// finish() waits for the buckets, divides by the world size and writes the means into .grad.
#include <torch/types.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "tfgram/dist/group.h"

namespace tfgram::dist {

struct GradientAveragerOptions {
  /// Size cap of the first bucket (the last gradients backward produces: ready soonest).
  TORCH_ARG(int64_t, first_bucket_bytes) = 1 << 20;
  /// Size cap of the other buckets.
  TORCH_ARG(int64_t, bucket_bytes) = 25 << 20;
};

class GradientAverager {
 public:
  /// Hooks every parameter of `parameters` that requires gradients.
  GradientAverager(std::shared_ptr<Group> group, std::vector<torch::Tensor> parameters,
                   GradientAveragerOptions options = {});
  ~GradientAverager();
  GradientAverager(const GradientAverager&) = delete;
  GradientAverager& operator=(const GradientAverager&) = delete;

  /// Call before backward: arms the hooks for one step.
  void prepare();
  /// Call after backward: launches buckets whose gradients did not all arrive (unused parameters
  /// count as zero), waits for every bucket and stores the mean gradient in each .grad.
  /// PeerFailure when a rank fails.
  void finish();

  const CommStats& stats() const;
  /// Parameters in each bucket, in launch order.
  std::vector<int64_t> bucket_sizes() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace tfgram::dist
