#include "gitmoor/differ/health.hpp"

#include <array>
#include <functional>

#include "health_kinds.hpp"

namespace gitmoor::differ {

std::string_view to_string(HealthStatus status) {
  switch (status) {
    case HealthStatus::Healthy: return "Healthy";
    case HealthStatus::Suspended: return "Suspended";
    case HealthStatus::Progressing: return "Progressing";
    case HealthStatus::Missing: return "Missing";
    case HealthStatus::Degraded: return "Degraded";
    case HealthStatus::Unknown: return "Unknown";
  }
  return "Unknown";
}

std::optional<HealthStatus> parse_health_status(std::string_view text) {
  for (auto status : {HealthStatus::Healthy, HealthStatus::Suspended, HealthStatus::Progressing, HealthStatus::Missing,
                      HealthStatus::Degraded, HealthStatus::Unknown}) {
    if (to_string(status) == text) return status;
  }
  return std::nullopt;
}

bool is_worse(HealthStatus a, HealthStatus b) { return static_cast<int>(a) > static_cast<int>(b); }

namespace {

struct KindHealth {
  std::string_view group;
  std::string_view kind;
  Health (*assess)(const core::Json&);
};

// Which assessment applies to which kind; kinds not listed are Healthy when present.
constexpr std::array<KindHealth, 14> kKinds{{
    {"apps", "Deployment", health::deployment},
    {"apps", "StatefulSet", health::stateful_set},
    {"apps", "DaemonSet", health::daemon_set},
    {"apps", "ReplicaSet", health::replica_set},
    {"", "Pod", health::pod},
    {"", "PersistentVolumeClaim", health::persistent_volume_claim},
    {"", "Service", health::service},
    {"networking.k8s.io", "Ingress", health::ingress},
    {"batch", "Job", health::job},
    {"batch", "CronJob", health::cron_job},
    {"autoscaling", "HorizontalPodAutoscaler", health::horizontal_pod_autoscaler},
    {"", "Namespace", health::namespace_},
    {"apiextensions.k8s.io", "CustomResourceDefinition", health::custom_resource_definition},
    {"apiregistration.k8s.io", "APIService", health::api_service},
}};

}  // namespace

Health assess_health(const core::Object* live) {
  if (live == nullptr) return {HealthStatus::Missing, "not in the cluster"};
  if (live->metadata().contains("deletionTimestamp") && !live->metadata()["deletionTimestamp"].is_null()) {
    return {HealthStatus::Progressing, "being deleted"};
  }
  const auto gvk = live->gvk();
  for (const auto& entry : kKinds) {
    if (entry.group == gvk.group && entry.kind == gvk.kind) return entry.assess(live->json());
  }
  return {HealthStatus::Healthy, ""};
}

Health worst_health(const std::vector<Health>& healths) {
  Health worst;
  for (const auto& h : healths) {
    if (is_worse(h.status, worst.status)) worst = h;
  }
  return worst;
}

}  // namespace gitmoor::differ
