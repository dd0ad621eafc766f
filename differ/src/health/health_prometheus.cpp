// Prometheus Operator (monitoring.coreos.com) Prometheus and Alertmanager: Available is True, False or Degraded
// (some replicas down), Reconciled says whether the operator could apply the spec; spec.paused stops it.
#include "health_kinds.hpp"

namespace gitmoor::differ::health {

Health prometheus(const Json& p) {
  const std::string kind = text(p, "kind");
  if (flag(p, "spec.paused")) return {HealthStatus::Suspended, kind + " reconciliation is paused"};
  if (!generation_observed(p)) {
    return {HealthStatus::Progressing, "waiting for the operator to observe the " + kind + " spec"};
  }
  const Json* reconciled = condition(p, "Reconciled");
  if (condition_text(reconciled, "status") == "False") {
    return {HealthStatus::Degraded, condition_message(reconciled, kind + " could not be reconciled")};
  }
  const Json* available = condition(p, "Available");
  const std::string status = condition_text(available, "status");
  if (status == "True") return {HealthStatus::Healthy, condition_message(available, "all replicas are available")};
  if (status == "Degraded") {
    return {HealthStatus::Degraded, condition_message(available, "some replicas are not available")};
  }
  if (status == "False") {
    // No replica ready yet while the pods start; anything else is a failure.
    const auto health = condition_text(available, "reason") == "SomePodsNotReady" ? HealthStatus::Progressing
                                                                                   : HealthStatus::Degraded;
    return {health, condition_message(available, "no replica is available")};
  }
  return {HealthStatus::Progressing, "waiting for the operator to report " + kind + " availability"};
}

}  // namespace gitmoor::differ::health
