// plan_sync: objects → tasks → waves. See sync_plan.hpp.
#include "sync_plan.hpp"

#include <algorithm>
#include <tuple>

#include "gitmoor/applier/kind_order.hpp"
#include "gitmoor/engine/sync_operation.hpp"
#include "hooks.hpp"

namespace gitmoor::engine {

std::string_view to_string(SyncPhase phase) {
  switch (phase) {
    case SyncPhase::PreSync: return "PreSync";
    case SyncPhase::Sync: return "Sync";
    case SyncPhase::PostSync: return "PostSync";
    case SyncPhase::SyncFail: return "SyncFail";
  }
  return "Sync";
}

bool selected(const core::ResourceKey& key, const std::vector<core::ResourceKey>& selection) {
  return std::any_of(selection.begin(), selection.end(), [&](const core::ResourceKey& s) {
    return s.group == key.group && s.kind == key.kind && s.name == key.name && (s.ns.empty() || s.ns == key.ns);
  });
}

namespace {

SyncPhase phase_of(std::string_view hook) {
  if (hook == "PreSync") return SyncPhase::PreSync;
  if (hook == "PostSync") return SyncPhase::PostSync;
  if (hook == "SyncFail") return SyncPhase::SyncFail;
  return SyncPhase::Sync;  // ordinary resources and Sync hooks
}

bool runs_before(const SyncTask& a, const SyncTask& b) {
  const auto ka = a.object.key(), kb = b.object.key();
  // generateName hooks have no name yet: theirs orders them among the rest.
  const auto name_a = ka.name.empty() ? a.object.metadata().value("generateName", "") : ka.name;
  const auto name_b = kb.name.empty() ? b.object.metadata().value("generateName", "") : kb.name;
  return std::tuple(a.phase, a.wave, applier::kind_rank(ka.group, ka.kind), ka.kind, ka.ns, name_a) <
         std::tuple(b.phase, b.wave, applier::kind_rank(kb.group, kb.kind), kb.kind, kb.ns, name_b);
}

}  // namespace

SyncPlan plan_sync(const std::vector<core::Object>& objects, const PlanOptions& options) {
  std::vector<SyncTask> tasks;
  for (const auto& object : objects) {
    const auto hook = hook_type(object);
    if (!hook.empty() && (!options.run_hooks || !runs_in_sync(hook))) continue;
    if (!options.only.empty() && (!hook.empty() || !selected(object.key(), options.only))) continue;
    tasks.push_back({.object = object, .hook_type = hook, .phase = phase_of(hook), .wave = task_wave(object)});
  }
  std::stable_sort(tasks.begin(), tasks.end(), runs_before);

  SyncPlan plan;
  for (auto& task : tasks) {
    auto& waves = task.phase == SyncPhase::SyncFail ? plan.fail_waves : plan.waves;
    if (waves.empty() || waves.back().phase != task.phase || waves.back().wave != task.wave) {
      waves.push_back({.phase = task.phase, .wave = task.wave, .tasks = {}});
    }
    waves.back().tasks.push_back(std::move(task));
  }
  return plan;
}

}  // namespace gitmoor::engine
