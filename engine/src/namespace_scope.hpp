#pragma once
// Namespaced mode (`gitmoor serve --namespaces game,shop`, the RBAC flavour *namespaced*; Argo CD's cluster
// `namespaces` field): managed objects are listed and watched only in the listed namespaces, and an app whose objects
// fall outside them is refused before anything is compared, synced or pruned: a cluster-scoped kind (Argo CD: cluster
// resources are not permitted in namespaced mode), or a namespace not listed, for which the condition quotes what the
// API server answers (its 403 under the namespaced Roles).
#include <string>
#include <vector>

#include "gitmoor/applier/client.hpp"
#include "gitmoor/applier/discovery.hpp"
#include "gitmoor/core/object.hpp"

namespace gitmoor::engine {

// The namespaces gitmoor manages objects in; empty: every namespace (cluster-wide).
class NamespaceScope {
 public:
  NamespaceScope() = default;
  explicit NamespaceScope(std::vector<std::string> namespaces);

  [[nodiscard]] bool cluster_wide() const { return namespaces_.empty(); }
  [[nodiscard]] const std::vector<std::string>& namespaces() const { return namespaces_; }
  // Whether an object of this namespace ("" = cluster-scoped) may be managed.
  [[nodiscard]] bool contains(const std::string& ns) const;
  // "game, shop" for messages.
  [[nodiscard]] std::string describe() const;

 private:
  std::vector<std::string> namespaces_;  // sorted, unique
};

// An object of the desired set that the scope does not allow.
struct OutOfScope {
  core::GroupVersionKind gvk;
  core::ResourceKey key;  // ns "" = cluster-scoped
};

// Pure: the desired objects (prepared: namespaced ones carry their namespace, cluster-scoped ones none) outside the
// scope, in the order given.
std::vector<OutOfScope> out_of_scope(const std::vector<core::Object>& desired, const NamespaceScope& scope);

// The condition message for `outside` (non-empty). For each namespace not listed, one list request there
// (GET ...?limit=1 of the first such object's kind) is made and the API server's answer quoted: under the namespaced
// flavour its 403. Never throws: a request that fails is quoted as its error.
std::string out_of_scope_message(const std::vector<OutOfScope>& outside, const NamespaceScope& scope,
                                 applier::Client& client, applier::Discovery& discovery);

}  // namespace gitmoor::engine
