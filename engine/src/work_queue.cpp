// See work_queue.hpp.
#include "work_queue.hpp"

namespace gitmoor::engine {

void WorkQueue::add(const std::string& key) {
  {
    std::lock_guard lock(mutex_);
    if (shutting_down_ || dirty_.count(key) != 0) return;
    dirty_.insert(key);
    if (processing_.count(key) != 0) return;  // done() queues it
    queue_.push_back(key);
  }
  cv_.notify_one();
}

void WorkQueue::add_after(const std::string& key, std::chrono::milliseconds delay) {
  if (delay <= std::chrono::milliseconds(0)) {
    add(key);
    return;
  }
  {
    std::lock_guard lock(mutex_);
    if (shutting_down_) return;
    const auto at = Clock::now() + delay;
    auto it = delayed_at_.find(key);
    if (it != delayed_at_.end()) {
      if (it->second <= at) return;
      for (auto d = delayed_.lower_bound(it->second); d != delayed_.end() && d->first == it->second; ++d) {
        if (d->second == key) {
          delayed_.erase(d);
          break;
        }
      }
    }
    delayed_.emplace(at, key);
    delayed_at_[key] = at;
  }
  cv_.notify_all();  // a waiting get() may need to wake earlier
}

void WorkQueue::promote_due_locked(Clock::time_point now) {
  while (!delayed_.empty() && delayed_.begin()->first <= now) {
    const std::string key = delayed_.begin()->second;
    delayed_.erase(delayed_.begin());
    delayed_at_.erase(key);
    if (dirty_.count(key) != 0) continue;
    dirty_.insert(key);
    if (processing_.count(key) == 0) queue_.push_back(key);
  }
}

std::optional<std::string> WorkQueue::get() {
  std::unique_lock lock(mutex_);
  for (;;) {
    if (shutting_down_) return std::nullopt;
    promote_due_locked(Clock::now());
    if (!queue_.empty()) {
      std::string key = std::move(queue_.front());
      queue_.pop_front();
      dirty_.erase(key);
      processing_.insert(key);
      return key;
    }
    if (delayed_.empty()) {
      cv_.wait(lock);
    } else {
      // A copy: the node may be erased by another thread while this one waits with the lock released.
      const auto next_due = delayed_.begin()->first;
      cv_.wait_until(lock, next_due);
    }
  }
}

void WorkQueue::done(const std::string& key) {
  {
    std::lock_guard lock(mutex_);
    processing_.erase(key);
    if (dirty_.count(key) == 0 || shutting_down_) return;
    queue_.push_back(key);
  }
  cv_.notify_one();
}

void WorkQueue::shut_down() {
  {
    std::lock_guard lock(mutex_);
    shutting_down_ = true;
  }
  cv_.notify_all();
}

std::size_t WorkQueue::size() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

}  // namespace gitmoor::engine
