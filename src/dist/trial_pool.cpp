#include "tfgram/dist/trial_pool.h"

#include <chrono>
#include <cmath>
#include <map>
#include <set>
#include <thread>

#include "store.h"
#include "tfgram/util/check.h"

namespace tfgram::dist {
namespace {
using Clock = std::chrono::steady_clock;
constexpr const char* kFailed = "failed";

std::string first_line(const std::exception& e) {
  std::string what = e.what();
  return what.substr(0, what.find('\n'));
}
}  // namespace

void TrialPoolOptions::validate() const {
  util::require(!master().empty(), "--workers", "the pool needs the store's HOST:PORT");
  Endpoint::parse(master(), "--workers");
  util::require(std::isfinite(timeout()) && timeout() > 0, "--worker-timeout", "expected a positive number of seconds, got ",
                timeout());
  util::require(std::isfinite(heartbeat()) && heartbeat() > 0 && heartbeat() < timeout(), "pool heartbeat",
                "expected a positive number of seconds below the timeout, got ", heartbeat());
  util::require(!pool().empty(), "pool name", "must not be empty");
}

struct TrialPool::State {
  TrialPoolOptions options;
  Endpoint master;
  std::vector<std::string> trials;
  std::function<bool(size_t)> finished;
  c10::intrusive_ptr<c10d::TCPStore> store;
  bool hosts = false;
  int64_t worker = 0;
  std::string token;
  std::unique_ptr<detail::Heartbeat> heartbeat;
  // When each other worker's heartbeat was last seen to move, by this process's clock (the
  // machines' clocks need not agree).
  struct Seen {
    int64_t count = -2;
    Clock::time_point at;
  };
  std::map<int64_t, Seen> seen;
  // Trials this worker claimed and has not settled (several at once with --jobs).
  std::set<size_t> held;

  std::string key(const std::string& name) const { return "tfgram/pool/" + options.pool() + "/" + name; }
  std::string claim_key(size_t trial) const { return key("claim/" + trials[trial]); }

  [[noreturn]] void lost(const std::exception& e) const {
    throw PeerFailure("worker " + std::to_string(worker) + ": the trial pool's store at " + master.str() +
                      (hosts ? "" : " (hosted by the first worker there)") +
                      " stopped answering; finished trials are kept, rerun the workers to go on [" + first_line(e) +
                      "]");
  }

  // Gone: left the pool, or its heartbeat has not moved for the timeout.
  bool gone(int64_t other) {
    if (store->check({key("left/" + std::to_string(other))})) return true;
    const auto beat = detail::read_beat(*store, key("beat/" + std::to_string(other)));
    auto& s = seen[other];
    const auto now = Clock::now();
    if (beat.count != s.count) {
      s.count = beat.count;
      s.at = now;
      return false;
    }
    return std::chrono::duration<double>(now - s.at).count() > options.timeout();
  }
};

TrialPool::TrialPool(TrialPoolOptions options, std::vector<std::string> trials, std::function<bool(size_t)> finished)
    : state_(std::make_unique<State>()) {
  options.validate();
  auto& s = *state_;
  s.options = std::move(options);
  s.master = Endpoint::parse(s.options.master(), "--workers");
  s.trials = std::move(trials);
  s.finished = std::move(finished);
  if (detail::is_local_host(s.master.host)) {
    try {
      s.store = detail::open_store(s.master, /*host=*/true, s.options.timeout(), "worker");
      s.hosts = true;
    } catch (const PeerFailure&) {
      // The port is taken: by the worker that hosts the pool, which we join below.
    }
  }
  if (!s.store) s.store = detail::open_store(s.master, /*host=*/false, s.options.timeout(), "worker");
  try {
    s.worker = s.store->add(s.key("workers"), 1);
    s.token = "worker " + std::to_string(s.worker);
    s.heartbeat = std::make_unique<detail::Heartbeat>(s.master, s.key("beat/" + std::to_string(s.worker)),
                                                      s.options.heartbeat(), s.options.timeout());
  } catch (const PeerFailure&) {
    throw;
  } catch (const std::exception& e) {
    s.lost(e);
  }
}

TrialPool::~TrialPool() {
  auto& s = *state_;
  s.heartbeat.reset();
  try {
    s.store->set(s.key("left/" + std::to_string(s.worker)), detail::bytes("1"));
  } catch (const std::exception&) {
  }
}

int64_t TrialPool::worker() const { return state_->worker; }
bool TrialPool::hosts() const { return state_->hosts; }
double TrialPool::retry_seconds() const { return state_->options.heartbeat(); }

int64_t TrialPool::claim() {
  auto& s = *state_;
  try {
    bool waiting = false;
    for (size_t i = 0; i < s.trials.size(); ++i) {
      if (s.finished(i)) {
        s.held.erase(i);
        continue;
      }
      const auto key = s.claim_key(i);
      std::string holder = s.store->check({key}) ? detail::text(s.store->get(key)) : "";
      if (holder == kFailed) continue;
      if (holder.empty()) holder = detail::text(s.store->compareSet(key, {}, detail::bytes(s.token)));
      if (holder == s.token && s.held.insert(i).second) return static_cast<int64_t>(i);
      if (holder == kFailed) continue;
      if (holder == s.token) {  // running here already
        waiting = true;
        continue;
      }
      // Held by another worker: take it over once that worker is gone (at most one taker wins).
      const auto space = holder.rfind(' ');
      const int64_t other = space == std::string::npos ? -1 : std::stoll(holder.substr(space + 1));
      if (other >= 0 && s.gone(other) &&
          detail::text(s.store->compareSet(key, detail::bytes(holder), detail::bytes(s.token))) == s.token) {
        s.held.insert(i);
        return static_cast<int64_t>(i);
      }
      waiting = true;
    }
    return waiting ? kWait : kDone;
  } catch (const PeerFailure&) {
    throw;
  } catch (const std::exception& e) {
    s.lost(e);
  }
}

void TrialPool::fail(int64_t trial) {
  auto& s = *state_;
  s.held.erase(static_cast<size_t>(trial));
  try {
    s.store->set(s.claim_key(static_cast<size_t>(trial)), detail::bytes(kFailed));
  } catch (const std::exception& e) {
    s.lost(e);
  }
}

void TrialPool::release(int64_t trial) {
  auto& s = *state_;
  s.held.erase(static_cast<size_t>(trial));
  try {
    s.store->compareSet(s.claim_key(static_cast<size_t>(trial)), detail::bytes(s.token), {});
  } catch (const std::exception&) {
    // The store is gone: nobody else can claim it either.
  }
}

void TrialPool::wait_for_others() {
  auto& s = *state_;
  try {
    for (;;) {
      const int64_t workers = s.store->add(s.key("workers"), 0);
      bool all_gone = true;
      for (int64_t w = 1; w <= workers; ++w) {
        if (w != s.worker && !s.gone(w)) all_gone = false;
      }
      if (all_gone) return;
      std::this_thread::sleep_for(detail::milliseconds(s.options.heartbeat()));
    }
  } catch (const std::exception& e) {
    s.lost(e);
  }
}

}  // namespace tfgram::dist
