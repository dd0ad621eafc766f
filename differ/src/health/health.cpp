#include "gitmoor/differ/health.hpp"

#include "gitmoor/differ/health_lua.hpp"


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

// Which assessment applies to which kind; kinds not listed are read as kstatus reads them (health_generic.cpp).
constexpr KindHealth kKinds[] = {
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
    {"policy", "PodDisruptionBudget", health::pod_disruption_budget},
    {"cert-manager.io", "Certificate", health::certificate},
    {"cert-manager.io", "Issuer", health::issuer},
    {"cert-manager.io", "ClusterIssuer", health::issuer},
    {"argoproj.io", "Rollout", health::rollout},
    {"argoproj.io", "Workflow", health::workflow},
    {"argoproj.io", "Application", health::application},
    {"gitmoor.dev", "Application", health::application},
    {"external-secrets.io", "ExternalSecret", health::external_secret},
    {"external-secrets.io", "SecretStore", health::secret_store},
    {"external-secrets.io", "ClusterSecretStore", health::secret_store},
    {"keda.sh", "ScaledObject", health::scaled_object},
    {"gateway.networking.k8s.io", "Gateway", health::gateway},
    {"gateway.networking.k8s.io", "HTTPRoute", health::http_route},
    {"postgresql.cnpg.io", "Cluster", health::cnpg_cluster},
    {"monitoring.coreos.com", "Prometheus", health::prometheus},
    {"monitoring.coreos.com", "Alertmanager", health::prometheus},
    {"kustomize.toolkit.fluxcd.io", "Kustomization", health::flux},
    {"helm.toolkit.fluxcd.io", "HelmRelease", health::flux},
};

Health built_in(const core::Object& live) {
  const auto gvk = live.gvk();
  for (const auto& entry : kKinds) {
    if (entry.group == gvk.group && entry.kind == gvk.kind) return entry.assess(live.json());
  }
  return health::generic(live.json());
}

// Every health says why; a rule that has nothing to add gets the plain statement.
Health with_message(Health health, const core::Object& live) {
  if (health.message.empty()) {
    health.message = live.gvk().kind + " is " + health::lower(to_string(health.status));
  }
  return health;
}


}  // namespace

namespace {

std::optional<Health> before_rules(const core::Object* live) {
  if (live == nullptr) return Health{HealthStatus::Missing, "not in the cluster"};
  if (live->metadata().contains("deletionTimestamp") && !live->metadata()["deletionTimestamp"].is_null()) {
    return Health{HealthStatus::Progressing, "being deleted"};
  }
  return std::nullopt;
}

}  // namespace

Health assess_health(const core::Object* live) {
  if (auto h = before_rules(live)) return *h;
  return with_message(built_in(*live), *live);
}

Health assess_health(const core::Object* live, const LuaHealthRules& rules) {
  if (auto h = before_rules(live)) return *h;
  if (auto user = rules.assess(*live)) return with_message(std::move(*user), *live);
  return with_message(built_in(*live), *live);
}

Health worst_health(const std::vector<Health>& healths) {
  Health worst;
  for (const auto& h : healths) {
    if (is_worse(h.status, worst.status)) worst = h;
  }
  return worst;
}

}  // namespace gitmoor::differ
