#pragma once
// Starting a watch that may fail at first (no permission yet, the API server away): the settings watches
// (repository credentials, health rules, notification config) try once in start(), then again in the background.
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace gitmoor::engine {

class StartRetry {
 public:
  ~StartRetry() { stop(); }

  // Runs `attempt` now; while it returns false, again every `interval` on a thread of its own, until it returns true
  // or stop() is called.
  void start(const std::function<bool()>& attempt, std::chrono::milliseconds interval) {
    if (attempt()) return;
    thread_ = std::jthread([attempt, interval](std::stop_token stop) {
      std::mutex m;
      std::condition_variable_any cv;
      while (!stop.stop_requested()) {
        std::unique_lock lock(m);
        if (cv.wait_for(lock, stop, interval, [] { return false; })) return;
        if (stop.stop_requested() || attempt()) return;
      }
    });
  }

  // Ends the retries (joins the thread; an attempt in progress finishes first).
  void stop() {
    if (!thread_.joinable()) return;
    thread_.request_stop();
    thread_.join();
  }

 private:
  std::jthread thread_;
};

}  // namespace gitmoor::engine
