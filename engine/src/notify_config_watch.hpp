#pragma once
// Keeps the notifications configuration current: ConfigMap gitmoor-notifications-cm and Secret
// gitmoor-notifications-secret in the apps namespace, each listed and watched by name (fieldSelector
// metadata.name=...), so a change applies without a restart. What it asks the API server for (the install's Role
// grants it):
//   configmaps  list, watch   fieldSelector metadata.name=gitmoor-notifications-cm
//   secrets     list, watch   fieldSelector metadata.name=gitmoor-notifications-secret
// Problems (a bad key, a missing Secret key) are logged once per change, naming the key; never a secret value.
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "gitmoor/applier/client.hpp"
#include "gitmoor/applier/live_cache.hpp"
#include "start_retry.hpp"
#include "notify_config.hpp"

namespace gitmoor::engine {

class NotificationConfigWatch {
 public:
  using Changed = std::function<void(NotificationConfig)>;

  // `changed` is called (from a watch thread) with each new configuration, the first time from start().
  NotificationConfigWatch(applier::Client& client, std::string ns, Changed changed);
  ~NotificationConfigWatch();
  NotificationConfigWatch(const NotificationConfigWatch&) = delete;
  NotificationConfigWatch& operator=(const NotificationConfigWatch&) = delete;

  // Never throws: when the lists fail (no permission, API server away) that is logged and tried again every 10 s.
  void start();
  void stop();

 private:
  bool try_start();
  void rebuild();

  applier::Client& client_;
  std::string ns_;
  Changed changed_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<applier::LiveCache>> caches_;  // ConfigMap, Secret
  std::string fingerprint_;  // of the last configuration passed on (a hash: no secret kept in the clear here)
  std::set<std::string> logged_;
  StartRetry retry_;
};

}  // namespace gitmoor::engine
