#pragma once
// The owner-reference index behind the resource tree: the unlabelled objects that workloads create (Pods,
// ReplicaSets, Jobs, EndpointSlices, ControllerRevisions) in the namespaces applications deploy to, by owner uid.
//
// Managed objects are watched by the app label; their children do not carry it, so they need watches of their own.
// One LiveCache per namespace, started the first time a tree of that namespace is asked for (an idle controller
// with 1,000 apps watches nothing extra), fed by LIST+WATCH from then on. Each object is stored in its compact
// form (tree_node.hpp: name, uid, owners, health, info, images — a few hundred bytes, not the Pod's kilobytes).
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "gitmoor/applier/client.hpp"
#include "gitmoor/applier/discovery.hpp"
#include "gitmoor/applier/live_cache.hpp"
#include "gitmoor/core/object.hpp"

namespace gitmoor::engine {

// The kinds whose objects are indexed: what Deployments, StatefulSets, DaemonSets, CronJobs, Jobs and Services own.
std::vector<core::GroupVersionKind> owned_kinds();

class OwnerIndex {
 public:
  OwnerIndex(applier::Client& client, applier::Discovery& discovery);
  ~OwnerIndex();
  OwnerIndex(const OwnerIndex&) = delete;
  OwnerIndex& operator=(const OwnerIndex&) = delete;

  // Starts indexing the namespaces not indexed yet (a LIST each, so the index is complete when this returns). A
  // namespace that cannot be listed (forbidden, unreachable) is logged and tried again on a later call, at most
  // every 30 s; the tree then shows the managed objects without their children.
  void watch(const std::set<std::string>& namespaces);
  void stop();

  // The tree nodes (tree_node.hpp) of the indexed objects that name `owner_uid` as an owner, sorted by key.
  [[nodiscard]] std::vector<core::Json> children(const std::string& owner_uid) const;

  // What the index holds (for tests and the memory figures).
  [[nodiscard]] std::size_t size() const;
  [[nodiscard]] std::set<std::string> namespaces() const;

 private:
  void on_change(applier::LiveEvent event, const core::Object& object);
  void forget_namespace(const std::string& ns);

  applier::Client& client_;
  applier::Discovery& discovery_;

  std::mutex watch_mutex_;  // one namespace started at a time; held across the LIST
  std::map<std::string, std::chrono::steady_clock::time_point> retry_at_;  // namespaces whose start failed

  mutable std::mutex mutex_;
  bool stopped_ = false;
  std::map<std::string, std::unique_ptr<applier::LiveCache>> caches_;  // by namespace
  std::map<core::ResourceKey, std::vector<std::string>> owners_;       // object → its owner uids
  std::map<std::string, std::set<core::ResourceKey>> children_;        // owner uid → objects
};

}  // namespace gitmoor::engine
