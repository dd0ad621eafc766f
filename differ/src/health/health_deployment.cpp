#include "health_kinds.hpp"

namespace gitmoor::differ::health {

Health deployment(const Json& d) {
  if (flag(d, "spec.paused")) return {HealthStatus::Suspended, "Deployment is paused"};
  if (!generation_observed(d) || !has(d, "status")) {
    return {HealthStatus::Progressing, "Waiting for rollout to finish: observed deployment generation less than desired generation"};
  }
  const Json* progressing = condition(d, "Progressing");
  if (condition_text(progressing, "reason") == "ProgressDeadlineExceeded") {
    return {HealthStatus::Degraded, "Deployment \"" + text(d, "metadata.name") + "\" exceeded its progress deadline"};
  }
  const auto replicas = integer(d, "spec.replicas", 1);  // the API server defaults an absent replicas to 1
  const auto updated = integer(d, "status.updatedReplicas");
  const auto total = integer(d, "status.replicas");
  const auto available = integer(d, "status.availableReplicas");
  if (updated < replicas) {
    return {HealthStatus::Progressing, "Waiting for rollout to finish: " + std::to_string(updated) + " out of " +
                                           std::to_string(replicas) + " new replicas have been updated..."};
  }
  if (total > updated) {
    return {HealthStatus::Progressing, "Waiting for rollout to finish: " + std::to_string(total - updated) +
                                           " old replicas are pending termination..."};
  }
  if (available < updated) {
    return {HealthStatus::Progressing, "Waiting for rollout to finish: " + std::to_string(available) + " of " +
                                           std::to_string(updated) + " updated replicas are available..."};
  }
  return {HealthStatus::Healthy, ""};
}

}  // namespace gitmoor::differ::health
