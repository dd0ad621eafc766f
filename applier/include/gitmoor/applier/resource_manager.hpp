#pragma once
// gitmoor's hands on the cluster, shaped like flux's ssa.ResourceManager: a few verbs, options structs with
// defaults, a ChangeSet back from each. apply_all orders by wave and kind, writes only what the differ says is out
// of sync (server-side apply, manager `gitmoor`, force), prune deletes only what this app's tracking id owns, wait
// polls health.
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "gitmoor/applier/change_set.hpp"
#include "gitmoor/applier/client.hpp"
#include "gitmoor/applier/discovery.hpp"
#include "gitmoor/core/object.hpp"
#include "gitmoor/differ/diff.hpp"
#include "gitmoor/differ/health.hpp"

namespace gitmoor::applier {

struct ApplyOptions {
  std::string app;                 // stamps the tracking annotation and label
  std::string ns = "default";      // for namespaced objects that name none
  bool create_namespace = false;   // create `ns` when missing (Argo CD's CreateNamespace=true)
  bool dry_run = false;            // dryRun=All: the server validates, nothing is stored
  bool force = false;              // delete and recreate on "field is immutable"
  bool wait = false;               // wait for health between waves and at the end
  std::chrono::milliseconds timeout{std::chrono::minutes(5)};  // for wait
  std::size_t concurrency = 8;     // objects applied in parallel within a wave
  std::string field_manager = "gitmoor";
  std::vector<differ::IgnoreRule> ignore_rules;
};

enum class PropagationPolicy { Foreground, Background, Orphan };

struct PruneOptions {
  std::string app;
  PropagationPolicy propagation = PropagationPolicy::Foreground;
  bool dry_run = false;
  std::vector<core::ResourceKey> only;  // non-empty: prune only these (a sync of selected resources); ns "" = any
};

struct WaitOptions {
  std::chrono::milliseconds timeout{std::chrono::minutes(5)};
  std::chrono::milliseconds interval{std::chrono::milliseconds(250)};
};

class ResourceManager {
 public:
  explicit ResourceManager(Client& client) : client_(client), discovery_(client) {}

  // Apply the desired objects of an app. They are stamped (tracking annotation, label) and given `ns` when
  // namespaced and unnamespaced. Per-object failures are entries; the set is partial when a wave failed (later
  // waves are not applied).
  ChangeSet apply_all(std::vector<core::Object> desired, const ApplyOptions& options);

  // Delete live objects owned by `options.app` (exact tracking id) whose keys are not in `desired`, in reverse kind
  // order. Objects annotated Prune=false are kept and reported skipped. Hooks are never pruned: the sync operation
  // owns their lifetime (delete policies). Call only after a successful apply.
  ChangeSet prune(const std::vector<core::Object>& desired, const PruneOptions& options);

  // Poll until every object is Healthy (or Suspended); entries report the ones that were not in time.
  ChangeSet wait(const std::vector<core::Object>& objects, const WaitOptions& options);

  // Live objects carrying this app's label (across every listable type; in namespaced mode only namespaced types in
  // those namespaces), and the desired set stamped and namespaced as apply_all would: what `gitmoor diff --app`
  // compares.
  std::vector<core::Object> list_managed(const std::string& app);
  std::vector<core::Object> prepare(std::vector<core::Object> desired, const std::string& app, const std::string& ns);

  Discovery& discovery() { return discovery_; }

  // Namespaced mode (the RBAC flavour that grants only some namespaces): list_managed, and so prune and a cascading
  // delete, look only in these namespaces. Empty (the default): cluster-wide. Set before use.
  void set_namespaces(std::vector<std::string> namespaces) { namespaces_ = std::move(namespaces); }

 private:
  Client& client_;
  Discovery discovery_;
  std::vector<std::string> namespaces_;
};

}  // namespace gitmoor::applier
