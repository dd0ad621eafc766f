#include "network_stream_watchdog.hpp"

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <thread>
#include <vector>

namespace gitmoor::engine {

namespace {

using Clock = std::chrono::steady_clock;

// Checks often enough that a timeout fires within a few percent of its limit; sleeps when nothing is watched.
constexpr auto kTick = std::chrono::milliseconds(50);

class Watchdog {
 public:
  void add(const std::shared_ptr<SocketWatch>& watch) {
    std::lock_guard lock(mutex_);
    watches_.push_back(watch);
    if (!thread_.joinable()) thread_ = std::thread([this] { run(); });
    wake_.notify_one();
  }

  void remove(const std::shared_ptr<SocketWatch>& watch) {
    // Under the lock: once this returns the thread cannot touch the descriptor, which the caller closes next.
    std::lock_guard lock(mutex_);
    std::erase(watches_, watch);
  }

 private:
  [[noreturn]] void run() {
    std::unique_lock lock(mutex_);
    for (;;) {
      wake_.wait(lock, [this] { return !watches_.empty(); });
      wake_.wait_for(lock, kTick);
      const auto now = Clock::now();
      for (const auto& watch : watches_) {
        if (watch->fired || watch->stream_io_seen) continue;
        const auto fallback = std::chrono::duration_cast<std::chrono::milliseconds>(now - watch->since);
        std::string reason = watch_due(*watch, socket_idle_time(watch->fd, fallback), now);
        if (reason.empty()) continue;
        watch->reason = std::move(reason);
        watch->fired = true;
        shutdown(watch->fd, SHUT_RDWR);
      }
    }
  }

  std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<std::shared_ptr<SocketWatch>> watches_;
  std::thread thread_;
};

Watchdog& watchdog() {
  // Never destroyed: its thread lives as long as the process.
  static auto* instance = new Watchdog();
  return *instance;
}

}  // namespace

void watch_socket(const std::shared_ptr<SocketWatch>& watch) { watchdog().add(watch); }

void unwatch_socket(const std::shared_ptr<SocketWatch>& watch) { watchdog().remove(watch); }

std::chrono::milliseconds socket_idle_time(int fd, std::chrono::milliseconds fallback) {
  tcp_info info{};
  socklen_t length = sizeof info;
  if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &length) != 0) return fallback;
  // Before any data moved the kernel's times may count from long ago; the watch's own age bounds them.
  const auto last = std::min({info.tcpi_last_data_recv, info.tcpi_last_data_sent});
  return std::min(std::chrono::milliseconds(last), fallback);
}

std::string watch_due(const SocketWatch& watch, std::chrono::milliseconds idle, Clock::time_point now) {
  if (now >= watch.deadline) return "no progress from " + watch.endpoint + " before the operation deadline";
  if (idle >= watch.idle_limit) {
    return "no data from " + watch.endpoint + " within " + std::to_string(watch.idle_limit.count()) + " ms";
  }
  return {};
}

}  // namespace gitmoor::engine
