#include "health_kinds.hpp"

namespace gitmoor::differ::health {

Health api_service(const Json& a) {
  if (condition_is(a, "Available", "True")) return {HealthStatus::Healthy, ""};
  const Json* available = condition(a, "Available");
  if (available != nullptr) {
    return {HealthStatus::Progressing, condition_text(available, "reason") + ": " + condition_text(available, "message")};
  }
  return {HealthStatus::Progressing, "waiting for the API service to become available"};
}

}  // namespace gitmoor::differ::health
