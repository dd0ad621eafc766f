#include "health_kinds.hpp"

namespace gitmoor::differ::health {

namespace {

bool failed_reason(const std::string& reason) {
  return reason.rfind("FailedGet", 0) == 0 || reason.rfind("FailedCompute", 0) == 0 ||
         reason.rfind("FailedUpdate", 0) == 0 || reason == "InvalidSelector" || reason == "InvalidMetricSourceType";
}

// autoscaling/v1 has no conditions field: the API server keeps the v2 conditions in an annotation, as JSON.
Json conditions_of(const Json& h) {
  if (const Json* list = at(h, "status.conditions"); list != nullptr && list->is_array()) return *list;
  if (const Json* annotations = at(h, "metadata.annotations"); annotations != nullptr && annotations->is_object()) {
    const std::string text = annotations->value("autoscaling.alpha.kubernetes.io/conditions", "");
    if (!text.empty()) {
      Json parsed = Json::parse(text, nullptr, /*allow_exceptions=*/false);
      if (parsed.is_array()) return parsed;
    }
  }
  return Json::array();
}

}  // namespace

Health horizontal_pod_autoscaler(const Json& h) {
  const Json conditions = conditions_of(h);
  for (const auto& c : conditions) {
    if (!c.is_object()) continue;
    const std::string reason = c.value("reason", "");
    if (failed_reason(reason)) return {HealthStatus::Degraded, c.value("message", reason)};
  }
  for (const auto& c : conditions) {
    if (c.is_object() && c.value("type", "") == "AbleToScale" && c.value("status", "") == "True") {
      return {HealthStatus::Healthy, condition_message(&c, "the autoscaler is able to scale")};
    }
  }
  return {HealthStatus::Progressing, "waiting for the autoscaler to report"};
}

}  // namespace gitmoor::differ::health
