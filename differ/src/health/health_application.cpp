// gitmoor (gitmoor.dev) and Argo CD (argoproj.io) Application, as a resource of another Application (app of
// apps): the child's own status.health, unless an operation is running or the last one failed.
#include "health_kinds.hpp"

namespace gitmoor::differ::health {

Health application(const Json& a) {
  const std::string operation = text(a, "status.operationState.phase");
  const std::string operation_message = text(a, "status.operationState.message");
  if (operation == "Running" || operation == "Terminating") {
    return {HealthStatus::Progressing,
            operation_message.empty() ? "sync operation " + lower(operation) : operation_message};
  }
  if (operation == "Failed" || operation == "Error") {
    return {HealthStatus::Degraded, "sync " + lower(operation) + (operation_message.empty() ? "" : ": " + operation_message)};
  }
  const std::string status = text(a, "status.health.status");
  const auto health = parse_health_status(status);
  if (!health) return {HealthStatus::Progressing, "waiting for the application to report its health"};
  const std::string message = text(a, "status.health.message");
  return {*health, message.empty() ? "application is " + status : message};
}

}  // namespace gitmoor::differ::health
