// Argo Rollouts (argoproj.io) Rollout. Since v1.0 the controller writes status.phase (Healthy, Progressing,
// Paused, Degraded) and status.message; older controllers only report replica counts and pod hashes.
#include "health_kinds.hpp"

namespace gitmoor::differ::health {

namespace {

// observedGeneration was a pod-template hash before v0.10: only a number can be compared with the generation.
bool spec_observed(const Json& r) {
  const Json* observed = at(r, "status.observedGeneration");
  if (observed == nullptr) return false;
  std::int64_t value = 0;
  if (observed->is_number_integer()) {
    value = observed->get<std::int64_t>();
  } else if (observed->is_string()) {
    const auto s = observed->get<std::string>();
    if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos || s.size() > 18) return true;
    value = std::stoll(s);
  } else {
    return true;
  }
  return value >= integer(r, "metadata.generation");
}

bool paused(const Json& r) {
  const Json* pauses = at(r, "status.pauseConditions");
  return flag(r, "spec.paused") || (pauses != nullptr && pauses->is_array() && !pauses->empty());
}

Health from_replicas(const Json& r) {
  const auto desired = integer(r, "spec.replicas", 1);
  const auto updated = integer(r, "status.updatedReplicas");
  const auto available = integer(r, "status.availableReplicas");
  const auto total = integer(r, "status.replicas");
  const std::string current = text(r, "status.currentPodHash");
  if (current.empty()) return {HealthStatus::Progressing, "waiting for the rollout controller to report status"};
  if (updated < desired) {
    return {HealthStatus::Progressing, "waiting for rollout to finish: " + std::to_string(updated) + " of " +
                                           std::to_string(desired) + " replicas updated"};
  }
  if (available < updated) {
    return {HealthStatus::Progressing, "waiting for rollout to finish: " + std::to_string(available) + " of " +
                                           std::to_string(updated) + " updated replicas available"};
  }
  if (has(r, "spec.strategy.blueGreen") && text(r, "status.blueGreen.activeSelector") != current) {
    return {HealthStatus::Progressing, "active service cutover pending"};
  }
  if (has(r, "spec.strategy.canary")) {
    if (total > updated) return {HealthStatus::Progressing, "waiting for old replicas to terminate"};
    std::string stable = text(r, "status.stableRS");
    if (stable.empty()) stable = text(r, "status.canary.stableRS");
    if (stable != current) return {HealthStatus::Progressing, "waiting for the rollout to finish its steps"};
  }
  return {HealthStatus::Healthy, "the current pod spec is stable and serving"};
}

}  // namespace

Health rollout(const Json& r) {
  if (!spec_observed(r)) return {HealthStatus::Progressing, "waiting for the rollout spec update to be observed"};
  const Json* invalid = condition(r, "InvalidSpec");
  if (invalid != nullptr && condition_text(invalid, "status") != "False") {
    return {HealthStatus::Degraded, condition_message(invalid, "invalid spec")};
  }
  const std::string phase = text(r, "status.phase");
  const std::string message = text(r, "status.message");
  const Json* progressing = condition(r, "Progressing");
  const std::string reason = condition_text(progressing, "reason");
  if (reason == "RolloutAborted") return {HealthStatus::Degraded, condition_message(progressing, "Rollout is aborted")};
  if (flag(r, "status.abort")) return {HealthStatus::Degraded, message.empty() ? "Rollout is aborted" : message};
  if (reason == "ProgressDeadlineExceeded") {
    return {HealthStatus::Degraded, condition_message(progressing, "Rollout exceeded its progress deadline")};
  }
  if (paused(r) || phase == "Paused") return {HealthStatus::Suspended, message.empty() ? "Rollout is paused" : message};
  if (phase == "Healthy") return {HealthStatus::Healthy, message.empty() ? "Rollout is healthy" : message};
  if (phase == "Progressing") return {HealthStatus::Progressing, message.empty() ? "Rollout is progressing" : message};
  if (phase == "Degraded") return {HealthStatus::Degraded, message.empty() ? "Rollout is degraded" : message};
  return from_replicas(r);
}

}  // namespace gitmoor::differ::health
