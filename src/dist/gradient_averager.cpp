#include "tfgram/dist/gradient_averager.h"

#include <torch/torch.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <tuple>

#include "group_impl.h"
#include "tfgram/util/check.h"

// reducer.hpp needs headers Debian's libtorch-dev does not ship; the function itself is exported.
namespace c10d {
class Logger;
TORCH_API std::tuple<std::vector<std::vector<size_t>>, std::vector<size_t>> compute_bucket_assignment_by_size(
    const std::vector<at::Tensor>& tensors, const std::vector<size_t>& bucket_size,
    const std::vector<bool>& expect_sparse_gradient, const std::vector<int64_t>& tensor_indices,
    const c10::optional<std::weak_ptr<c10d::Logger>>& logger);
}  // namespace c10d

namespace tfgram::dist {
namespace {
using Clock = std::chrono::steady_clock;

struct Bucket {
  std::vector<size_t> members;   // indices into State::parameters
  std::vector<int64_t> offsets;  // of each member in `flat`
  torch::Tensor flat;
  size_t pending = 0;            // gradients not yet copied in this step
  std::vector<bool> arrived;
  c10::intrusive_ptr<c10d::Work> work;
  Clock::time_point launched_at;
};
}  // namespace

struct GradientAverager::State {
  std::shared_ptr<Group> group;
  std::vector<torch::Tensor> parameters;
  std::vector<std::pair<size_t, size_t>> where;  // parameter → (bucket, member)
  std::vector<Bucket> buckets;
  std::vector<unsigned> hooks;
  std::mutex mutex;  // hooks may run on autograd's device threads
  size_t next_launch = 0;
  bool armed = false;
  bool in_backward = false;
  CommStats stats;
  // When each bucket's all-reduce completed (steady clock ticks), set by c10d's completion callback.
  std::unique_ptr<std::atomic<int64_t>[]> completed;

  // Buckets go out in index order on every rank: c10d matches collectives by their order.
  void launch_ready() {
    while (next_launch < buckets.size() && buckets[next_launch].pending == 0) {
      auto& b = buckets[next_launch];
      std::vector<at::Tensor> tensors{b.flat};
      b.launched_at = Clock::now();
      b.work = group->impl().process_group->allreduce(tensors);
      std::atomic<int64_t>* done = &completed[next_launch];
      done->store(0);
      b.work->getFuture()->addCallback(
          [done](c10::ivalue::Future&) { done->store(Clock::now().time_since_epoch().count()); });
      ++stats.launched;
      if (in_backward) ++stats.launched_in_backward;
      ++next_launch;
    }
  }

