#pragma once
// Live state from watches, not polling (DESIGN.md decision 6): per resource type a LIST then a WATCH narrowed by a
// label selector, resumed by resourceVersion, relisted on 410 Gone, bookmarks requested, reconnected with backoff.
// An owner-reference index gives a workload's children. Callbacks tell the engine what changed (self-heal).
#include <atomic>
#include <cstdint>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "gitmoor/applier/client.hpp"
#include "gitmoor/applier/discovery.hpp"
#include "gitmoor/core/object.hpp"

namespace gitmoor::applier {

// One watched collection: a resource type, in one namespace ("" = all), narrowed by a label selector ("" = all:
// ReplicaSets and Pods of managed workloads do not carry the app label).
struct WatchTarget {
  ApiResource resource;
  std::string ns;
  std::string label_selector;
  // "" = all; `metadata.name=NAME` watches one object (RBAC can then limit the list and watch by resourceNames).
  std::string field_selector;
};

struct LiveCacheOptions {
  std::chrono::seconds watch_timeout{300};  // the server ends each watch after this; we resume at once
  std::chrono::milliseconds backoff_base{200};
  std::chrono::milliseconds backoff_max{std::chrono::seconds(10)};
  // A label whose values are indexed (the engine's `gitmoor.dev/app`): labelled() answers without a scan.
  std::string index_label;
  // Applied to every object before it is stored and reported: drop what the owner never reads (memory is per object,
  // and caches hold thousands).
  std::function<void(core::Object&)> trim;
};

enum class LiveEvent { Added, Modified, Deleted };

// A live object as the cache keeps it: gitmoor's packed form (core/packed.hpp), which the differ compares in place
// (differ::diff_packed), and its key.
struct PackedLive {
  core::ResourceKey key;
  std::vector<std::uint8_t> bytes;
};

class LiveCache {
 public:
  using Callback = std::function<void(LiveEvent, const core::Object&)>;

  LiveCache(Client& client, std::vector<WatchTarget> targets, LiveCacheOptions options = {});
  ~LiveCache();
  LiveCache(const LiveCache&) = delete;
  LiveCache& operator=(const LiveCache&) = delete;

  // Lists every target (so the cache is complete when this returns), then watches each on its own thread.
  // Throws ApiError when an initial list fails.
  void start();
  void stop();

  // Called from the watch threads; set before start().
  void on_change(Callback callback) { callback_ = std::move(callback); }

  [[nodiscard]] std::vector<core::Object> objects() const;
  [[nodiscard]] std::optional<core::Object> get(const core::ResourceKey& key) const;
  // Objects whose options.index_label has `value` (empty when no index label was set).
  [[nodiscard]] std::vector<core::Object> labelled(const std::string& value) const;
  // The same objects undecoded: their packed bytes (copied), sorted by key.
  [[nodiscard]] std::vector<PackedLive> labelled_packed(const std::string& value) const;
  [[nodiscard]] std::size_t size() const;
  // Objects whose ownerReferences name `owner` (by uid), e.g. a Deployment's ReplicaSets, a ReplicaSet's Pods.
  [[nodiscard]] std::vector<core::ResourceKey> children(const core::ResourceKey& owner) const;
  [[nodiscard]] std::size_t relists() const { return relists_; }

 private:
  // An object as kept: its packed form (core::pack: a fraction of a parsed JSON tree's memory; decoded when asked
  // for, or handed to the differ as is) plus the few fields the indexes need.
  struct Stored {
    std::vector<std::uint8_t> packed;
    std::size_t target = 0;
    std::string resource_version;
    std::string uid;
    std::string label;  // value of options.index_label
    std::vector<std::string> owners;
  };
  void run(std::size_t target, std::string resource_version);
  std::string list(std::size_t target);  // returns the list's resourceVersion
  void upsert(std::size_t target, core::Object object, bool notify);
  void erase(const core::Object& object, bool notify);
  void unindex_locked(const std::string& value, const core::ResourceKey& key);

  Client& client_;
  std::vector<WatchTarget> targets_;
  LiveCacheOptions options_;
  Callback callback_;
  std::atomic<bool> stopping_{false};
  std::atomic<std::size_t> relists_{0};
  std::vector<std::jthread> threads_;

  mutable std::mutex mutex_;
  std::map<core::ResourceKey, Stored> objects_;
  std::map<std::string, core::ResourceKey> by_uid_;
  std::map<std::string, std::set<core::ResourceKey>> children_;  // owner uid → children
  std::map<std::string, std::set<core::ResourceKey>> by_label_;  // index_label value → objects
};

}  // namespace gitmoor::applier
