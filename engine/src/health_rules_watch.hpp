#pragma once
// Keeps the user's Lua health rules current from the ConfigMap gitmoor-cm in the apps namespace (the keys
// `resource.customizations.health.<group>_<kind>`, as Argo CD users keep them in argocd-cm), listed then watched, so
// a rule added, changed or removed takes effect without a restart. What it asks the API server for (the install
// Role grants exactly this):
//   configmaps  list, watch   fieldSelector metadata.name=gitmoor-cm
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "gitmoor/applier/client.hpp"
#include "gitmoor/applier/live_cache.hpp"
#include "start_retry.hpp"
#include "gitmoor/differ/health_lua.hpp"

namespace gitmoor::engine {

inline constexpr std::string_view kSettingsConfigMap = "gitmoor-cm";

class HealthRulesWatch {
 public:
  using Changed = std::function<void(std::shared_ptr<const differ::LuaHealthRules>)>;

  // `changed` is called (from a watch thread) with the new rules after every change to the health rule keys, and
  // once at start when there are any.
  HealthRulesWatch(applier::Client& client, std::string ns, Changed changed);
  ~HealthRulesWatch();
  HealthRulesWatch(const HealthRulesWatch&) = delete;
  HealthRulesWatch& operator=(const HealthRulesWatch&) = delete;

  // Lists and starts watching. Never throws: when the list fails (no permission, API server away) the error is
  // logged, the built-in rules stay in force, and the list is tried again in the background.
  void start();
  void stop();

 private:
  bool try_start();
  void rebuild();

  applier::Client& client_;
  std::string ns_;
  Changed changed_;
  std::mutex mutex_;  // one rebuild at a time; guards cache_ and rules_
  std::unique_ptr<applier::LiveCache> cache_;
  std::map<std::string, std::string> rules_;  // the rule keys and scripts last handed out
  StartRetry retry_;
};

}  // namespace gitmoor::engine
