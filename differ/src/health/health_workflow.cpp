// Argo Workflows (argoproj.io) Workflow: status.phase Pending/Running/Succeeded/Failed/Error; spec.suspend holds it.
#include "health_kinds.hpp"

namespace gitmoor::differ::health {

Health workflow(const Json& w) {
  const std::string phase = text(w, "status.phase");
  const std::string message = text(w, "status.message");
  if (flag(w, "spec.suspend") && phase != "Succeeded" && phase != "Failed" && phase != "Error") {
    return {HealthStatus::Suspended, message.empty() ? "Workflow is suspended" : message};
  }
  if (phase == "Succeeded") return {HealthStatus::Healthy, message.empty() ? "Workflow succeeded" : message};
  if (phase == "Failed" || phase == "Error") {
    return {HealthStatus::Degraded, message.empty() ? "Workflow phase " + phase : message};
  }
  if (phase == "Running" || phase == "Pending" || phase.empty()) {
    return {HealthStatus::Progressing, message.empty() ? "Workflow is " + (phase.empty() ? std::string("not started") : lower(phase)) : message};
  }
  return {HealthStatus::Unknown, "Workflow phase " + phase};
}

}  // namespace gitmoor::differ::health
