#pragma once
// Objects by resource type / namespace / name, one global resourceVersion counter, a bounded history of events
// for resuming watches, the live watchers, and an owner index for garbage collection. One mutex owns it all:
// callers lock mutex() around every call (the API layer does so per request).
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "selectors.hpp"

namespace gitmoor::sandbox {

using Json = nlohmann::json;
using ObjectPtr = std::shared_ptr<const Json>;

struct ObjectRef {
  std::string resource_id;
  std::string ns;
  std::string name;
  auto operator<=>(const ObjectRef&) const = default;
};

enum class EventType { Added, Modified, Deleted };
const char* event_type_name(EventType type);

struct Event {
  std::uint64_t rv = 0;
  EventType type = EventType::Added;
  std::string resource_id;
  ObjectPtr object;
  ObjectPtr previous;  // for Modified: the object before
};

// One open watch: the store pushes encoded event lines; the HTTP session pulls them.
class Watcher {
 public:
  std::string resource_id;
  std::string ns;  // empty: all namespaces
  LabelSelector labels;
  FieldSelector fields;
  std::string api_version;  // objects are shown in this apiVersion
  std::string kind;         // for bookmarks
  // When set, encodes this watcher's events (a Table watch: printers.hpp); called with the store mutex held.
  std::function<std::string(EventType, const Json&)> encoder;

  [[nodiscard]] bool matches(const Json& object) const;
  // The event line for this watcher: encode_event in api_version, or the encoder's.
  std::string encode(EventType type, const Json& object);
  void push(std::string line, std::uint64_t rv);
  void advance(std::uint64_t rv);  // an event this watcher does not see still moves its bookmark position
  void close();
  // Pops the next line, waiting up to `wait`; nullopt when none came (check closed()).
  std::optional<std::string> pop(std::chrono::milliseconds wait);
  [[nodiscard]] bool closed();
  [[nodiscard]] std::uint64_t last_rv();

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::string> lines_;
  std::uint64_t last_rv_ = 0;
  bool closed_ = false;
};

// Renders an object in the apiVersion a client asked for (custom resources may serve several versions).
std::string encode_event(EventType type, const Json& object, const std::string& api_version);

class Store {
 public:
  explicit Store(std::size_t history_limit);

  std::mutex& mutex() { return mutex_; }

  [[nodiscard]] std::uint64_t current_rv() const { return rv_.load(); }
  std::uint64_t next_rv() { return ++rv_; }

  [[nodiscard]] ObjectPtr get(const ObjectRef& ref) const;
  // Objects of a type in a namespace (all when ns is empty), in key order after `after` (a continue key).
  // Stops after `limit` matches (0: no limit); `next_key` is set when more remain.
  std::vector<ObjectPtr> list(const std::string& resource_id, const std::string& ns, const std::string& after,
                              std::size_t limit, const std::function<bool(const Json&)>& filter,
                              std::string& next_key, std::size_t& remaining) const;
  [[nodiscard]] std::size_t count(const std::string& resource_id) const;
  [[nodiscard]] std::vector<ObjectRef> refs(const std::string& resource_id, const std::string& ns) const;
  [[nodiscard]] std::vector<std::string> resource_ids() const;

  // Stores an object whose metadata.resourceVersion is already set to a fresh next_rv(); emits Added/Modified.
  void put(const ObjectRef& ref, Json object);
  // Removes an object; `final_object` (with a fresh resourceVersion) is what the Deleted event carries.
  void erase(const ObjectRef& ref, Json final_object);

  // Objects whose ownerReferences name uid.
  [[nodiscard]] std::vector<ObjectRef> dependents(const std::string& uid) const;

  // Registers a watcher from resourceVersion `from` (0: synthetic ADDED for current objects first).
  // Returns false when `from` is older than the history kept (the caller answers 410 Gone).
  // With send_initial_events (kubectl's watch-list), the current objects come first as ADDED, then a BOOKMARK
  // annotated k8s.io/initial-events-end, whatever `from` is.
  bool watch(const std::shared_ptr<Watcher>& watcher, std::uint64_t from, bool from_given,
             bool send_initial_events = false);
  void unwatch(const std::shared_ptr<Watcher>& watcher);
  void close_watches();  // ends every open watch stream
  void expire_history();  // forgets every event so far: resuming from any older resourceVersion gets 410
  [[nodiscard]] std::uint64_t oldest_resumable() const { return compacted_rv_; }

  // Called (with the mutex held) after every event, e.g. by the controllers.
  void on_event(std::function<void(const Event&)> listener) { listeners_.push_back(std::move(listener)); }

 private:
  void emit(Event event);

  mutable std::mutex mutex_;
  std::atomic<std::uint64_t> rv_{1};
  std::map<std::string, std::map<std::string, ObjectPtr>> objects_;  // resource id → "ns/name" → object
  std::map<std::string, std::set<ObjectRef>> owners_;                 // owner uid → dependents
  std::deque<Event> history_;
  std::size_t history_limit_;
  std::uint64_t compacted_rv_ = 0;  // events with rv <= this are gone
  std::vector<std::shared_ptr<Watcher>> watchers_;
  std::vector<std::function<void(const Event&)>> listeners_;
};

}  // namespace gitmoor::sandbox
