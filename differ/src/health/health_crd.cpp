#include "health_kinds.hpp"

namespace gitmoor::differ::health {

Health custom_resource_definition(const Json& c) {
  if (condition_is(c, "NamesAccepted", "False")) {
    return {HealthStatus::Degraded, condition_message(condition(c, "NamesAccepted"), "names not accepted")};
  }
  // A non-structural schema is served but pruning and defaulting are off: the API server calls it a violation.
  if (condition_is(c, "NonStructuralSchema", "True")) {
    return {HealthStatus::Degraded, condition_message(condition(c, "NonStructuralSchema"), "non-structural schema")};
  }
  if (condition_is(c, "Terminating", "True")) return {HealthStatus::Progressing, "CRD is terminating"};
  if (condition_is(c, "Established", "True")) return {HealthStatus::Healthy, "CRD is established"};
  if (condition_is(c, "Established", "False")) {
    return {HealthStatus::Degraded, condition_message(condition(c, "Established"), "CRD is not established")};
  }
  return {HealthStatus::Progressing, "waiting for the CRD to be established"};
}

}  // namespace gitmoor::differ::health
