#pragma once
// Internal: the c10d TCPStore shared by the process group and the trial pool, and heartbeats kept
// in it. Keys are text; values are text too.
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tfgram/dist/group.h"

namespace tfgram::dist::detail {

std::vector<uint8_t> bytes(const std::string& text);
std::string text(const std::vector<uint8_t>& bytes);
std::chrono::milliseconds milliseconds(double seconds);

/// Hosts (binds the port, on every interface) or connects to the store at `at`; PeerFailure in
/// words when it cannot (the port is taken, the master does not answer within `timeout`).
c10::intrusive_ptr<c10d::TCPStore> open_store(const Endpoint& at, bool host, double timeout, const std::string& who);

/// Whether `host` names this machine (loopback, or an address of one of its interfaces).
bool is_local_host(const std::string& host);
/// The local address this machine uses to reach `host` (the interface Gloo should bind).
std::string local_address_towards(const std::string& host);

/// A thread that sets `key` to "<count>\t<detail>" every `interval` seconds on its own connection
/// to the store, so a stopped count means a stopped (dead, hung or frozen) process. Errors (the
/// store went away) end the thread quietly: the main thread finds out in its own calls.
class Heartbeat {
 public:
  Heartbeat(const Endpoint& at, std::string key, double interval, double timeout);
  ~Heartbeat();
  void set_detail(const std::string& detail);

 private:
  void run();
  c10::intrusive_ptr<c10d::TCPStore> store_;
  std::string key_;
  std::chrono::milliseconds interval_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::string detail_;
  int64_t count_ = 0;
  std::thread thread_;
};

/// A heartbeat value read from the store: its count and detail; count -1 when the key is missing.
struct Beat {
  int64_t count = -1;
  std::string detail;
};
Beat read_beat(c10d::Store& store, const std::string& key);

/// Keys of `keys` whose heartbeat did not move in `wait` seconds (missing keys count as stopped).
std::vector<size_t> stopped_beats(c10d::Store& store, const std::vector<std::string>& keys, double wait,
                                  std::vector<Beat>* last = nullptr);

}  // namespace tfgram::dist::detail
