#include "health_kinds.hpp"

namespace gitmoor::differ::health {

Health job(const Json& j) {
  if (condition_is(j, "Failed", "True")) {
    return {HealthStatus::Degraded, condition_text(condition(j, "Failed"), "message")};
  }
  if (condition_is(j, "Complete", "True")) {
    return {HealthStatus::Healthy, condition_text(condition(j, "Complete"), "message")};
  }
  if (flag(j, "spec.suspend")) return {HealthStatus::Suspended, "Job is suspended"};
  return {HealthStatus::Progressing, "Job is running"};
}

}  // namespace gitmoor::differ::health
