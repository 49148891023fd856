#include "tfgram/dist/sampler.h"

#include "tfgram/util/check.h"

namespace tfgram::dist {

int64_t shard_size(int64_t n, int64_t world, Tail tail) {
  util::require(world >= 1, "distributed sampler", "world size must be >= 1, got ", world);
  util::require(n >= 0, "distributed sampler", "negative length ", n);
  if (tail == Tail::kDrop) return n / world;
  return (n + world - 1) / world;
}

std::vector<int64_t> shard(const std::vector<int64_t>& order, int64_t rank, int64_t world, Tail tail) {
  util::require(rank >= 0 && rank < world, "distributed sampler", "rank ", rank, " outside [0, ", world, ")");
  const auto n = static_cast<int64_t>(order.size());
  const int64_t total = tail == Tail::kUneven ? n : shard_size(n, world, tail) * world;
  std::vector<int64_t> out;
  out.reserve(static_cast<size_t>(shard_size(n, world, tail)));
  // Padding repeats the order from its start (more than once when it is shorter than the world).
  for (int64_t at = rank; at < total; at += world) {
    if (n == 0) break;
    out.push_back(order[static_cast<size_t>(at % n)]);
  }
  return out;
}

}  // namespace tfgram::dist
