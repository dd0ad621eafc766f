#include "controller_metrics.hpp"

#include "controller_impl.hpp"
#include "gitmoor/engine/git_error.hpp"

namespace gitmoor::engine {

namespace metrics = core::metrics;

namespace {

const std::vector<std::string> kAppInfoLabels{"name",           "namespace",     "project",       "repo",
                                              "dest_server",    "dest_namespace", "sync_status",  "health_status",
                                              "operation",      "autosync_enabled"};

}  // namespace

void count_sync(const Application& app, OperationPhase phase, bool dry_run) {
  static auto& syncs = metrics::registry().counter(
      "gitmoor_app_sync_total", "Sync operations completed, by application and phase (Succeeded, Failed or Error).",
      {"name", "namespace", "project", "phase", "dry_run"});
  if (!is_completed(phase)) return;
  syncs.labels({app.name, app.ns, app.project, std::string(to_string(phase)), dry_run ? "true" : "false"}).inc();
}

void observe_reconcile(std::chrono::steady_clock::duration duration) {
  static auto& seconds = metrics::registry()
                             .histogram("gitmoor_app_reconcile_seconds",
                                        "Duration of one reconcile of one application: poll, render, compare and "
                                        "any sync it starts.",
                                        {}, metrics::slow_buckets())
                             .get();
  seconds.observe(std::chrono::duration<double>(duration).count());
}

void count_self_heal(const Application& app, std::optional<std::chrono::steady_clock::duration> restored_after) {
  static auto& heals = metrics::registry().counter(
      "gitmoor_self_heal_total", "Self-heal syncs completed (drift in the live state undone), whatever their outcome.",
      {"name", "namespace"});
  static auto& latency = metrics::registry()
                             .histogram("gitmoor_self_heal_latency_seconds",
                                        "Time from a drift being seen (the live event) to the state being restored "
                                        "(the self-heal sync succeeded).",
                                        {}, metrics::slow_buckets())
                             .get();
  heals.labels({app.name, app.ns}).inc();
  if (restored_after) latency.observe(std::chrono::duration<double>(*restored_after).count());
}

metrics::LabelValues app_info_labels(const AppRecord& record) {
  const auto& app = record.app;
  const auto& status = record.status;
  const auto& op = status.operation_state;
  const bool operating = record.running != nullptr || record.requested_sync || record.request_taken ||
                         (op && !is_completed(op->phase));
  return {app.name,
          app.ns,
          app.project,
          url_without_userinfo(app.source.repo_url),
          url_without_userinfo(app.destination.server.empty() ? app.destination.name : app.destination.server),
          app.destination.ns,
          status.sync_status,
          std::string(differ::to_string(status.health.status)),
          operating ? "sync" : "",
          app.sync_policy.automated ? "true" : "false"};
}

metrics::CollectorRegistration register_controller_metrics(ControllerGauges gauges) {
  return metrics::registry().add_collector([gauges = std::move(gauges)](metrics::TextWriter& out) {
    out.family("gitmoor_app_info", "Information about each application (always 1).", "gauge");
    gauges.visit_apps([&](const AppRecord& record) {
      const auto values = app_info_labels(record);
      metrics::Labels labels;
      for (std::size_t i = 0; i < values.size(); ++i) labels.emplace_back(kAppInfoLabels[i], values[i]);
      out.sample("gitmoor_app_info", labels, 1);
    });
    out.family("gitmoor_leader", "1 while this replica holds the leader Lease (or leader election is off), else 0.",
               "gauge");
    out.sample("gitmoor_leader", {}, gauges.leading() ? 1 : 0);
    out.family("gitmoor_workqueue_depth", "Applications queued for a reconcile now (not delayed, not in progress).",
               "gauge");
    out.sample("gitmoor_workqueue_depth", {}, static_cast<double>(gauges.queue_depth()));
  });
}

}  // namespace gitmoor::engine
