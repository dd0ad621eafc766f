// See event_recorder.hpp.
#include "event_recorder.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>

#include "gitmoor/core/logging.hpp"

namespace gitmoor::engine {

using core::Json;

namespace {

spdlog::logger& log() {
  static const auto logger = core::logger("engine");
  return *logger;
}

std::string format_time(std::chrono::system_clock::time_point at) {
  const auto seconds = std::chrono::time_point_cast<std::chrono::seconds>(at);
  const std::time_t t = std::chrono::system_clock::to_time_t(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buffer[40];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S", &tm);
  return std::string(buffer) + "Z";
}

}  // namespace

// The shape client-go's (legacy) event recorder writes, which is what Argo CD records: count and first/last
// timestamps, no eventTime (an eventTime would make the API server validate it as a new-style Event).
Json event_object(const ApplicationEvent& event, const std::string& now, std::uint64_t unique) {
  char suffix[32];
  std::snprintf(suffix, sizeof suffix, ".%llx", static_cast<unsigned long long>(unique));
  return {{"apiVersion", "v1"},
          {"kind", "Event"},
          {"metadata", {{"name", event.name + suffix}, {"namespace", event.ns}}},
          {"involvedObject",
           {{"apiVersion", event.api_version},
            {"kind", "Application"},
            {"name", event.name},
            {"namespace", event.ns},
            {"uid", event.uid}}},
          {"reason", event.reason},
          {"message", event.message},
          {"type", event.type},
          {"source", {{"component", "gitmoor"}}},
          {"reportingComponent", "gitmoor"},
          {"reportingInstance", "gitmoor"},
          {"count", 1},
          {"firstTimestamp", now},
          {"lastTimestamp", now}};
}

EventRecorder::EventRecorder(applier::Client& client, std::size_t capacity) : client_(client), capacity_(capacity) {}

EventRecorder::~EventRecorder() { stop(); }

void EventRecorder::start() {
  if (thread_.joinable()) return;
  thread_ = std::jthread([this](std::stop_token stop) { run(stop); });
}

void EventRecorder::stop() {
  if (!thread_.joinable()) return;
  thread_.request_stop();
  wake_.notify_all();
  thread_.join();
}

void EventRecorder::record(ApplicationEvent event) {
  if (event.ns.empty() || event.name.empty()) return;  // an Application from a file: nothing to attach an Event to
  {
    std::lock_guard lock(mutex_);
    if (queue_.size() >= capacity_) {
      queue_.pop_front();
      if (dropped_++ == 0) log().warn("events: the API server is slower than the Application changes; old Events dropped");
    }
    queue_.push_back(std::move(event));
  }
  wake_.notify_one();
}

void EventRecorder::run(std::stop_token stop) {
  for (;;) {
    ApplicationEvent event;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, stop, [&] { return !queue_.empty(); });
      if (stop.stop_requested()) return;  // best effort: what is still queued is dropped, shutdown is not delayed
      event = std::move(queue_.front());
      queue_.pop_front();
    }
    post(event);
  }
}

void EventRecorder::post(const ApplicationEvent& event) {
  const auto now = std::chrono::system_clock::now();
  const auto unique = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count());
  const Json body = event_object(event, format_time(now), unique);
  try {
    const auto response = client_.send({.method = "POST",
                                        .path = "/api/v1/namespaces/" + event.ns + "/events",
                                        .body = body.dump(),
                                        .idempotent = false,
                                        .timeout = std::chrono::seconds(10)});
    if (response.status < 300) return;
    std::lock_guard lock(mutex_);
    if (response.status == 403) {
      if (forbidden_.insert(event.ns).second) {
        log().warn("events: not allowed to create Events in namespace {} (the Role needs events: create); "
                   "Application Events are not recorded there", event.ns);
      }
      return;
    }
    log().warn("events: Event {} on Application {}/{} not recorded: HTTP {}", event.reason, event.ns, event.name,
               response.status);
  } catch (const std::exception& e) {
    log().warn("events: Event {} on Application {}/{} not recorded: {}", event.reason, event.ns, event.name, e.what());
  }
}

}  // namespace gitmoor::engine
