#pragma once
// The controller's work queue, shaped like client-go's workqueue: a key is queued at most once however many
// triggers fire; a key being processed is never handed to a second worker, and a trigger that arrives meanwhile
// queues it again once the worker is done (nothing is lost, nothing runs twice at once). add_after() schedules a
// key for later (poll jitter, self-heal backoff, sync retries).
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>

namespace gitmoor::engine {

class WorkQueue {
 public:
  using Clock = std::chrono::steady_clock;

  void add(const std::string& key);
  // Queues `key` at `delay` from now; an earlier pending schedule of the same key wins.
  void add_after(const std::string& key, std::chrono::milliseconds delay);
  // Blocks until a key is ready (or shutdown: nullopt). The caller must call done(key) when finished.
  std::optional<std::string> get();
  void done(const std::string& key);
  // Wakes every get() with nullopt; later adds are ignored.
  void shut_down();

  [[nodiscard]] std::size_t size() const;  // queued now (not delayed, not processing)

 private:
  void promote_due_locked(Clock::time_point now);

  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::string> queue_;
  std::set<std::string> dirty_;       // queued, or to be queued again when processing ends
  std::set<std::string> processing_;
  std::multimap<Clock::time_point, std::string> delayed_;
  std::map<std::string, Clock::time_point> delayed_at_;  // key → its earliest schedule
  bool shutting_down_ = false;
};

}  // namespace gitmoor::engine
