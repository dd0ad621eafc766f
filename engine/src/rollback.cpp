// Rollback (Argo CD's): a sync of an earlier deploy, status.history[id], at its revision and with its source. Refused
// while auto-sync is enabled, since the next automated sync would undo it at once.
#include <algorithm>

#include "controller_impl.hpp"

namespace gitmoor::engine {

void Controller::rollback(const std::string& name, const RollbackRequest& request) {
  {
    std::lock_guard lock(impl_->mutex);
    auto it = impl_->apps.find(name);
    if (it == impl_->apps.end()) throw ApplicationNotFound("application " + name + " not found");
    auto& record = *it->second;
    if (record.app.sync_policy.automated) {
      throw core::InvalidInput("application " + name + ": rollback cannot be initiated when auto-sync is enabled");
    }
    if (being_deleted(record.app)) throw core::InvalidInput("application " + name + " is being deleted");
    const auto& history = record.status.history;
    const auto entry = std::find_if(history.begin(), history.end(),
                                    [&](const HistoryEntry& h) { return h.id == request.id; });
    if (entry == history.end()) {
      throw InvalidArgument("application " + name + " does not have deployment with id " + std::to_string(request.id));
    }
    const auto& op = record.status.operation_state;
    if (record.running != nullptr || record.requested_sync || record.request_taken ||
        (op && !is_completed(op->phase))) {
      throw core::InvalidInput("application " + name + ": another operation is already in progress");
    }
    SyncRequest sync;
    sync.revision = entry->revision;
    sync.prune = request.prune;
    sync.dry_run = request.dry_run;
    sync.initiated_by = request.initiated_by;
    if (entry->source.is_object()) sync.source = entry->source;
    record.requested_sync = std::move(sync);
  }
  impl_->queue.add(name);
}

}  // namespace gitmoor::engine
