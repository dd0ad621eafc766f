#include "controllers.hpp"

namespace gitmoor::sandbox {

Controllers::Controllers(Cluster& cluster, ControllerOptions options) : cluster_(cluster), options_(options) {
  {
    std::lock_guard lock(cluster_.store.mutex());
    cluster_.store.on_event([this](const Event& e) { on_event(e); });
  }
  thread_ = std::thread([this] { run(); });
}

Controllers::~Controllers() { stop(); }

void Controllers::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Controllers::on_event(const Event& event) {
  const Json& md = (*event.object)["metadata"];
  std::lock_guard lock(mutex_);
  queue_.insert({event.resource_id, md.value("namespace", ""), md.value("name", "")});
  cv_.notify_all();
}

void Controllers::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    cv_.wait_for(lock, std::chrono::milliseconds(100), [&] { return stopping_ || !queue_.empty(); });
    auto batch = std::move(queue_);
    queue_.clear();
    auto now = std::chrono::steady_clock::now();
    while (!timers_.empty() && timers_.begin()->first <= now) {
      batch.insert(timers_.begin()->second);
      timers_.erase(timers_.begin());
    }
    lock.unlock();
    for (const auto& ref : batch) reconcile(ref);
    lock.lock();
  }
}

void Controllers::reconcile(const ObjectRef&) {}

}  // namespace gitmoor::sandbox
