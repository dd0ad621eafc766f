#include <array>

#include "health_kinds.hpp"

namespace gitmoor::differ::health {

namespace {

// Waiting reasons that mean the container will not start by itself.
constexpr std::array<std::string_view, 6> kBroken{"CrashLoopBackOff", "ErrImagePull", "ImagePullBackOff",
                                                  "CreateContainerConfigError", "InvalidImageName",
                                                  "CreateContainerError"};

std::optional<Health> broken_container(const Json& pod) {
  for (const char* field : {"initContainerStatuses", "containerStatuses"}) {
    const auto status = pod.find("status");
    if (status == pod.end() || !status->is_object()) return std::nullopt;
    const auto list = status->find(field);
    if (list == status->end() || !list->is_array()) continue;
    for (const auto& c : *list) {
      const std::string reason = c.contains("state") && c["state"].contains("waiting")
                                     ? c["state"]["waiting"].value("reason", "")
                                     : "";
      for (auto broken : kBroken) {
        if (reason == broken) {
          std::string message = c["state"]["waiting"].value("message", "");
          return Health{HealthStatus::Degraded,
                        "container " + c.value("name", "") + ": " + reason + (message.empty() ? "" : ": " + message)};
        }
      }
    }
  }
  return std::nullopt;
}

}  // namespace

Health pod(const Json& p) {
  const std::string phase = text(p, "status.phase");
  const std::string restart = text(p, "spec.restartPolicy");
  const std::string message = text(p, "status.message");
  if (phase == "Succeeded") return {HealthStatus::Healthy, message};
  if (phase == "Failed") return {HealthStatus::Degraded, message.empty() ? "pod failed" : message};
  if (auto broken = broken_container(p)) return *broken;
  if (phase == "Pending" || phase.empty()) return {HealthStatus::Progressing, message};
  if (phase == "Running") {
    // A run-to-completion pod is progressing until it succeeds; a server pod is healthy once Ready.
    if (restart == "Never" || restart == "OnFailure") return {HealthStatus::Progressing, message};
    if (condition_is(p, "Ready", "True")) return {HealthStatus::Healthy, message};
    return {HealthStatus::Progressing, message.empty() ? "pod is not ready" : message};
  }
  return {HealthStatus::Unknown, message};
}

}  // namespace gitmoor::differ::health
