#pragma once
// Internal: what a Group holds, for the gradient averager's asynchronous all-reduces.
#include <torch/csrc/distributed/c10d/ProcessGroup.hpp>

#include <memory>

#include "store.h"
#include "tfgram/dist/group.h"

namespace tfgram::dist {

struct Group::Impl {
  GroupOptions options;
  Endpoint master;
  torch::Device device{torch::kCPU};
  c10::intrusive_ptr<c10d::TCPStore> store;
  c10::intrusive_ptr<c10d::ProcessGroup> process_group;
  std::unique_ptr<detail::Heartbeat> heartbeat;
  double beat_interval = 1;

  std::string beat_key(int64_t rank) const { return "tfgram/beat/" + std::to_string(rank); }
};

}  // namespace tfgram::dist
