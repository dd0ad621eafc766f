#include "registry.hpp"

#include <algorithm>

namespace gitmoor::sandbox {

bool ResourceType::serves(const std::string& version) const {
  return std::find(versions.begin(), versions.end(), version) != versions.end();
}

namespace {

struct Builtin {
  const char* group;
  const char* version;
  const char* plural;
  const char* singular;
  const char* kind;
  bool namespaced;
  std::vector<std::string> short_names;
  bool status;
  bool scale;
  bool generation;
  bool all_category;
};

const std::vector<Builtin>& builtins() {
  static const std::vector<Builtin> table = {
      {"", "v1", "namespaces", "namespace", "Namespace", false, {"ns"}, true, false, false, false},
      {"", "v1", "configmaps", "configmap", "ConfigMap", true, {"cm"}, false, false, false, false},
      {"", "v1", "secrets", "secret", "Secret", true, {}, false, false, false, false},
      {"", "v1", "services", "service", "Service", true, {"svc"}, true, false, false, true},
      {"", "v1", "serviceaccounts", "serviceaccount", "ServiceAccount", true, {"sa"}, false, false, false, false},
      {"", "v1", "pods", "pod", "Pod", true, {"po"}, true, false, true, true},
      {"", "v1", "endpoints", "endpoints", "Endpoints", true, {"ep"}, false, false, false, false},
      {"", "v1", "persistentvolumeclaims", "persistentvolumeclaim", "PersistentVolumeClaim", true, {"pvc"}, true,
       false, false, false},
      {"", "v1", "persistentvolumes", "persistentvolume", "PersistentVolume", false, {"pv"}, true, false, false,
       false},
      {"", "v1", "events", "event", "Event", true, {"ev"}, false, false, false, false},
      {"", "v1", "nodes", "node", "Node", false, {"no"}, true, false, false, false},
      {"", "v1", "resourcequotas", "resourcequota", "ResourceQuota", true, {"quota"}, true, false, false, false},
      {"", "v1", "limitranges", "limitrange", "LimitRange", true, {"limits"}, false, false, false, false},
      {"", "v1", "replicationcontrollers", "replicationcontroller", "ReplicationController", true, {"rc"}, true, true,
       true, true},
      {"apps", "v1", "deployments", "deployment", "Deployment", true, {"deploy"}, true, true, true, true},
      {"apps", "v1", "statefulsets", "statefulset", "StatefulSet", true, {"sts"}, true, true, true, true},
      {"apps", "v1", "daemonsets", "daemonset", "DaemonSet", true, {"ds"}, true, false, true, true},
      {"apps", "v1", "replicasets", "replicaset", "ReplicaSet", true, {"rs"}, true, true, true, true},
      {"apps", "v1", "controllerrevisions", "controllerrevision", "ControllerRevision", true, {}, false, false, false,
       false},
      {"batch", "v1", "jobs", "job", "Job", true, {}, true, false, true, true},
      {"batch", "v1", "cronjobs", "cronjob", "CronJob", true, {"cj"}, true, false, true, true},
      {"autoscaling", "v2", "horizontalpodautoscalers", "horizontalpodautoscaler", "HorizontalPodAutoscaler", true,
       {"hpa"}, true, false, true, true},
      {"networking.k8s.io", "v1", "ingresses", "ingress", "Ingress", true, {"ing"}, true, false, true, false},
      {"networking.k8s.io", "v1", "networkpolicies", "networkpolicy", "NetworkPolicy", true, {"netpol"}, false, false,
       true, false},
      {"networking.k8s.io", "v1", "ingressclasses", "ingressclass", "IngressClass", false, {}, false, false, false,
       false},
      {"rbac.authorization.k8s.io", "v1", "roles", "role", "Role", true, {}, false, false, false, false},
      {"rbac.authorization.k8s.io", "v1", "rolebindings", "rolebinding", "RoleBinding", true, {}, false, false, false,
       false},
      {"rbac.authorization.k8s.io", "v1", "clusterroles", "clusterrole", "ClusterRole", false, {}, false, false,
       false, false},
      {"rbac.authorization.k8s.io", "v1", "clusterrolebindings", "clusterrolebinding", "ClusterRoleBinding", false,
       {}, false, false, false, false},
      {"policy", "v1", "poddisruptionbudgets", "poddisruptionbudget", "PodDisruptionBudget", true, {"pdb"}, true,
       false, true, false},
      {"coordination.k8s.io", "v1", "leases", "lease", "Lease", true, {}, false, false, false, false},
      {"storage.k8s.io", "v1", "storageclasses", "storageclass", "StorageClass", false, {"sc"}, false, false, false,
       false},
      {"scheduling.k8s.io", "v1", "priorityclasses", "priorityclass", "PriorityClass", false, {"pc"}, false, false,
       false, false},
      {"admissionregistration.k8s.io", "v1", "mutatingwebhookconfigurations", "mutatingwebhookconfiguration",
       "MutatingWebhookConfiguration", false, {}, false, false, true, false},
      {"admissionregistration.k8s.io", "v1", "validatingwebhookconfigurations", "validatingwebhookconfiguration",
       "ValidatingWebhookConfiguration", false, {}, false, false, true, false},
      {"apiregistration.k8s.io", "v1", "apiservices", "apiservice", "APIService", false, {}, true, false, false,
       false},
      {"discovery.k8s.io", "v1", "endpointslices", "endpointslice", "EndpointSlice", true, {}, false, false, false,
       false},
      {"node.k8s.io", "v1", "runtimeclasses", "runtimeclass", "RuntimeClass", false, {}, false, false, false, false},
      {"storage.k8s.io", "v1", "csidrivers", "csidriver", "CSIDriver", false, {}, false, false, false, false},
      {"apiextensions.k8s.io", "v1", "customresourcedefinitions", "customresourcedefinition",
       "CustomResourceDefinition", false, {"crd", "crds"}, true, false, true, false},
  };
  return table;
}

const std::vector<std::string> kVerbs = {"create", "delete", "deletecollection", "get",
                                         "list",   "patch",  "update",           "watch"};

}  // namespace

Registry::Registry() {
  for (const auto& b : builtins()) {
    ResourceType t;
    t.group = b.group;
    t.versions = {b.version};
    t.plural = b.plural;
    t.singular = b.singular;
    t.kind = b.kind;
    t.namespaced = b.namespaced;
    t.short_names = b.short_names;
    t.status_subresource = b.status;
    t.scale_subresource = b.scale;
    t.has_generation = b.generation;
    if (b.all_category) t.categories = {"all"};
    put(std::move(t));
  }
}

const ResourceType* Registry::find(const std::string& group, const std::string& version,
                                   const std::string& plural) const {
  auto it = types_.find(group.empty() ? plural : plural + "." + group);
  if (it == types_.end() || !it->second.serves(version)) return nullptr;
  return &it->second;
}

const ResourceType* Registry::find_by_id(const std::string& id) const {
  auto it = types_.find(id);
  return it == types_.end() ? nullptr : &it->second;
}

const ResourceType* Registry::find_kind(const std::string& group, const std::string& kind) const {
  for (const auto& [id, t] : types_) {
    if (t.group == group && t.kind == kind) return &t;
  }
  return nullptr;
}

void Registry::put(ResourceType type) {
  if (std::find(group_order_.begin(), group_order_.end(), type.group) == group_order_.end()) {
    group_order_.push_back(type.group);
  }
  auto id = type.id();
  types_[id] = std::move(type);
}

void Registry::remove(const std::string& id) {
  auto it = types_.find(id);
  if (it == types_.end()) return;
  std::string group = it->second.group;
  types_.erase(it);
  bool group_left = std::any_of(types_.begin(), types_.end(), [&](const auto& e) { return e.second.group == group; });
  if (!group_left) group_order_.erase(std::remove(group_order_.begin(), group_order_.end(), group), group_order_.end());
}

Json Registry::api_versions() const {
  return {{"kind", "APIVersions"},
          {"versions", {"v1"}},
          {"serverAddressByClientCIDRs", {{{"clientCIDR", "0.0.0.0/0"}, {"serverAddress", "127.0.0.1:6443"}}}}};
}

std::optional<Json> Registry::api_group(const std::string& group) const {
  std::vector<std::string> versions;
  for (const auto& [id, t] : types_) {
    if (t.group != group) continue;
    for (const auto& v : t.versions) {
      if (std::find(versions.begin(), versions.end(), v) == versions.end()) versions.push_back(v);
    }
  }
  if (versions.empty() || group.empty()) return std::nullopt;
  // The preferred version is the first version of the group's first type (CRDs list theirs in order).
  Json g{{"kind", "APIGroup"}, {"apiVersion", "v1"}, {"name", group}, {"versions", Json::array()}};
  for (const auto& v : versions) g["versions"].push_back({{"groupVersion", group + "/" + v}, {"version", v}});
  g["preferredVersion"] = g["versions"][0];
  return g;
}

Json Registry::api_group_list() const {
  Json list{{"kind", "APIGroupList"}, {"apiVersion", "v1"}, {"groups", Json::array()}};
  for (const auto& group : group_order_) {
    if (group.empty()) continue;
    if (auto g = api_group(group)) {
      g->erase("kind");
      g->erase("apiVersion");
      list["groups"].push_back(*g);
    }
  }
  return list;
}

std::optional<Json> Registry::resource_list(const std::string& group, const std::string& version) const {
  Json resources = Json::array();
  bool any = false;
  for (const auto& [id, t] : types_) {
    if (t.group != group || !t.serves(version)) continue;
    any = true;
    Json r{{"name", t.plural},
           {"singularName", t.singular},
           {"namespaced", t.namespaced},
           {"kind", t.kind},
           {"verbs", t.verbs.empty() ? kVerbs : t.verbs}};
    if (!t.short_names.empty()) r["shortNames"] = t.short_names;
    if (!t.categories.empty()) r["categories"] = t.categories;
    resources.push_back(r);
    if (t.status_subresource) {
      resources.push_back({{"name", t.plural + "/status"},
                           {"singularName", ""},
                           {"namespaced", t.namespaced},
                           {"kind", t.kind},
                           {"verbs", {"get", "patch", "update"}}});
    }
    if (t.scale_subresource) {
      resources.push_back({{"name", t.plural + "/scale"},
                           {"singularName", ""},
                           {"namespaced", t.namespaced},
                           {"group", "autoscaling"},
                           {"version", "v1"},
                           {"kind", "Scale"},
                           {"verbs", {"get", "patch", "update"}}});
    }
  }
  if (!any) return std::nullopt;
  return Json{{"kind", "APIResourceList"},
              {"apiVersion", "v1"},
              {"groupVersion", group.empty() ? version : group + "/" + version},
              {"resources", resources}};
}

std::vector<const ResourceType*> Registry::all() const {
  std::vector<const ResourceType*> out;
  for (const auto& [id, t] : types_) out.push_back(&t);
  return out;
}

}  // namespace gitmoor::sandbox
