#include "tfgram/dist/group.h"

#include <torch/torch.h>
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/comm.hpp>
#ifdef USE_C10D_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <sstream>
#include <thread>

#include "group_impl.h"
#include "tfgram/util/check.h"

namespace tfgram::dist {
namespace {
std::string first_line(const std::exception& e) {
  std::string what = e.what();
  return what.substr(0, what.find('\n'));
}

int64_t parse_count(const char* name, const std::string& value) {
  size_t used = 0;
  int64_t out = 0;
  try {
    out = std::stoll(value, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  util::require(used == value.size() && !value.empty(), name, "expected a whole number, got '", value, "'");
  return out;
}
}  // namespace

Endpoint Endpoint::parse(const std::string& text, const std::string& what) {
  const auto bad = [&](const std::string& why) -> Endpoint {
    throw std::invalid_argument(what + " '" + text + "': " + why + " (expected HOST:PORT, e.g. 10.0.0.1:29500)");
  };
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) return bad("no port");
  Endpoint e;
  e.host = text.substr(0, colon);
  if (e.host.size() >= 2 && e.host.front() == '[' && e.host.back() == ']') e.host = e.host.substr(1, e.host.size() - 2);
  if (e.host.empty()) return bad("no host");
  const std::string port = text.substr(colon + 1);
  if (port.empty() || port.find_first_not_of("0123456789") != std::string::npos || port.size() > 5) {
    return bad("the port is not a number");
  }
  const long value = std::stol(port);
  if (value < 1 || value > 65535) return bad("the port must lie in 1..65535");
  e.port = static_cast<uint16_t>(value);
  return e;
}

std::string Endpoint::str() const {
  return (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

void GroupOptions::validate() const {
  util::require(world_size() >= 1, "--world-size", "expected >= 1, got ", world_size());
  util::require(rank() >= 0 && rank() < world_size(), "--rank", "rank ", rank(), " is outside [0, ", world_size(),
                ") for world size ", world_size());
  util::require(local_rank() >= 0, "LOCAL_RANK", "expected >= 0, got ", local_rank());
  util::require(std::isfinite(timeout()) && timeout() > 0, "--dist-timeout", "expected a positive number of seconds, got ",
                timeout());
  if (world_size() > 1) {
    util::require(!master().empty(), "--master",
                  "a job of several ranks needs the master's HOST:PORT (--master, or MASTER_ADDR and MASTER_PORT)");
    Endpoint::parse(master(), "--master");
  }
}

GroupOptions GroupOptions::from_environment() {
  GroupOptions o;
  const auto env = [](const char* name) -> std::string {
    const char* value = std::getenv(name);
    return value != nullptr ? value : "";
  };
  if (!env("WORLD_SIZE").empty()) o.world_size(parse_count("WORLD_SIZE", env("WORLD_SIZE")));
  if (!env("RANK").empty()) o.rank(parse_count("RANK", env("RANK")));
  if (!env("LOCAL_RANK").empty()) o.local_rank(parse_count("LOCAL_RANK", env("LOCAL_RANK")));
  const auto addr = env("MASTER_ADDR");
  const auto port = env("MASTER_PORT");
  if (!addr.empty() || !port.empty()) {
    util::require(!addr.empty() && !port.empty(), "MASTER_ADDR/MASTER_PORT", "set both or neither (got MASTER_ADDR='",
                  addr, "', MASTER_PORT='", port, "')");
    o.master((addr.find(':') != std::string::npos ? "[" + addr + "]" : addr) + ":" + port);
  }
  return o;
}

Group::Group(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Group::~Group() {
  impl_->heartbeat.reset();
  impl_->process_group.reset();
  impl_->store.reset();
}

int64_t Group::rank() const { return impl_->options.rank(); }
int64_t Group::size() const { return impl_->options.world_size(); }
const GroupOptions& Group::options() const { return impl_->options; }
torch::Device Group::device() const { return impl_->device; }
Group::Impl& Group::impl() { return *impl_; }

std::shared_ptr<Group> Group::join(const GroupOptions& options, const torch::Device& device) {
  options.validate();
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->master = Endpoint::parse(options.master(), "--master");
  impl->device = device.is_cuda() && !device.has_index()
                     ? torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(options.local_rank()))
                     : device;
  impl->beat_interval = std::clamp(options.timeout() / 8, 0.05, 1.0);
  const int64_t rank = options.rank();
  const int64_t world = options.world_size();
  const std::string me = "rank " + std::to_string(rank);
  impl->store = detail::open_store(impl->master, rank == 0, options.timeout(), me);
  auto& store = *impl->store;
  try {
    // Two processes started with the same rank, or with different world sizes, are told apart here.
    if (store.add("tfgram/rank/" + std::to_string(rank), 1) != 1) {
      throw PeerFailure(me + ": another process already joined " + impl->master.str() + " as rank " +
                        std::to_string(rank) + " (give every process its own --rank)");
    }
    store.set("tfgram/world/" + std::to_string(rank), detail::bytes(std::to_string(world)));
    impl->heartbeat = std::make_unique<detail::Heartbeat>(impl->master, impl->beat_key(rank), impl->beat_interval,
                                                          options.timeout());
    const auto deadline = std::chrono::steady_clock::now() + detail::milliseconds(options.timeout());
    std::vector<int64_t> missing;
    for (;;) {
      missing.clear();
      for (int64_t r = 0; r < world; ++r) {
        if (!store.check({"tfgram/world/" + std::to_string(r)})) missing.push_back(r);
      }
      if (missing.empty() || std::chrono::steady_clock::now() > deadline) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (!missing.empty()) {
      std::string list;
      for (const auto r : missing) list += (list.empty() ? "" : ", ") + std::to_string(r);
      throw PeerFailure(me + ": rank(s) " + list + " of " + std::to_string(world) + " did not join at " +
                        impl->master.str() + " within " + std::to_string(static_cast<int64_t>(options.timeout())) +
                        " s (--dist-timeout)");
    }
    const auto lead_world = detail::text(store.get("tfgram/world/0"));
    if (lead_world != std::to_string(world)) {
      throw PeerFailure(me + ": started with world size " + std::to_string(world) + ", but rank 0 with " +
                        lead_world + " (give every rank the same --world-size)");
    }
    auto prefixed = c10::make_intrusive<c10d::PrefixStore>("tfgram/pg", impl->store);
#ifdef USE_C10D_NCCL
    if (impl->device.is_cuda()) {
      auto nccl = c10d::ProcessGroupNCCL::Options::create();
      nccl->timeout = detail::milliseconds(options.timeout());
      impl->process_group = c10::make_intrusive<c10d::ProcessGroupNCCL>(prefixed, rank, world, nccl);
    }
#endif
    if (!impl->process_group) {
      auto gloo = c10d::ProcessGroupGloo::Options::create(detail::milliseconds(options.timeout()));
      // Bind where the master is reached from: loopback for a one-machine job, the right
      // interface on a cluster (GLOO_SOCKET_IFNAME names one explicitly).
      const char* interface = std::getenv("GLOO_SOCKET_IFNAME");
      if (interface != nullptr && *interface != '\0') {
        gloo->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(interface));
      } else {
        const auto address = detail::local_address_towards(impl->master.host);
        gloo->devices.push_back(address.empty() ? c10d::ProcessGroupGloo::createDefaultDevice()
                                                : c10d::ProcessGroupGloo::createDeviceForHostname(address));
      }
      impl->process_group = c10::make_intrusive<c10d::ProcessGroupGloo>(prefixed, rank, world, gloo);
    }
  } catch (const PeerFailure&) {
    throw;
  } catch (const std::exception& e) {
    throw PeerFailure(me + ": setting up the process group at " + impl->master.str() + " failed: " + first_line(e));
  }
  return std::shared_ptr<Group>(new Group(std::move(impl)));
}

void Group::set_progress(const std::string& where) {
  if (impl_->heartbeat) impl_->heartbeat->set_detail(where);
}

void Group::fail(const std::exception& error, const std::string& during) {
  const int64_t me = rank();
  std::string diagnosis;
  try {
    impl_->store->setTimeout(detail::milliseconds(std::max(2.0, 4 * impl_->beat_interval)));
    std::vector<std::string> keys;
    std::vector<int64_t> ranks;
    for (int64_t r = 0; r < size(); ++r) {
      if (r == me) continue;
      keys.push_back(impl_->beat_key(r));
      ranks.push_back(r);
    }
    std::vector<detail::Beat> beats;
    const double wait = 3 * impl_->beat_interval + 0.2;
    const auto stopped = detail::stopped_beats(*impl_->store, keys, wait, &beats);
    std::ostringstream text;
    text.precision(2);
    if (!stopped.empty()) {
      for (size_t i = 0; i < stopped.size(); ++i) {
        const auto& beat = beats[stopped[i]];
        text << (i > 0 ? "; " : "") << "rank " << ranks[stopped[i]]
             << " stopped responding (its heartbeat did not move for " << wait << " s: the process died or hangs"
             << (beat.detail.empty() ? "" : ", last seen at " + beat.detail) << ")";
      }
    } else {
      text << "every other rank is still alive (";
      for (size_t i = 0; i < ranks.size(); ++i) {
        text << (i > 0 ? ", " : "") << "rank " << ranks[i] << " at " << (beats[i].detail.empty() ? "?" : beats[i].detail);
      }
      text << "); a rank slower than --dist-timeout " << options().timeout() << " s, or ranks out of step";
    }
    diagnosis = text.str();
  } catch (const std::exception&) {
    diagnosis = me == 0 ? "the store this rank hosts stopped answering"
                        : "rank 0 is gone (the store it hosts at " + impl_->master.str() +
                              " no longer answers: it died or hangs)";
  }
  throw PeerFailure("rank " + std::to_string(me) + " of " + std::to_string(size()) + ": " + during + " failed: " +
                    diagnosis + " [" + first_line(error) + "]");
}

void Group::all_reduce_sum(std::vector<torch::Tensor>& tensors, const std::string& during) {
  if (tensors.empty()) return;
  torch::NoGradGuard no_grad;
  std::vector<at::Tensor> flat{at::flatten_dense_tensors(tensors)};
  try {
    impl_->process_group->allreduce(flat)->wait();
  } catch (const std::exception& e) {
    fail(e, during);
  }
  const auto parts = at::unflatten_dense_tensors(flat[0], tensors);
  for (size_t i = 0; i < tensors.size(); ++i) tensors[i].copy_(parts[i]);
}

std::vector<double> Group::sum(std::vector<double> values, const std::string& during) {
  std::vector<torch::Tensor> t{torch::tensor(values, torch::kFloat64).to(impl_->device)};
  all_reduce_sum(t, during);
  const auto cpu = t[0].cpu();
  return std::vector<double>(cpu.data_ptr<double>(), cpu.data_ptr<double>() + cpu.numel());
}

void Group::broadcast(const std::vector<torch::Tensor>& tensors, const std::string& during, int64_t root) {
  if (tensors.empty()) return;
  torch::NoGradGuard no_grad;
  try {
    c10d::broadcast_coalesced(impl_->process_group, tensors, 256 << 20, static_cast<int>(root));
  } catch (const std::exception& e) {
    fail(e, during);
  }
}

std::string Group::broadcast_text(const std::string& text, const std::string& during, int64_t root) {
  std::vector<at::Tensor> length{torch::tensor({static_cast<int64_t>(text.size())}, torch::kInt64)};
  try {
    impl_->process_group->broadcast(length, c10d::BroadcastOptions{root})->wait();
    std::vector<at::Tensor> data{torch::empty({length[0].item<int64_t>()}, torch::kUInt8)};
    if (rank() == root && !text.empty()) std::memcpy(data[0].data_ptr<uint8_t>(), text.data(), text.size());
    if (data[0].numel() > 0) impl_->process_group->broadcast(data, c10d::BroadcastOptions{root})->wait();
    return std::string(reinterpret_cast<const char*>(data[0].data_ptr<uint8_t>()), static_cast<size_t>(data[0].numel()));
  } catch (const std::exception& e) {
    fail(e, during);
  }
}

}  // namespace tfgram::dist
