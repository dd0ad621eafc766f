#pragma once
// One sync of one Application as a resumable state machine (STYLE.md; Argo CD's SyncContext): PreSync hooks →
// Sync phase waves in order (each waits until its resources are healthy) → prune → PostSync hooks; SyncFail hooks
// when anything failed. step() does the next piece of work and returns without waiting for the cluster; the caller
// calls it again (after a live event or a short pause) until done(). Order inside a phase is data: wave, then kind
// order, then name (applier/kind_order.hpp).
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gitmoor/applier/client.hpp"
#include "gitmoor/applier/resource_manager.hpp"
#include "gitmoor/core/object.hpp"
#include "gitmoor/differ/health_lua.hpp"
#include "gitmoor/engine/application_status.hpp"

namespace gitmoor::engine {

// Reads a live object (the controller answers from its LiveCache; tests may GET). nullopt: not in the cluster.
using LiveLookup = std::function<std::optional<core::Object>(const core::ResourceKey&)>;

struct SyncOperationOptions {
  std::string app;                 // tracking id / label owner
  std::string ns;                  // destination namespace: objects without one go there
  SyncRequest request;             // prune, dryRun, force, resources (a subset), revision (for the record)
  std::string revision;            // the commit being deployed
  bool create_namespace = false;   // CreateNamespace=true
  bool prune_last = false;         // PruneLast=true (prunes after PostSync... see .cpp for the chosen order)
  bool apply_out_of_sync_only = true;  // only changed objects are written (always true for gitmoor's SSA)
  applier::PropagationPolicy propagation = applier::PropagationPolicy::Foreground;
  std::vector<differ::IgnoreRule> ignore_rules;
  std::chrono::milliseconds wave_timeout{std::chrono::minutes(5)};  // a wave (or a hook) not healthy by then fails
  std::chrono::milliseconds wave_delay{0};  // pause between waves (Argo CD: ~2 s); 0 in tests and by default
  // The user's Lua health rules (gitmoor-cm) as they were when the operation started; null: built-in rules only.
  std::shared_ptr<const differ::LuaHealthRules> health_rules;
};

class SyncOperation {
 public:
  // `desired` are the app's rendered objects (hooks included; stamped and namespaced here). `live` looks objects up.
  SyncOperation(applier::ResourceManager& resources, applier::Client& client, std::vector<core::Object> desired,
                LiveLookup live, SyncOperationOptions options);
  ~SyncOperation();
  SyncOperation(const SyncOperation&) = delete;
  SyncOperation& operator=(const SyncOperation&) = delete;

  // Does the next step (apply a wave, create a hook, check health, prune, delete finished hooks). Never blocks on the
  // cluster beyond the requests it makes. Returns the phase after the step.
  OperationPhase step();
  [[nodiscard]] bool done() const;
  // The operation so far: phase, message, per-resource results (hooks with their hookPhase).
  [[nodiscard]] const OperationState& state() const;
  // Stops at the next step: phase Terminating, then Failed with "terminated"; running hooks are left to their
  // delete policy. Safe from any thread (only raises a flag: the next step() shows Terminating, the one after
  // ends Failed "terminated by user"; running hooks are marked Failed and HookFailed deletes them).
  void terminate();

  // A step() loop with `poll` pauses until done (CLI and tests).
  OperationState run(std::chrono::milliseconds poll = std::chrono::milliseconds(100));

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The hook type of an object: argocd.argoproj.io/hook (PreSync|Sync|PostSync|SyncFail|Skip|PreDelete|PostDelete)
// or the Helm hook it maps to (pre-install/pre-upgrade → PreSync, post-install/post-upgrade → PostSync,
// pre-delete → PreDelete, post-delete → PostDelete; test/rollback hooks → Skip); "" for an ordinary resource.
std::string hook_type(const core::Object& object);

// A LiveLookup that GETs each object through `client` (the CLI and tests; the controller answers from its LiveCache).
LiveLookup get_live_lookup(applier::ResourceManager& resources, applier::Client& client);

}  // namespace gitmoor::engine
