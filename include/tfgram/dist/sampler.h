#pragma once
// The distributed sampler: every rank's part of one epoch's order, as PyTorch's DistributedSampler
// splits it. All ranks shuffle with the same seed, so the parts are disjoint; the order is padded
// (repeating its start) or cut to a multiple of the world size so every part is equally long, and
// rank r takes positions r, r + W, r + 2W, … With a global batch B (divisible by W), rank r's k-th
// batch of B/W is then exactly the examples of positions kB … (k+1)B−1 that are ≡ r (mod W): the
// ranks' batches together are the batch a single process takes at step k.
#include <cstdint>
#include <vector>

namespace tfgram::dist {

enum class Tail {
  kPad,     ///< repeat the order's start so every part has ⌈n/W⌉ (training; DistributedSampler default)
  kDrop,    ///< drop the last n mod W positions: every part has ⌊n/W⌋ (drop_last=True)
  kUneven,  ///< nothing added or dropped; parts differ by one (evaluation: every example once)
};

/// Positions `rank`, `rank + world`, … of `order` after the tail rule.
std::vector<int64_t> shard(const std::vector<int64_t>& order, int64_t rank, int64_t world, Tail tail);

/// Length of each part of an order of `n` under `tail` (rank 0's for kUneven).
int64_t shard_size(int64_t n, int64_t world, Tail tail);

}  // namespace tfgram::dist
