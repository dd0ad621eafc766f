#include "health_kinds.hpp"

namespace gitmoor::differ::health {

Health persistent_volume_claim(const Json& c) {
  const std::string phase = text(c, "status.phase");
  if (phase == "Bound") return {HealthStatus::Healthy, ""};
  if (phase == "Pending") return {HealthStatus::Progressing, "waiting for the claim to be bound"};
  if (phase == "Lost") return {HealthStatus::Degraded, "the claim lost its volume"};
  return {HealthStatus::Unknown, phase.empty() ? "no phase reported" : "phase " + phase};
}

}  // namespace gitmoor::differ::health
