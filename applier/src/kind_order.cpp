// The kind order table (Argo CD's kindOrder, which follows Helm's install order).
#include "gitmoor/applier/kind_order.hpp"

#include <array>
#include <charconv>

namespace gitmoor::applier {

namespace {

constexpr std::array<std::string_view, 36> kKindOrder = {
    "Namespace", "NetworkPolicy", "ResourceQuota", "LimitRange", "PodSecurityPolicy", "PodDisruptionBudget",
    "ServiceAccount", "Secret", "SecretList", "ConfigMap", "StorageClass", "PersistentVolume",
    "PersistentVolumeClaim", "CustomResourceDefinition", "ClusterRole", "ClusterRoleList", "ClusterRoleBinding",
    "ClusterRoleBindingList", "Role", "RoleList", "RoleBinding", "RoleBindingList", "Service", "DaemonSet", "Pod",
    "ReplicationController", "ReplicaSet", "Deployment", "HorizontalPodAutoscaler", "StatefulSet", "Job",
    "CronJob", "IngressClass", "Ingress", "APIService", "MutatingWebhookConfiguration"};

bool builtin_group(std::string_view group) {
  // Kinds from these groups are built-ins; a kind of the same name from another group is a custom resource.
  return group.empty() || group == "apps" || group == "batch" || group == "policy" || group == "autoscaling" ||
         group == "networking.k8s.io" || group == "rbac.authorization.k8s.io" || group == "storage.k8s.io" ||
         group == "apiextensions.k8s.io" || group == "apiregistration.k8s.io" ||
         group == "admissionregistration.k8s.io" || group == "extensions" || group == "coordination.k8s.io" ||
         group == "scheduling.k8s.io" || group == "discovery.k8s.io";
}

}  // namespace

int kind_rank(std::string_view group, std::string_view kind) {
  // CRDs go with Namespaces, ahead of everything that may be an instance of them.
  if (kind == "CustomResourceDefinition" && group == "apiextensions.k8s.io") return 1;
  if (builtin_group(group)) {
    for (std::size_t i = 0; i < kKindOrder.size(); ++i) {
      if (kKindOrder[i] == kind) return i == 0 ? 0 : static_cast<int>(i) + 1;
    }
    return static_cast<int>(kKindOrder.size()) + 1;  // other built-ins
  }
  return static_cast<int>(kKindOrder.size()) + 2;  // custom resources last
}

int sync_wave(const core::Object& object) {
  const auto wave = object.annotation("argocd.argoproj.io/sync-wave");
  if (!wave) return 0;
  int value = 0;
  const auto* begin = wave->data();
  const auto* end = begin + wave->size();
  if (begin != end && *begin == '+') ++begin;
  const auto [ptr, ec] = std::from_chars(begin, end, value);
  return ec == std::errc() && ptr == end ? value : 0;
}

bool is_hook(const core::Object& object) {
  return object.annotation("argocd.argoproj.io/hook").has_value() || object.annotation("helm.sh/hook").has_value();
}

}  // namespace gitmoor::applier
