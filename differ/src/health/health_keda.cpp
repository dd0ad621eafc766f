// KEDA (keda.sh) ScaledObject: Ready, plus Paused (scaling held by the user) and Fallback (the scaler fails and
// KEDA holds the fallback replica count).
#include "health_kinds.hpp"

namespace gitmoor::differ::health {

Health scaled_object(const Json& s) {
  if (condition_is(s, "Paused", "True")) {
    return {HealthStatus::Suspended, condition_message(condition(s, "Paused"), "ScaledObject is paused")};
  }
  const Json* annotations = at(s, "metadata.annotations");
  if (annotations != nullptr && annotations->is_object() &&
      (annotations->value("autoscaling.keda.sh/paused", "") == "true" ||
       annotations->contains("autoscaling.keda.sh/paused-replicas"))) {
    return {HealthStatus::Suspended, "ScaledObject is paused by annotation"};
  }
  if (condition_is(s, "Ready", "False")) {
    return {HealthStatus::Degraded, condition_message(condition(s, "Ready"), "ScaledObject is not ready")};
  }
  if (condition_is(s, "Fallback", "True")) {
    return {HealthStatus::Degraded, condition_message(condition(s, "Fallback"), "ScaledObject is in fallback")};
  }
  return ready_condition(s, "waiting for KEDA to create the autoscaler");
}

}  // namespace gitmoor::differ::health
