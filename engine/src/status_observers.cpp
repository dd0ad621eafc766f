// What a status change tells the outside: Kubernetes Events on the Application (status_events.hpp) and notifications
// (notifier.hpp). Observed where the status is written, so every change is seen once; both are only queued here,
// the API server and the receivers are talked to on their own threads.
#include "controller_impl.hpp"

namespace gitmoor::engine {

using core::Json;

namespace {

AppSnapshot snapshot_of(const Application& app, const ApplicationStatus& status) {
  AppSnapshot out;
  out.name = app.name;
  out.ns = app.ns;
  out.api_version = app.api_version;
  out.repo_url = app.source.repo_url;
  out.annotations = app.manifest.value("metadata", Json::object()).value("annotations", Json::object());
  out.sync_status = status.sync_status;
  out.sync_revision = status.sync_revision;
  out.health_status = std::string(differ::to_string(status.health.status));
  out.health_message = status.health.message;
  if (status.operation_state) {
    const auto& op = *status.operation_state;
    out.operation_phase = std::string(to_string(op.phase));
    // A sync that failed before it resolved a commit (the source could not be read) belongs to the revision compared.
    out.operation_revision = !op.revision.empty() ? op.revision
                             : !op.operation.revision.empty() ? op.operation.revision
                                                              : status.sync_revision;
    out.operation_message = op.message;
    out.initiated_by = op.operation.initiated_by;
    out.dry_run = op.operation.dry_run;
  }
  return out;
}

}  // namespace

Controller::Impl::StatusObservation Controller::Impl::observe(AppRecord& record) {
  StatusObservation out;
  if (record.app.origin != ApplicationOrigin::Cluster) return out;
  auto summary = StatusSummary::of(record.status);
  if (options.application_events) {
    for (auto& event : status_events(record.observed ? &*record.observed : nullptr, summary)) {
      out.events.push_back({.api_version = record.app.api_version,
                            .name = record.app.name,
                            .ns = record.app.ns,
                            .uid = record.app.uid,
                            .type = std::move(event.type),
                            .reason = std::move(event.reason),
                            .message = std::move(event.message)});
    }
  }
  record.observed = std::move(summary);
  if (notifier) out.snapshot = snapshot_of(record.app, record.status);
  return out;
}

void Controller::Impl::publish(StatusObservation observation) {
  // Only the leader speaks: another replica sees the same changes and must not repeat them.
  if (!leading) return;
  for (auto& event : observation.events) event_recorder.record(std::move(event));
  if (observation.snapshot && notifier) notifier->observe(std::move(*observation.snapshot));
}

}  // namespace gitmoor::engine
