#include "health_kinds.hpp"

namespace gitmoor::differ::health {

Health daemon_set(const Json& d) {
  if (!has(d, "status.observedGeneration") || !generation_observed(d)) {
    return {HealthStatus::Progressing, "Waiting for rollout to finish: observed daemon set generation less than desired generation"};
  }
  if (text(d, "spec.updateStrategy.type") == "OnDelete") {
    return {HealthStatus::Healthy, "daemon set has OnDelete update strategy"};
  }
  const auto desired = integer(d, "status.desiredNumberScheduled");
  const auto updated = integer(d, "status.updatedNumberScheduled");
  const auto available = integer(d, "status.numberAvailable");
  if (updated < desired) {
    return {HealthStatus::Progressing, "Waiting for daemon set rollout to finish: " + std::to_string(updated) +
                                           " out of " + std::to_string(desired) + " new pods have been updated..."};
  }
  if (available < desired) {
    return {HealthStatus::Progressing, "Waiting for daemon set rollout to finish: " + std::to_string(available) +
                                           " of " + std::to_string(desired) + " updated pods are available..."};
  }
  return {HealthStatus::Healthy, ""};
}

}  // namespace gitmoor::differ::health
