// See notify_triggers.hpp.
#include "notify_triggers.hpp"

namespace gitmoor::engine {

bool is_trigger(std::string_view name) {
  return name == kOnSyncRunning || name == kOnSyncSucceeded || name == kOnSyncFailed || name == kOnHealthDegraded ||
         name == kOnDeployed;
}

std::vector<FiredTrigger> fired_triggers(const AppSnapshot& app) {
  std::vector<FiredTrigger> out;
  // A dry run deploys nothing: nobody is told about it.
  if (!app.operation_phase.empty() && !app.dry_run && !app.operation_revision.empty()) {
    const auto& phase = app.operation_phase;
    if (phase == "Running") out.push_back({std::string(kOnSyncRunning), app.operation_revision});
    if (phase == "Succeeded") out.push_back({std::string(kOnSyncSucceeded), app.operation_revision});
    if (phase == "Failed" || phase == "Error") out.push_back({std::string(kOnSyncFailed), app.operation_revision});
    // Deployed: the health read after the sync, of that revision (right after a sync, the status still carries the
    // compare made before it: Synced to this revision means a compare has run since).
    if (phase == "Succeeded" && app.health_status == "Healthy" && app.sync_status == "Synced" &&
        app.sync_revision == app.operation_revision) {
      out.push_back({std::string(kOnDeployed), app.operation_revision});
    }
  }
  if (app.health_status == "Degraded" && !app.sync_revision.empty()) {
    out.push_back({std::string(kOnHealthDegraded), app.sync_revision});
  }
  return out;
}

}  // namespace gitmoor::engine
