// PodDisruptionBudget (policy). Argo CD calls it Degraded only when its DisruptionAllowed condition is False for a
// reason other than InsufficientPods: a budget that allows no disruption (maxUnavailable 0) is a valid choice.
// gitmoor adds the counts: a budget that asks for more healthy pods than its workload has can never be met
// (Degraded); fewer healthy pods than desired while they exist is a workload still starting (Progressing, its
// Pods and Deployment say whether it fails).
#include "health_kinds.hpp"

namespace gitmoor::differ::health {

Health pod_disruption_budget(const Json& p) {
  if (!has(p, "status")) return {HealthStatus::Progressing, "waiting for the disruption controller"};
  const auto current = integer(p, "status.currentHealthy");
  const auto desired = integer(p, "status.desiredHealthy");
  const auto expected = integer(p, "status.expectedPods");
  const std::string counts = std::to_string(current) + " of " + std::to_string(desired) + " desired pods healthy";
  const Json* allowed = condition(p, "DisruptionAllowed");
  if (condition_text(allowed, "status") == "False" && condition_text(allowed, "reason") != "InsufficientPods") {
    return {HealthStatus::Degraded, condition_message(allowed, "disruption not allowed") + " (" + counts + ")"};
  }
  if (expected == 0 && desired > 0) return {HealthStatus::Progressing, "waiting for pods that match the budget"};
  if (expected < desired) {
    return {HealthStatus::Degraded, "the budget wants " + std::to_string(desired) + " healthy pods but " +
                                        std::to_string(expected) + " exist"};
  }
  if (current < desired) return {HealthStatus::Progressing, "waiting for pods: " + counts};
  return {HealthStatus::Healthy, counts + ", " + std::to_string(integer(p, "status.disruptionsAllowed")) +
                                     " disruption(s) allowed"};
}

}  // namespace gitmoor::differ::health
