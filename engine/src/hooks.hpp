#pragma once
// Resource hooks (reference/gitops-semantics.md, "Resource annotations"): which phase a hook runs in, its wave, its
// delete policies, and what its live object says about its outcome. Pure; the requests that create and delete hooks
// are in hook_requests.hpp.
#include <string>

#include "gitmoor/core/object.hpp"
#include "gitmoor/differ/health.hpp"
#include "gitmoor/differ/health_lua.hpp"

namespace gitmoor::engine {

inline constexpr std::string_view kHookAnnotation = "argocd.argoproj.io/hook";
inline constexpr std::string_view kHookDeletePolicyAnnotation = "argocd.argoproj.io/hook-delete-policy";
inline constexpr std::string_view kHelmHookAnnotation = "helm.sh/hook";
inline constexpr std::string_view kHelmHookWeightAnnotation = "helm.sh/hook-weight";
inline constexpr std::string_view kHelmHookDeletePolicyAnnotation = "helm.sh/hook-delete-policy";

// argocd.argoproj.io/hook-delete-policy (or helm.sh/hook-delete-policy: before-hook-creation, hook-succeeded,
// hook-failed), comma-separated. Neither annotation: BeforeHookCreation alone (Argo CD's default).
struct HookDeletePolicy {
  bool before_hook_creation = false;
  bool hook_succeeded = false;
  bool hook_failed = false;
};
HookDeletePolicy hook_delete_policy(const core::Object& object);

// The wave of a task: argocd.argoproj.io/sync-wave; for a Helm hook without one, helm.sh/hook-weight; else 0.
int task_wave(const core::Object& object);

// True for hook types a sync runs (PreSync, Sync, PostSync, SyncFail); Skip, PreDelete and PostDelete are not.
bool runs_in_sync(std::string_view hook_type);

// A hook's progress read from its live object: a Job (or any kind) succeeds once Healthy and fails once Degraded
// (a Job with a Failed condition, a Pod in phase Failed); anything else is still running.
enum class HookPhase { Running, Succeeded, Failed };
std::string_view to_string(HookPhase phase);
struct HookOutcome {
  HookPhase phase = HookPhase::Running;
  std::string message;  // the health message (the Job's condition message)
};
HookOutcome hook_outcome(const core::Object& live,
                         const differ::LuaHealthRules& health_rules = differ::no_lua_health_rules());

}  // namespace gitmoor::engine
