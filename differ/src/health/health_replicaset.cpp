#include "health_kinds.hpp"

namespace gitmoor::differ::health {

Health replica_set(const Json& r) {
  if (!generation_observed(r) || !has(r, "status")) {
    return {HealthStatus::Progressing, "Waiting for rollout to finish: observed replica set generation less than desired generation"};
  }
  if (condition_is(r, "ReplicaFailure", "True")) {
    return {HealthStatus::Degraded, condition_text(condition(r, "ReplicaFailure"), "message")};
  }
  const auto replicas = integer(r, "spec.replicas", 1);
  const auto available = integer(r, "status.availableReplicas");
  if (available < replicas) {
    return {HealthStatus::Progressing, "Waiting for rollout to finish: " + std::to_string(available) + " out of " +
                                           std::to_string(replicas) + " replicas are available..."};
  }
  return {HealthStatus::Healthy, ""};
}

}  // namespace gitmoor::differ::health
