#pragma once
// An Application's status with Argo CD's field names (reference/gitops-semantics.md, "Status"): what the last
// comparison found, the running or last sync operation, the deploy history and the conditions. Written to the
// custom resource's status subresource (or kept in memory for file Applications) and read back on restart.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "gitmoor/core/object.hpp"
#include "gitmoor/differ/health.hpp"

namespace gitmoor::engine {

// status.resources[]: one managed (or to-be-pruned) resource.
struct ResourceStatus {
  core::ResourceKey key;
  std::string version;           // from apiVersion (the group is in key)
  std::string status = "Synced";  // Synced | OutOfSync (Missing and Extraneous objects are OutOfSync)
  differ::Health health;          // of the live object; Missing when absent
  bool requires_pruning = false;  // extraneous: in the cluster with this app's tracking id, not in Git
  std::string hook;               // hook type when the resource is a hook ("PreSync", ...), else ""
  int sync_wave = 0;
};

// status.conditions[]
struct Condition {
  std::string type;     // ComparisonError | SyncError | InvalidSpecError | SelfHealBackoff | OrphanedResourceWarning
  std::string message;
  std::string last_transition_time;  // RFC 3339
};

// status.operationState.syncResult.resources[]
struct SyncResourceResult {
  core::ResourceKey key;
  std::string version;
  std::string status;      // Synced | SyncFailed | Pruned | PruneSkipped
  std::string message;
  std::string hook_type;   // PreSync | Sync | PostSync | SyncFail, "" for ordinary resources
  std::string hook_phase;  // Running | Succeeded | Failed | Terminating, for hooks
  std::string sync_phase;  // PreSync | Sync | PostSync | SyncFail
  int sync_wave = 0;
};

// status.operationState.operation.sync (what was asked)
struct SyncRequest {
  std::string revision;                         // "" = the app's targetRevision
  bool prune = false;
  bool dry_run = false;
  bool force = false;
  std::vector<core::ResourceKey> resources;     // empty = all
  std::string initiated_by = "automated";       // "automated" or a user name
  std::vector<std::string> sync_options;        // options for this sync only (operation.sync.syncOptions)
  core::Json source;                            // operation.sync.source: a rollback's history source; null = spec's
  bool apply_only = false;                      // syncStrategy.apply (Argo CD): apply the resources, run no hooks
};

enum class OperationPhase { Running, Terminating, Failed, Error, Succeeded };
std::string_view to_string(OperationPhase phase);
std::optional<OperationPhase> parse_operation_phase(std::string_view text);
bool is_completed(OperationPhase phase);  // Failed, Error, Succeeded

// status.operationState
struct OperationState {
  SyncRequest operation;
  OperationPhase phase = OperationPhase::Running;
  std::string message;
  std::string started_at;
  std::string finished_at;
  int retry_count = 0;
  std::string revision;                       // syncResult.revision: the commit being deployed
  std::vector<SyncResourceResult> resources;  // syncResult.resources
};

// status.history[]
struct HistoryEntry {
  std::int64_t id = 0;
  std::string revision;
  std::string deployed_at;
  std::string deploy_started_at;
  core::Json source;  // spec.source as it was
  // Who started the sync that deployed it, as Argo CD records it: a username, or "automated" (auto-sync).
  // Empty for entries written before gitmoor recorded it.
  std::string initiated_by;
};

struct ApplicationStatus {
  std::string sync_status = "Unknown";  // Synced | OutOfSync | Unknown
  std::string sync_revision;            // the commit compared
  differ::Health health{differ::HealthStatus::Unknown, ""};
  std::vector<ResourceStatus> resources;
  std::optional<OperationState> operation_state;
  std::vector<HistoryEntry> history;    // oldest first, at most revisionHistoryLimit
  std::vector<Condition> conditions;
  std::string reconciled_at;
  std::vector<std::string> images;      // summary.images, sorted, unique
  core::Json compared_to;               // sync.comparedTo {source, destination}; null when not compared yet

  // Adds or replaces the condition of `type` (keeping its lastTransitionTime when the message is unchanged).
  void set_condition(const std::string& type, const std::string& message, const std::string& now);
  void clear_condition(const std::string& type);
  [[nodiscard]] const Condition* condition(const std::string& type) const;
  // Appends an entry with the next id, dropping the oldest beyond `limit`.
  void add_history(HistoryEntry entry, int limit);

  [[nodiscard]] core::Json to_json() const;
  // Reads what to_json wrote (and what Argo CD writes); unknown fields are ignored, a malformed field is skipped.
  static ApplicationStatus from_json(const core::Json& status);
};

// Argo CD's Operation {sync: {revision, prune, dryRun, syncStrategy, resources, syncOptions, source}, initiatedBy}.
core::Json operation_to_json(const SyncRequest& request);

// RFC 3339 UTC with seconds, e.g. 2026-11-26T18:20:26Z.
std::string now_rfc3339();

}  // namespace gitmoor::engine