  void arrive(size_t parameter, const torch::Tensor& grad) {
    std::lock_guard<std::mutex> lock(mutex);
    if (!armed) return;
    const auto [bi, mi] = where[parameter];
    auto& b = buckets[bi];
    if (b.arrived[mi]) return;
    b.arrived[mi] = true;
    b.flat.narrow(0, b.offsets[mi], parameters[parameter].numel()).copy_(grad.reshape(-1));
    --b.pending;
    launch_ready();
  }
};

GradientAverager::GradientAverager(std::shared_ptr<Group> group, std::vector<torch::Tensor> parameters,
                                   GradientAveragerOptions options)
    : state_(std::make_unique<State>()) {
  util::require(group != nullptr, "GradientAverager", "no process group");
  util::require(options.first_bucket_bytes() > 0 && options.bucket_bytes() > 0, "GradientAverager",
                "bucket sizes must be positive");
  auto& s = *state_;
  s.group = std::move(group);
  for (auto& p : parameters) {
    if (p.requires_grad()) s.parameters.push_back(p);
  }
  // Reverse registration order, as DDP: the output layers' gradients come first in backward.
  std::vector<at::Tensor> reversed(s.parameters.rbegin(), s.parameters.rend());
  const auto assignment = c10d::compute_bucket_assignment_by_size(
      reversed, {static_cast<size_t>(options.first_bucket_bytes()), static_cast<size_t>(options.bucket_bytes())},
      {}, {}, c10::nullopt);
  const auto& groups = std::get<0>(assignment);
  s.where.resize(s.parameters.size());
  for (const auto& members : groups) {
    Bucket b;
    int64_t size = 0;
    for (const size_t r : members) {
      const size_t index = s.parameters.size() - 1 - r;
      s.where[index] = {s.buckets.size(), b.members.size()};
      b.members.push_back(index);
      b.offsets.push_back(size);
      size += s.parameters[index].numel();
    }
    const auto& first = s.parameters[b.members.front()];
    b.flat = torch::zeros({size}, first.options().requires_grad(false));
    b.arrived.assign(b.members.size(), false);
    s.stats.bytes_per_step += size * static_cast<int64_t>(first.element_size());
    s.buckets.push_back(std::move(b));
  }
  s.stats.buckets = static_cast<int64_t>(s.buckets.size());
  s.completed = std::make_unique<std::atomic<int64_t>[]>(s.buckets.size());
  for (size_t i = 0; i < s.parameters.size(); ++i) {
    State* state = &s;
    s.hooks.push_back(s.parameters[i].register_hook([state, i](const torch::Tensor& grad) { state->arrive(i, grad); }));
  }
}

GradientAverager::~GradientAverager() {
  for (size_t i = 0; i < state_->parameters.size(); ++i) state_->parameters[i].remove_hook(state_->hooks[i]);
}

void GradientAverager::prepare() {
  std::lock_guard<std::mutex> lock(state_->mutex);
  for (auto& b : state_->buckets) {
    b.pending = b.members.size();
    b.arrived.assign(b.members.size(), false);
    b.work.reset();
  }
  state_->next_launch = 0;
  state_->armed = true;
  state_->in_backward = true;
}

void GradientAverager::finish() {
  auto& s = *state_;
  torch::NoGradGuard no_grad;
  const auto backward_end = Clock::now();
  {
    std::lock_guard<std::mutex> lock(s.mutex);
    s.in_backward = false;
    // Parameters this step did not reach contribute zeros (another rank may have reached them).
    for (auto& b : s.buckets) {
      for (size_t m = 0; m < b.members.size(); ++m) {
        if (b.arrived[m]) continue;
        b.flat.narrow(0, b.offsets[m], s.parameters[b.members[m]].numel()).zero_();
        b.arrived[m] = true;
        --b.pending;
      }
    }
    s.launch_ready();
    s.armed = false;
  }
  const auto started = Clock::now();
  const double world = static_cast<double>(s.group->size());
  for (size_t i = 0; i < s.buckets.size(); ++i) {
    auto& b = s.buckets[i];
    try {
      b.work->wait();
    } catch (const std::exception& e) {
      s.group->fail(e, "the gradient all-reduce");
    }
    // The callback may run just after wait() returns; now is then close enough.
    const auto ticks = s.completed[i].load();
    const auto completed = ticks != 0 ? Clock::time_point(Clock::duration(ticks)) : Clock::now();
    s.stats.comm_seconds += std::chrono::duration<double>(completed - b.launched_at).count();
    if (b.launched_at < backward_end) {
      s.stats.overlapped_seconds +=
          std::chrono::duration<double>(std::min(completed, backward_end) - b.launched_at).count();
    }
    b.flat.div_(world);
    for (size_t m = 0; m < b.members.size(); ++m) {
      auto& p = s.parameters[b.members[m]];
      const auto mean = b.flat.narrow(0, b.offsets[m], p.numel()).view(p.sizes());
      if (p.grad().defined()) {
        p.mutable_grad().copy_(mean);
      } else {
        p.mutable_grad() = mean.clone();
      }
    }
  }
  s.stats.wait_seconds += std::chrono::duration<double>(Clock::now() - started).count();
  ++s.stats.steps;
}

const CommStats& GradientAverager::stats() const { return state_->stats; }

std::vector<int64_t> GradientAverager::bucket_sizes() const {
  std::vector<int64_t> out;
  for (const auto& b : state_->buckets) out.push_back(static_cast<int64_t>(b.members.size()));
  return out;
}

}  // namespace tfgram::dist
