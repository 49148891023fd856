#include "store.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <set>

namespace tfgram::dist::detail {

std::vector<uint8_t> bytes(const std::string& text) { return std::vector<uint8_t>(text.begin(), text.end()); }
std::string text(const std::vector<uint8_t>& bytes) { return std::string(bytes.begin(), bytes.end()); }
std::chrono::milliseconds milliseconds(double seconds) {
  return std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000.0 + 0.5));
}

namespace {
// c10d's messages carry a C++ backtrace after the first line; the first line is what helps.
std::string first_line(const std::exception& e) {
  std::string what = e.what();
  return what.substr(0, what.find('\n'));
}

std::string numeric_address(const sockaddr* address) {
  char buffer[INET6_ADDRSTRLEN] = {0};
  if (address->sa_family == AF_INET) {
    ::inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(address)->sin_addr, buffer, sizeof buffer);
  } else if (address->sa_family == AF_INET6) {
    ::inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr, buffer, sizeof buffer);
  }
  return buffer;
}

std::vector<std::string> resolve(const std::string& host) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  std::vector<std::string> out;
  if (::getaddrinfo(host.c_str(), nullptr, &hints, &found) != 0) return out;
  for (addrinfo* a = found; a != nullptr; a = a->ai_next) out.push_back(numeric_address(a->ai_addr));
  ::freeaddrinfo(found);
  return out;
}
}  // namespace

c10::intrusive_ptr<c10d::TCPStore> open_store(const Endpoint& at, bool host, double timeout, const std::string& who) {
  if (!host && resolve(at.host).empty()) {
    throw PeerFailure(who + ": cannot resolve the master's host name '" + at.host + "'");
  }
  c10d::TCPStoreOptions options;
  options.port = at.port;
  options.isServer = host;
  options.waitWorkers = false;
  options.timeout = milliseconds(timeout);
  try {
    return c10::make_intrusive<c10d::TCPStore>(at.host, options);
  } catch (const std::exception& e) {
    if (host) {
      throw PeerFailure(who + ": cannot host the store on port " + std::to_string(at.port) + " (" + first_line(e) +
                        "); is another job using " + at.str() + "? choose another port");
    }
    throw PeerFailure(who + ": the master at " + at.str() + " did not answer within " +
                      std::to_string(static_cast<int64_t>(timeout)) +
                      " s (is rank 0 / the first worker running there, and the port reachable?): " + first_line(e));
  }
}

bool is_local_host(const std::string& host) {
  const auto addresses = resolve(host);
  std::set<std::string> local;
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) == 0) {
    for (ifaddrs* i = list; i != nullptr; i = i->ifa_next) {
      if (i->ifa_addr != nullptr) local.insert(numeric_address(i->ifa_addr));
    }
    ::freeifaddrs(list);
  }
  for (const auto& a : addresses) {
    if (a.rfind("127.", 0) == 0 || a == "::1" || local.count(a) != 0) return true;
  }
  return false;
}

std::string local_address_towards(const std::string& host) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_DGRAM;
  addrinfo* found = nullptr;
  if (::getaddrinfo(host.c_str(), "9", &hints, &found) != 0 || found == nullptr) return "";
  std::string out;
  // A connected UDP socket sends nothing; it only makes the kernel pick the route and address.
  const int fd = ::socket(found->ai_family, SOCK_DGRAM, 0);
  if (fd >= 0) {
    if (::connect(fd, found->ai_addr, found->ai_addrlen) == 0) {
      sockaddr_storage mine{};
      socklen_t length = sizeof mine;
      if (::getsockname(fd, reinterpret_cast<sockaddr*>(&mine), &length) == 0) {
        out = numeric_address(reinterpret_cast<sockaddr*>(&mine));
      }
    }
    ::close(fd);
  }
  ::freeaddrinfo(found);
  return out;
}

Heartbeat::Heartbeat(const Endpoint& at, std::string key, double interval, double timeout)
    : store_(open_store(at, /*host=*/false, timeout, "heartbeat")), key_(std::move(key)),
      interval_(milliseconds(interval)) {
  store_->set(key_, bytes("0\t"));
  thread_ = std::thread([this] { run(); });
}

Heartbeat::~Heartbeat() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void Heartbeat::set_detail(const std::string& detail) {
  std::lock_guard<std::mutex> lock(mutex_);
  detail_ = detail;
}

void Heartbeat::run() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stopping_) {
    wake_.wait_for(lock, interval_, [&] { return stopping_; });
    if (stopping_) return;
    const std::string value = std::to_string(++count_) + "\t" + detail_;
    lock.unlock();
    try {
      store_->set(key_, bytes(value));
    } catch (const std::exception&) {
      return;  // the store is gone; the main thread sees it in its own calls
    }
    lock.lock();
  }
}

Beat read_beat(c10d::Store& store, const std::string& key) {
  Beat beat;
  if (!store.check({key})) return beat;
  const auto value = text(store.get(key));
  const auto tab = value.find('\t');
  beat.count = std::stoll(value.substr(0, tab));
  beat.detail = tab == std::string::npos ? "" : value.substr(tab + 1);
  return beat;
}

std::vector<size_t> stopped_beats(c10d::Store& store, const std::vector<std::string>& keys, double wait,
                                  std::vector<Beat>* last) {
  std::vector<Beat> before;
  for (const auto& key : keys) before.push_back(read_beat(store, key));
  std::this_thread::sleep_for(milliseconds(wait));
  std::vector<size_t> stopped;
  std::vector<Beat> after;
  for (size_t i = 0; i < keys.size(); ++i) {
    after.push_back(read_beat(store, keys[i]));
    if (after.back().count < 0 || after.back().count == before[i].count) stopped.push_back(i);
  }
  if (last != nullptr) *last = after;
  return stopped;
}

}  // namespace tfgram::dist::detail
