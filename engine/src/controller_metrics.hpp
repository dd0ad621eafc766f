#pragma once
// The controller's Prometheus metrics (names and labels as README.md's Metrics section lists them):
//   gitmoor_app_sync_total{name,namespace,project,phase,dry_run}    completed operations
//   gitmoor_app_reconcile_seconds                                   one observation per reconcile
//   gitmoor_self_heal_total{name,namespace}, gitmoor_self_heal_latency_seconds
// and, computed at each scrape from the controller's state: gitmoor_app_info{...} (1 per app), gitmoor_leader,
// gitmoor_workqueue_depth.
#include <chrono>
#include <functional>
#include <optional>

#include "gitmoor/core/metrics.hpp"
#include "gitmoor/engine/application.hpp"
#include "gitmoor/engine/application_status.hpp"

namespace gitmoor::engine {

struct AppRecord;

// An operation that completed (Succeeded, Failed or Error; Running and Terminating are not counted).
void count_sync(const Application& app, OperationPhase phase, bool dry_run);
void observe_reconcile(std::chrono::steady_clock::duration duration);
// A self-heal sync that completed; `restored_after` (drift seen → state restored) when it succeeded.
void count_self_heal(const Application& app, std::optional<std::chrono::steady_clock::duration> restored_after);

// gitmoor_app_info's labels for one app (caller holds the controller's mutex).
core::metrics::LabelValues app_info_labels(const AppRecord& record);

// What the scrape-time families read; each function is called during a scrape.
struct ControllerGauges {
  std::function<void(const std::function<void(const AppRecord&)>&)> visit_apps;  // under the controller's mutex
  std::function<bool()> leading;
  std::function<std::size_t()> queue_depth;
};
[[nodiscard]] core::metrics::CollectorRegistration register_controller_metrics(ControllerGauges gauges);

}  // namespace gitmoor::engine
