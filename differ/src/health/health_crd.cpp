#include "health_kinds.hpp"

namespace gitmoor::differ::health {

Health custom_resource_definition(const Json& c) {
  if (condition_is(c, "NamesAccepted", "False")) {
    return {HealthStatus::Degraded, condition_text(condition(c, "NamesAccepted"), "message")};
  }
  if (condition_is(c, "Terminating", "True")) return {HealthStatus::Progressing, "CRD is terminating"};
  if (condition_is(c, "Established", "True")) return {HealthStatus::Healthy, ""};
  return {HealthStatus::Progressing, "waiting for the CRD to be established"};
}

}  // namespace gitmoor::differ::health
