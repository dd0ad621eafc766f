#include "health_kinds.hpp"

namespace gitmoor::differ::health {

Health stateful_set(const Json& s) {
  if (!has(s, "status.observedGeneration") || !generation_observed(s)) {
    return {HealthStatus::Progressing, "Waiting for statefulset spec update to be observed..."};
  }
  const auto replicas = integer(s, "spec.replicas", 1);
  const auto ready = integer(s, "status.readyReplicas");
  if (ready < replicas) {
    return {HealthStatus::Progressing, "Waiting for " + std::to_string(replicas - ready) + " pods to be ready..."};
  }
  const std::string strategy = text(s, "spec.updateStrategy.type");
  if (strategy == "OnDelete") return {HealthStatus::Healthy, "statefulset has OnDelete update strategy"};
  if (has(s, "spec.updateStrategy.rollingUpdate.partition")) {
    const auto partition = integer(s, "spec.updateStrategy.rollingUpdate.partition");
    const auto updated = integer(s, "status.updatedReplicas");
    if (updated < replicas - partition) {
      return {HealthStatus::Progressing, "Waiting for partitioned roll out to finish: " + std::to_string(updated) +
                                             " out of " + std::to_string(replicas - partition) +
                                             " new pods have been updated..."};
    }
    return {HealthStatus::Healthy, "partitioned roll out complete"};
  }
  if (text(s, "status.updateRevision") != text(s, "status.currentRevision")) {
    return {HealthStatus::Progressing, "waiting for statefulset rolling update to complete"};
  }
  return {HealthStatus::Healthy, ""};
}

}  // namespace gitmoor::differ::health
