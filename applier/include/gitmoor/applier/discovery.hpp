#pragma once
// Which resource serves a kind and whether it is namespaced: GVK → resource, from the API's discovery documents,
// cached; refreshed on an unknown kind and after CRDs are applied.
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "gitmoor/applier/client.hpp"
#include "gitmoor/core/object.hpp"

namespace gitmoor::applier {

struct ApiResource {
  core::GroupVersionKind gvk;
  std::string resource;  // plural: "deployments"
  bool namespaced = true;
  std::vector<std::string> verbs;

  // /apis/apps/v1/namespaces/<ns>/deployments[/<name>], /api/v1/namespaces[/<name>]
  [[nodiscard]] std::string path(const std::string& ns, const std::string& name = {}) const;
  [[nodiscard]] std::string counter_name() const;  // "deployments.apps"
};

class Discovery {
 public:
  explicit Discovery(Client& client) : client_(client) {}
  // The resource for a kind; refreshes once when the kind is unknown; nullopt when it stays unknown.
  std::optional<ApiResource> find(const core::GroupVersionKind& gvk);
  // Forget everything (after CRDs were applied): the next find() fetches discovery again.
  void invalidate();
  // Every listable resource, preferred version per group (for prune's search of managed objects).
  std::vector<ApiResource> listable();
  [[nodiscard]] int fetches() const;

 private:
  void fetch_locked();
  Client& client_;
  mutable std::mutex mutex_;
  bool loaded_ = false;
  int fetches_ = 0;
  std::map<core::GroupVersionKind, ApiResource> by_gvk_;
  std::vector<ApiResource> preferred_;
  std::set<core::GroupVersionKind> unknown_;  // not served at the last fetch
};

}  // namespace gitmoor::applier
