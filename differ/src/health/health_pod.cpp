#include <array>

#include "health_kinds.hpp"

namespace gitmoor::differ::health {

namespace {

// Waiting reasons that mean the container will not start by itself (Argo CD reads Err*, *Error and *BackOff alike).
bool broken_reason(std::string_view reason) {
  constexpr std::array<std::string_view, 2> kSuffixes{"Error", "BackOff"};
  if (reason.rfind("Err", 0) == 0 || reason == "InvalidImageName") return true;
  for (auto suffix : kSuffixes) {
    if (reason.size() >= suffix.size() && reason.substr(reason.size() - suffix.size()) == suffix) return true;
  }
  return false;
}

template <typename Visit>
std::optional<Health> each_container(const Json& pod, Visit visit) {
  for (const char* field : {"initContainerStatuses", "containerStatuses"}) {
    const Json* list = at(pod, std::string("status.") + field);
    if (list == nullptr || !list->is_array()) continue;
    for (const auto& c : *list) {
      if (!c.is_object()) continue;
      if (auto found = visit(c)) return found;
    }
  }
  return std::nullopt;
}

std::optional<Health> broken_container(const Json& pod) {
  return each_container(pod, [](const Json& c) -> std::optional<Health> {
    const Json* waiting = at(c, "state.waiting");
    const std::string reason = waiting != nullptr ? waiting->value("reason", "") : "";
    if (reason.empty() || !broken_reason(reason)) return std::nullopt;
    const std::string message = waiting->value("message", "");
    return Health{HealthStatus::Degraded,
                  "container " + c.value("name", "") + ": " + reason + (message.empty() ? "" : ": " + message)};
  });
}

// A container that exited with an error, now or before its restart: why a server pod is not ready.
std::optional<Health> failed_container(const Json& pod) {
  return each_container(pod, [](const Json& c) -> std::optional<Health> {
    for (const char* state : {"state.terminated", "lastState.terminated"}) {
      const Json* t = at(c, state);
      if (t == nullptr || !t->is_object()) continue;
      const auto code = t->value("exitCode", 0);
      const std::string reason = t->value("reason", "");
      if (code == 0 && reason != "Error") continue;
      const std::string message = t->value("message", "");
      return Health{HealthStatus::Degraded, "container " + c.value("name", "") + " exited with code " +
                                                std::to_string(code) + (reason.empty() ? "" : " (" + reason + ")") +
                                                (message.empty() ? "" : ": " + message)};
    }
    return std::nullopt;
  });
}

}  // namespace

Health pod(const Json& p) {
  const std::string phase = text(p, "status.phase");
  const std::string restart = text(p, "spec.restartPolicy");
  const std::string message = text(p, "status.message");
  // Never/OnFailure pods run to completion (hooks among them): a crash or pull back-off may still resolve, and
  // failing the hook early would run it again after the sync. Only phase Failed counts for them.
  const bool runs_to_completion = restart == "Never" || restart == "OnFailure";
  if (phase == "Succeeded") return {HealthStatus::Healthy, message.empty() ? "pod completed" : message};
  if (phase == "Failed") return {HealthStatus::Degraded, message.empty() ? "pod failed" : message};
  if (!runs_to_completion) {
    if (auto broken = broken_container(p)) return *broken;
  }
  if (phase == "Pending" || phase.empty()) {
    return {HealthStatus::Progressing, message.empty() ? "pod is pending" : message};
  }
  if (phase == "Running") {
    if (runs_to_completion) return {HealthStatus::Progressing, message.empty() ? "pod is running" : message};
    if (condition_is(p, "Ready", "True")) return {HealthStatus::Healthy, message.empty() ? "pod is ready" : message};
    if (auto failed = failed_container(p)) return *failed;
    return {HealthStatus::Progressing, message.empty() ? "pod is not ready" : message};
  }
  return {HealthStatus::Unknown, message.empty() ? "pod phase " + phase : message};
}

}  // namespace gitmoor::differ::health
