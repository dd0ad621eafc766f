// CloudNativePG (postgresql.cnpg.io) Cluster: status.phase is a sentence ("Cluster in healthy state"), with
// phaseReason for detail; hibernation and disabled reconciliation are the user's choice.
#include <array>

#include "health_kinds.hpp"

namespace gitmoor::differ::health {

namespace {

struct CnpgPhase {
  std::string_view phase;
  HealthStatus status;
};

// Planned operations (switchover, upgrades, restarts) progress by themselves; the rest need a human.
constexpr std::array<CnpgPhase, 19> kPhases{{
    {"Cluster in healthy state", HealthStatus::Healthy},
    {"Setting up primary", HealthStatus::Progressing},
    {"Creating a new replica", HealthStatus::Progressing},
    {"Upgrading cluster", HealthStatus::Progressing},
    {"Waiting for the instances to become active", HealthStatus::Progressing},
    {"Promoting to primary cluster", HealthStatus::Progressing},
    {"Switchover in progress", HealthStatus::Progressing},
    {"Upgrading Postgres major version", HealthStatus::Progressing},
    {"Online upgrade in progress", HealthStatus::Progressing},
    {"Applying configuration", HealthStatus::Progressing},
    {"Primary instance is being restarted in-place", HealthStatus::Progressing},
    {"Primary instance is being restarted without a switchover", HealthStatus::Progressing},
    {"Failing over", HealthStatus::Degraded},
    {"Cluster upgrade delayed", HealthStatus::Degraded},
    {"Waiting for user action", HealthStatus::Degraded},
    {"Unable to create required cluster objects", HealthStatus::Degraded},
    {"Cluster cannot proceed to reconciliation due to an unknown plugin being required", HealthStatus::Degraded},
    {"Cluster has incomplete or invalid image catalog", HealthStatus::Degraded},
    {"Cluster is unrecoverable and needs manual intervention", HealthStatus::Degraded},
}};

}  // namespace

Health cnpg_cluster(const Json& c) {
  const Json* annotations = at(c, "metadata.annotations");
  if (annotations != nullptr && annotations->is_object() &&
      annotations->value("cnpg.io/reconciliation", "") == "disabled") {
    return {HealthStatus::Suspended, "cluster reconciliation is disabled"};
  }
  if (const Json* hibernation = condition(c, "cnpg.io/hibernation")) {
    if (condition_text(hibernation, "status") == "True") {
      return {HealthStatus::Suspended, condition_message(hibernation, "cluster is hibernated")};
    }
  }
  const std::string phase = text(c, "status.phase");
  const std::string reason = text(c, "status.phaseReason");
  if (phase.empty()) return {HealthStatus::Progressing, "waiting for CloudNativePG to report the cluster's phase"};
  const std::string message = reason.empty() ? phase : phase + ": " + reason;
  for (const auto& entry : kPhases) {
    if (entry.phase == phase) return {entry.status, message};
  }
  // A phase from a newer operator: its Ready condition still says what it means.
  if (const Json* ready = condition(c, "Ready")) {
    const std::string status = condition_text(ready, "status");
    if (status == "True") return {HealthStatus::Healthy, message};
    if (status == "False") return {HealthStatus::Degraded, message};
  }
  return {HealthStatus::Unknown, message};
}

}  // namespace gitmoor::differ::health
