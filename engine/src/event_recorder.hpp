#pragma once
// Records Kubernetes Events (core/v1) about Applications, off the reconcile path: record() only queues (bounded; the
// oldest is dropped when full) and one thread POSTs them. Best effort: an Event that cannot be written is logged and
// never fails a sync; a 403 (the Role grants no `events: create`) is logged once.
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "gitmoor/applier/client.hpp"

namespace gitmoor::engine {

struct ApplicationEvent {
  // involvedObject: the Application
  std::string api_version;
  std::string name;
  std::string ns;
  std::string uid;
  std::string type;  // Normal | Warning
  std::string reason;
  std::string message;
};

// The core/v1 Event object for `event` at `now` (RFC 3339), named `<app>.<unique, hex>` as client-go names them
// (unique: nanoseconds since the epoch).
core::Json event_object(const ApplicationEvent& event, const std::string& now, std::uint64_t unique);

class EventRecorder {
 public:
  explicit EventRecorder(applier::Client& client, std::size_t capacity = 512);
  ~EventRecorder();
  EventRecorder(const EventRecorder&) = delete;
  EventRecorder& operator=(const EventRecorder&) = delete;

  void start();
  // Stops after the Event being written; the ones still queued are dropped.
  void stop();
  // Queues the event; never blocks on the API server.
  void record(ApplicationEvent event);

 private:
  void run(std::stop_token stop);
  void post(const ApplicationEvent& event);

  applier::Client& client_;
  std::size_t capacity_;
  std::mutex mutex_;
  std::condition_variable_any wake_;
  std::deque<ApplicationEvent> queue_;
  std::size_t dropped_ = 0;
  std::set<std::string> forbidden_;  // namespaces where a 403 was logged
  std::jthread thread_;
};

}  // namespace gitmoor::engine
