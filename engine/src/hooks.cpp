// Hook annotations: type (Argo CD's, or Helm's mapped onto it), wave, delete policy, outcome. See hooks.hpp.
#include "hooks.hpp"

#include <array>
#include <charconv>
#include <optional>
#include <utility>

#include "gitmoor/applier/kind_order.hpp"
#include "gitmoor/engine/sync_operation.hpp"

namespace gitmoor::engine {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Calls fn(item) for each comma-separated, trimmed, non-empty item until fn returns true.
template <typename Fn>
bool any_item(std::string_view list, Fn fn) {
  while (!list.empty()) {
    const auto comma = list.find(',');
    const auto item = trim(list.substr(0, comma));
    if (!item.empty() && fn(item)) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

constexpr std::array<std::string_view, 7> kArgoHookTypes = {"PreSync", "Sync",      "PostSync",  "SyncFail",
                                                            "Skip",    "PreDelete", "PostDelete"};

// Helm hook → Argo CD hook type (Argo CD's mapping); "" for a Helm hook name it does not know.
std::string_view from_helm(std::string_view helm) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 11> kHelm = {{
      {"pre-install", "PreSync"},
      {"pre-upgrade", "PreSync"},
      {"post-install", "PostSync"},
      {"post-upgrade", "PostSync"},
      {"pre-delete", "PreDelete"},
      {"post-delete", "PostDelete"},
      {"test", "Skip"},
      {"test-success", "Skip"},
      {"test-failure", "Skip"},
      {"pre-rollback", "Skip"},
      {"post-rollback", "Skip"},
  }};
  for (const auto& [name, type] : kHelm) {
    if (name == helm) return type;
  }
  return {};
}

std::optional<int> parse_int(const std::optional<std::string>& text) {
  if (!text) return std::nullopt;
  const auto value = trim(*text);
  const char* begin = value.data();
  const char* end = begin + value.size();
  if (begin != end && *begin == '+') ++begin;
  int out = 0;
  const auto [ptr, ec] = std::from_chars(begin, end, out);
  if (ec != std::errc() || ptr != end || begin == end) return std::nullopt;
  return out;
}

}  // namespace

// The API returns one type per object. An annotation listing several (Argo CD allows "PreSync,PostSync") runs in
// the first one listed that gitmoor knows; the Argo CD annotation wins over Helm's, as in Argo CD.
std::string hook_type(const core::Object& object) {
  if (const auto argo = object.annotation(kHookAnnotation)) {
    std::string found;
    any_item(*argo, [&](std::string_view item) {
      for (const auto type : kArgoHookTypes) {
        if (type == item) {
          found = std::string(type);
          return true;
        }
      }
      return false;
    });
    // An unknown value still marks a hook (apply skips it); it is never run.
    return found.empty() ? "Skip" : found;
  }
  if (const auto helm = object.annotation(kHelmHookAnnotation)) {
    std::string found;
    any_item(*helm, [&](std::string_view item) {
      found = std::string(from_helm(item));
      return !found.empty();
    });
    return found.empty() ? "Skip" : found;
  }
  return {};
}

HookDeletePolicy hook_delete_policy(const core::Object& object) {
  HookDeletePolicy policy;
  const auto argo = object.annotation(kHookDeletePolicyAnnotation);
  const auto helm = object.annotation(kHelmHookDeletePolicyAnnotation);
  if (!argo && !helm) {
    policy.before_hook_creation = true;
    return policy;
  }
  const auto read = [&](std::string_view item) {
    if (item == "BeforeHookCreation" || item == "before-hook-creation") policy.before_hook_creation = true;
    if (item == "HookSucceeded" || item == "hook-succeeded") policy.hook_succeeded = true;
    if (item == "HookFailed" || item == "hook-failed") policy.hook_failed = true;
    return false;
  };
  if (argo) any_item(*argo, read);
  if (helm) any_item(*helm, read);
  return policy;
}

int task_wave(const core::Object& object) {
  if (object.annotation("argocd.argoproj.io/sync-wave")) return applier::sync_wave(object);
  if (object.annotation(kHelmHookAnnotation) && !object.annotation(kHookAnnotation)) {
    return parse_int(object.annotation(kHelmHookWeightAnnotation)).value_or(0);
  }
  return 0;
}

bool runs_in_sync(std::string_view type) {
  return type == "PreSync" || type == "Sync" || type == "PostSync" || type == "SyncFail";
}

std::string_view to_string(HookPhase phase) {
  switch (phase) {
    case HookPhase::Running: return "Running";
    case HookPhase::Succeeded: return "Succeeded";
    case HookPhase::Failed: return "Failed";
  }
  return "Running";
}

HookOutcome hook_outcome(const core::Object& live, const differ::LuaHealthRules& health_rules) {
  const auto health = differ::assess_health(&live, health_rules);
  switch (health.status) {
    case differ::HealthStatus::Healthy: return {HookPhase::Succeeded, health.message};
    case differ::HealthStatus::Degraded: return {HookPhase::Failed, health.message};
    default: return {HookPhase::Running, health.message};
  }
}

}  // namespace gitmoor::engine
