#pragma once
// User health rules in Lua, in the format Argo CD users keep in argocd-cm: the script reads the global `obj` (the
// live object), builds a table `hs` with `hs.status` (Healthy, Progressing, Degraded, Suspended, Missing, Unknown)
// and `hs.message`, and returns it. Each call runs in a fresh sandboxed Lua state with a CPU (VM instruction) and a
// memory budget; an error, an overrun or a bad result is Unknown with the reason as message, never an exception.
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "gitmoor/core/object.hpp"
#include "gitmoor/differ/health.hpp"

namespace gitmoor::differ {

struct LuaBudget {
  std::uint64_t instructions = 10'000'000;  // Lua VM instructions per call (a typical rule needs a few thousand)
  std::size_t memory_bytes = 32 * 1024 * 1024;  // bytes the Lua state may hold at once, `obj` included
};

// The ConfigMap key prefix of a health rule: `resource.customizations.health.<group>_<kind>`.
inline constexpr std::string_view kLuaHealthKeyPrefix = "resource.customizations.health.";

class LuaHealthRules {
 public:
  explicit LuaHealthRules(LuaBudget budget = {}) : budget_(budget) {}

  // Every `resource.customizations.health.<group>_<kind>` entry of a ConfigMap's data; other keys are ignored.
  static LuaHealthRules from_config_map(const std::map<std::string, std::string>& data, LuaBudget budget = {});

  // `group_kind` as in Argo CD's key: "<group>_<kind>" ("cert-manager.io_Certificate"); the core group is empty
  // ("_Pod" or just "Pod"). Either part may be a glob (`*.crossplane.io_*`). A later set for the same key replaces.
  void set(std::string_view group_kind, std::string script);
  bool empty() const { return scripts_.empty(); }
  std::size_t size() const { return scripts_.size(); }

  // The rule's health for this object, or nullopt when no rule is for its kind. An exact group and kind wins
  // over a glob.
  std::optional<Health> assess(const core::Object& live) const;

 private:
  const std::string* script_for(const std::string& group, const std::string& kind) const;

  LuaBudget budget_;
  std::map<std::pair<std::string, std::string>, std::string> scripts_;  // (group, kind) → script
};

// An empty rule set (built-in health only), for callers that have no user rules.
const LuaHealthRules& no_lua_health_rules();

// Runs one script on one object with the given budget (what LuaHealthRules::assess does for a matching rule).
Health run_lua_health(std::string_view script, const core::Json& object, const LuaBudget& budget);

// assess_health with user rules ahead of the built-in ones (deletion and absence still come first, as in Argo CD).
Health assess_health(const core::Object* live, const LuaHealthRules& rules);

}  // namespace gitmoor::differ
