// See status_events.hpp. The messages are Argo CD's (controller/appcontroller.go), so an operator's event filters
// and alerts written for Argo CD match.
#include "status_events.hpp"

namespace gitmoor::engine {

StatusSummary StatusSummary::of(const ApplicationStatus& status) {
  StatusSummary out;
  out.sync_status = status.sync_status;
  out.health = status.health.status;
  if (status.operation_state) {
    const auto& op = *status.operation_state;
    out.operation = Operation{
        .phase = op.phase,
        .started_at = op.started_at,
        .initiated_by = op.operation.initiated_by,
        .revision = !op.revision.empty() ? op.revision : op.operation.revision.empty() ? "HEAD" : op.operation.revision,
        .message = op.message};
  }
  return out;
}

std::vector<StatusEvent> status_events(const StatusSummary* before, const StatusSummary& after) {
  std::vector<StatusEvent> out;
  const auto* old_op = before != nullptr && before->operation ? &*before->operation : nullptr;
  if (after.operation) {
    const auto& op = *after.operation;
    // One sync is started once, at one time, by one initiator.
    const bool new_operation =
        old_op == nullptr || old_op->started_at != op.started_at || old_op->initiated_by != op.initiated_by;
    if (new_operation && !is_completed(op.phase)) {
      out.push_back({"Normal", "OperationStarted",
                     op.initiated_by == "automated" || op.initiated_by.empty()
                         ? "Initiated automated sync to '" + op.revision + "'"
                         : op.initiated_by + " initiated sync to '" + op.revision + "'"});
    }
    if (is_completed(op.phase) && (new_operation || !is_completed(old_op->phase))) {
      if (op.phase == OperationPhase::Succeeded) {
        out.push_back({"Normal", "OperationCompleted", "Sync operation to " + op.revision + " succeeded"});
      } else {
        out.push_back({"Warning", "OperationCompleted",
                       "Sync operation to " + op.revision + " failed: " +
                           (op.message.empty() ? std::string(to_string(op.phase)) : op.message)});
      }
    }
  }
  if (before != nullptr) {
    if (before->sync_status != after.sync_status) {
      out.push_back({"Normal", "ResourceUpdated",
                     "Updated sync status: " + before->sync_status + " -> " + after.sync_status});
    }
    if (before->health != after.health) {
      out.push_back({"Normal", "ResourceUpdated", "Updated health status: " + std::string(differ::to_string(before->health)) +
                                                      " -> " + std::string(differ::to_string(after.health))});
    }
  }
  return out;
}

}  // namespace gitmoor::engine
