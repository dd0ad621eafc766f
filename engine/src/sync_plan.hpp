#pragma once
// What a sync will do, as data (Argo CD's syncTasks): every object as a task with its phase and wave, grouped into
// the waves the operation runs one after another. Pure: objects in (already namespaced and stamped), plan out.
#include <string>
#include <string_view>
#include <vector>

#include "gitmoor/core/object.hpp"

namespace gitmoor::engine {

enum class SyncPhase { PreSync, Sync, PostSync, SyncFail };
std::string_view to_string(SyncPhase phase);

struct SyncTask {
  core::Object object;
  std::string hook_type;  // "" for an ordinary resource; PreSync | Sync | PostSync | SyncFail
  SyncPhase phase = SyncPhase::Sync;
  int wave = 0;
  [[nodiscard]] bool is_hook() const { return !hook_type.empty(); }
};

// The tasks of one phase and wave, in kind order then name. The operation applies (or creates) them together and
// waits until every one is done before the next wave starts.
struct SyncWave {
  SyncPhase phase = SyncPhase::Sync;
  int wave = 0;
  std::vector<SyncTask> tasks;
};

struct SyncPlan {
  std::vector<SyncWave> waves;       // PreSync, Sync, PostSync waves in the order they run
  std::vector<SyncWave> fail_waves;  // SyncFail hooks, run only when the sync failed
};

struct PlanOptions {
  bool run_hooks = true;                    // false for a dry run and for a sync of selected resources
  std::vector<core::ResourceKey> only;      // non-empty: only these objects (a namespace "" matches any)
};

// Orders objects by phase → wave → kind order → name. Hooks that a sync does not run (Skip, PreDelete, PostDelete)
// are left out, and so is every hook when !run_hooks.
SyncPlan plan_sync(const std::vector<core::Object>& objects, const PlanOptions& options);

// True when `key` is one of `selected` (a selected key with namespace "" matches any namespace).
bool selected(const core::ResourceKey& key, const std::vector<core::ResourceKey>& selection);

}  // namespace gitmoor::engine
