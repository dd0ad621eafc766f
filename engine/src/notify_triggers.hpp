#pragma once
// The built-in notification triggers, named as in Argo CD's catalog, and which of them hold for an app's state.
// Each holds for one revision: a notification is sent once per app, revision, trigger and destination.
//   on-sync-running     a sync of the revision is running (GitHub gets `pending`: see notify_payloads.hpp)
//   on-sync-succeeded   the last sync of the revision succeeded
//   on-sync-failed      the last sync of the revision failed (Failed or Error)
//   on-health-degraded  the app is Degraded at the revision compared
//   on-deployed         the revision was synced successfully, and the app is Synced to it and Healthy
#include <string>
#include <string_view>
#include <vector>

#include "gitmoor/core/object.hpp"

namespace gitmoor::engine {

inline constexpr std::string_view kOnSyncRunning = "on-sync-running";
inline constexpr std::string_view kOnSyncSucceeded = "on-sync-succeeded";
inline constexpr std::string_view kOnSyncFailed = "on-sync-failed";
inline constexpr std::string_view kOnHealthDegraded = "on-health-degraded";
inline constexpr std::string_view kOnDeployed = "on-deployed";

bool is_trigger(std::string_view name);

// What triggers and messages read of an Application (a copy taken on the reconcile path, small).
struct AppSnapshot {
  std::string name;
  std::string ns;
  std::string api_version;
  std::string repo_url;
  core::Json annotations = core::Json::object();
  std::string sync_status;      // Synced | OutOfSync | Unknown
  std::string sync_revision;    // the commit compared
  std::string health_status;    // Healthy | Degraded | ...
  std::string health_message;
  std::string operation_phase;  // "" when no operation; Running | Succeeded | Failed | Error | Terminating
  std::string operation_revision;
  std::string operation_message;
  std::string initiated_by;
  bool dry_run = false;
  friend bool operator==(const AppSnapshot&, const AppSnapshot&) = default;
};

struct FiredTrigger {
  std::string trigger;
  std::string revision;
  friend bool operator==(const FiredTrigger&, const FiredTrigger&) = default;
};

// The triggers that hold for `app` now, each with its revision.
std::vector<FiredTrigger> fired_triggers(const AppSnapshot& app);

}  // namespace gitmoor::engine
