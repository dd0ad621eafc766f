#include "health_kinds.hpp"

namespace gitmoor::differ::health {

namespace {

bool failed_reason(const std::string& reason) {
  return reason.rfind("FailedGet", 0) == 0 || reason.rfind("FailedCompute", 0) == 0 ||
         reason.rfind("FailedUpdate", 0) == 0 || reason == "InvalidSelector" || reason == "InvalidMetricSourceType";
}

}  // namespace

Health horizontal_pod_autoscaler(const Json& h) {
  const Json* conditions = h.contains("status") ? &h["status"] : nullptr;
  if (conditions && conditions->contains("conditions") && (*conditions)["conditions"].is_array()) {
    for (const auto& c : (*conditions)["conditions"]) {
      const std::string reason = c.value("reason", "");
      if (failed_reason(reason)) return {HealthStatus::Degraded, c.value("message", reason)};
    }
  }
  if (condition_is(h, "AbleToScale", "True")) {
    return {HealthStatus::Healthy, condition_text(condition(h, "AbleToScale"), "message")};
  }
  return {HealthStatus::Progressing, "waiting for the autoscaler to report"};
}

}  // namespace gitmoor::differ::health
