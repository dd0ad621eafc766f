#include "gitmoor/differ/schema.hpp"

#include <algorithm>
#include <array>

namespace gitmoor::differ {

namespace {

bool contains(const std::vector<std::string_view>& path, std::string_view name) {
  return std::find(path.begin(), path.end(), name) != path.end();
}

bool in_container(const std::vector<std::string_view>& path) {
  return contains(path, "containers") || contains(path, "initContainers") || contains(path, "ephemeralContainers");
}

std::vector<std::string_view> views(const std::vector<std::string>& path) {
  return {path.begin(), path.end()};
}

// Shared constants: the walk asks for a schema at every list, so nothing is built per call.
const ListSchema kAtomic{};
const ListSchema kSet{ListType::Set, {}};
const ListSchema kByName{ListType::Map, {"name"}};
const ListSchema kByUid{ListType::Map, {"uid"}};
const ListSchema kByMountPath{ListType::Map, {"mountPath"}};
const ListSchema kByDevicePath{ListType::Map, {"devicePath"}};
const ListSchema kByIp{ListType::Map, {"ip"}};
const ListSchema kBySpread{ListType::Map, {"topologyKey", "whenUnsatisfiable"}};
const ListSchema kContainerPorts{ListType::Map, {"containerPort", "protocol"}};
const ListSchema kServicePorts{ListType::Map, {"port", "protocol"}};

}  // namespace

ListSchema list_schema(const std::vector<std::string>& path, bool builtin) { return list_schema_at(views(path), builtin); }

const ListSchema& list_schema_at(const std::vector<std::string_view>& path, bool builtin) {
  if (path.empty()) return kAtomic;
  const std::string_view field = path.back();
  if (path.size() == 2 && path[0] == "metadata") {
    if (field == "ownerReferences") return kByUid;
    if (field == "finalizers") return kSet;
    return kAtomic;
  }
  if (!builtin) return kAtomic;
  if (field == "containers" || field == "initContainers" || field == "ephemeralContainers") return kByName;
  if (field == "env" || field == "imagePullSecrets" || field == "resourceClaims" || field == "schedulingGates") {
    return kByName;
  }
  if (field == "volumes") return kByName;
  if (field == "volumeMounts") return kByMountPath;
  if (field == "volumeDevices") return kByDevicePath;
  if (field == "hostAliases") return kByIp;
  if (field == "topologySpreadConstraints") return kBySpread;
  if (field == "finalizers") return kSet;
  // Mutating/ValidatingWebhookConfiguration webhooks (+listMapKey=name): cainjector's caBundle is its own.
  if (field == "webhooks" && path.size() == 1) return kByName;
  if (field == "ports") {
    if (in_container(path)) return kContainerPorts;
    // Service spec.ports; other `ports` lists (Ingress backends, NetworkPolicy) are atomic.
    if (path.size() == 2 && path[0] == "spec") return kServicePorts;
  }
  return kAtomic;
}

std::string_view list_key_default(std::string_view key_field) {
  // The API server defaults protocol before the key is computed, so `- containerPort: 80` is element
  // k:{"containerPort":80,"protocol":"TCP"}.
  if (key_field == "protocol") return "TCP";
  return "";
}

bool is_quantity_field(const std::vector<std::string>& path) { return is_quantity_at(views(path)); }

bool is_quantity_at(const std::vector<std::string_view>& path) {
  const std::size_t n = path.size();
  if (n < 2) return false;
  const std::string_view last = path[n - 1];
  const std::string_view parent = path[n - 2];
  // resources.limits.cpu, resources.requests.memory (containers, PVC spec), pod overhead, node-like capacity.
  if ((parent == "limits" || parent == "requests") && n >= 3 && path[n - 3] == "resources") return true;
  if (parent == "overhead" || parent == "capacity" || parent == "allocatable") return true;
  // ResourceQuota spec.hard / status.hard / status.used.
  if (parent == "hard" || parent == "used") return true;
  // LimitRange spec.limits[].{max,min,default,defaultRequest,maxLimitRequestRatio}.<resource>.
  static constexpr std::array kLimitRange{"max", "min", "default", "defaultRequest", "maxLimitRequestRatio"};
  if (n >= 3 && path[n - 3] == "limits" && std::find(kLimitRange.begin(), kLimitRange.end(), parent) != kLimitRange.end()) {
    return true;
  }
  // HPA autoscaling/v2 metric targets and autoscaling/v2beta targetAverageValue.
  if ((last == "averageValue" || last == "value") && (parent == "target" || parent == "current")) return true;
  if (last == "targetAverageValue" || last == "targetValue") return true;
  if (last == "sizeLimit") return true;  // emptyDir
  return false;
}

bool is_builtin_group(std::string_view group) {
  static constexpr std::array<std::string_view, 18> kGroups{
      "", "apps", "batch", "autoscaling", "policy", "networking.k8s.io", "rbac.authorization.k8s.io",
      "storage.k8s.io", "scheduling.k8s.io", "node.k8s.io", "discovery.k8s.io", "coordination.k8s.io",
      "admissionregistration.k8s.io", "apiextensions.k8s.io", "apiregistration.k8s.io", "certificates.k8s.io",
      "events.k8s.io", "flowcontrol.apiserver.k8s.io"};
  return std::find(kGroups.begin(), kGroups.end(), group) != kGroups.end();
}

bool is_cluster_scoped(std::string_view group, std::string_view kind) {
  struct Entry {
    std::string_view group, kind;
  };
  static constexpr std::array<Entry, 16> kKinds{{
      {"", "Namespace"}, {"", "Node"}, {"", "PersistentVolume"},
      {"rbac.authorization.k8s.io", "ClusterRole"}, {"rbac.authorization.k8s.io", "ClusterRoleBinding"},
      {"apiextensions.k8s.io", "CustomResourceDefinition"}, {"apiregistration.k8s.io", "APIService"},
      {"storage.k8s.io", "StorageClass"}, {"storage.k8s.io", "CSIDriver"}, {"storage.k8s.io", "VolumeAttachment"},
      {"scheduling.k8s.io", "PriorityClass"}, {"networking.k8s.io", "IngressClass"}, {"node.k8s.io", "RuntimeClass"},
      {"admissionregistration.k8s.io", "MutatingWebhookConfiguration"},
      {"admissionregistration.k8s.io", "ValidatingWebhookConfiguration"},
      {"certificates.k8s.io", "CertificateSigningRequest"},
  }};
  return std::any_of(kKinds.begin(), kKinds.end(),
                     [&](const Entry& e) { return e.group == group && e.kind == kind; });
}

}  // namespace gitmoor::differ
