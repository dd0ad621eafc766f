#pragma once
// Which Kubernetes Events a status change deserves, as Argo CD records them on an Application: OperationStarted when
// a sync starts, OperationCompleted when it ends (Warning when it failed), ResourceUpdated when the sync or health
// status moves. Pure: the status before and after in, the events out.
#include <optional>
#include <string>
#include <vector>

#include "gitmoor/engine/application_status.hpp"

namespace gitmoor::engine {

// What of a status the events tell (kept per app between two writes: small, not the resource list).
struct StatusSummary {
  std::string sync_status;
  differ::HealthStatus health = differ::HealthStatus::Unknown;
  struct Operation {
    OperationPhase phase = OperationPhase::Running;
    std::string started_at;
    std::string initiated_by;
    std::string revision;  // the commit being deployed; the revision asked for when not resolved yet
    std::string message;
  };
  std::optional<Operation> operation;

  static StatusSummary of(const ApplicationStatus& status);
};

struct StatusEvent {
  std::string type;    // Normal | Warning
  std::string reason;  // OperationStarted | OperationCompleted | ResourceUpdated
  std::string message;
  friend bool operator==(const StatusEvent&, const StatusEvent&) = default;
};

// `before`: the status last seen (nullptr for an app seen for the first time: its first sync and health status are
// not changes, so only its operation counts).
std::vector<StatusEvent> status_events(const StatusSummary* before, const StatusSummary& after);

}  // namespace gitmoor::engine
