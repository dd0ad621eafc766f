// The default ClusterRoles and ClusterRoleBindings every kube-apiserver creates (plugin/pkg/auth/authorizer/rbac/
// bootstrappolicy/policy.go), those that matter to a client: cluster-admin, the aggregated admin/edit/view with the
// system:aggregate-to-* roles that feed them, and what any authenticated identity needs for discovery and
// self-reviews.
#include <string>
#include <vector>

#include "authorization.hpp"
#include "cluster.hpp"

namespace gitmoor::sandbox {

namespace {

using Strings = std::vector<std::string>;

const Strings kRead = {"get", "list", "watch"};
const Strings kWrite = {"create", "delete", "deletecollection", "patch", "update"};
const Strings kReadWrite = {"get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"};

Json rule(const Strings& verbs, const Strings& groups, const Strings& resources) {
  return {{"verbs", verbs}, {"apiGroups", groups}, {"resources", resources}};
}

Json url_rule(const Strings& verbs, const Strings& urls) { return {{"verbs", verbs}, {"nonResourceURLs", urls}}; }

Json labels(const std::string& aggregate_to = "") {
  Json l{{"kubernetes.io/bootstrapping", "rbac-defaults"}};
  if (!aggregate_to.empty()) l["rbac.authorization.k8s.io/aggregate-to-" + aggregate_to] = "true";
  return l;
}

Json cluster_role(const std::string& name, Json labels, Json rules, const std::string& aggregated_from = "") {
  Json role{{"apiVersion", "rbac.authorization.k8s.io/v1"},
            {"kind", "ClusterRole"},
            {"metadata",
             {{"name", name},
              {"labels", std::move(labels)},
              {"annotations", {{"rbac.authorization.kubernetes.io/autoupdate", "true"}}}}},
            {"rules", std::move(rules)}};
  if (!aggregated_from.empty()) {
    role["aggregationRule"] = {
        {"clusterRoleSelectors",
         {{{"matchLabels", {{"rbac.authorization.k8s.io/aggregate-to-" + aggregated_from, "true"}}}}}}};
  }
  return role;
}

Json cluster_role_binding(const std::string& name, const std::string& role, const Strings& groups) {
  Json subjects = Json::array();
  for (const auto& g : groups) {
    subjects.push_back({{"apiGroup", "rbac.authorization.k8s.io"}, {"kind", "Group"}, {"name", g}});
  }
  return {{"apiVersion", "rbac.authorization.k8s.io/v1"},
          {"kind", "ClusterRoleBinding"},
          {"metadata",
           {{"name", name},
            {"labels", labels()},
            {"annotations", {{"rbac.authorization.kubernetes.io/autoupdate", "true"}}}}},
          {"roleRef", {{"apiGroup", "rbac.authorization.k8s.io"}, {"kind", "ClusterRole"}, {"name", role}}},
          {"subjects", subjects}};
}

std::vector<Json> cluster_roles() {
  const Strings health = {"/livez", "/readyz", "/healthz", "/version", "/version/"};
  Strings discovery = health;
  for (const char* u : {"/api", "/api/*", "/apis", "/apis/*", "/openapi", "/openapi/*"}) discovery.push_back(u);
  return {
      cluster_role("cluster-admin", labels(), {rule({"*"}, {"*"}, {"*"}), url_rule({"*"}, {"*"})}),
      cluster_role("admin", labels(), Json::array(), "admin"),
      cluster_role("edit", labels("admin"), Json::array(), "edit"),
      cluster_role("view", labels("edit"), Json::array(), "view"),
      cluster_role("system:aggregate-to-admin", labels("admin"),
                   {rule({"create"}, {"authorization.k8s.io"}, {"localsubjectaccessreviews"}),
                    rule(kReadWrite, {"rbac.authorization.k8s.io"}, {"roles", "rolebindings"})}),
      cluster_role("system:aggregate-to-edit", labels("edit"),
                   {rule(kRead, {""},
                         {"pods/attach", "pods/proxy", "pods/exec", "pods/portforward", "secrets", "services/proxy"}),
                    rule({"impersonate"}, {""}, {"serviceaccounts"}),
                    rule(kWrite, {""}, {"pods", "pods/attach", "pods/proxy", "pods/exec", "pods/portforward"}),
                    rule({"create"}, {""}, {"pods/eviction"}),
                    rule(kWrite, {""},
                         {"replicationcontrollers", "replicationcontrollers/scale", "serviceaccounts", "services",
                          "services/proxy", "persistentvolumeclaims", "configmaps", "secrets", "events"}),
                    rule({"create"}, {""}, {"serviceaccounts/token"}),
                    rule(kWrite, {"apps"},
                         {"statefulsets", "statefulsets/scale", "daemonsets", "deployments", "deployments/scale",
                          "deployments/rollback", "replicasets", "replicasets/scale"}),
                    rule(kWrite, {"autoscaling"}, {"horizontalpodautoscalers"}),
                    rule(kWrite, {"batch"}, {"jobs", "cronjobs"}), rule(kWrite, {"policy"}, {"poddisruptionbudgets"}),
                    rule(kWrite, {"networking.k8s.io"}, {"networkpolicies", "ingresses"}),
                    rule(kReadWrite, {"coordination.k8s.io"}, {"leases"})}),
      cluster_role("system:aggregate-to-view", labels("view"),
                   {rule(kRead, {""},
                         {"pods", "replicationcontrollers", "replicationcontrollers/scale", "serviceaccounts",
                          "services", "services/status", "endpoints", "persistentvolumeclaims",
                          "persistentvolumeclaims/status", "configmaps"}),
                    rule(kRead, {""},
                         {"limitranges", "resourcequotas", "bindings", "events", "pods/status", "resourcequotas/status",
                          "namespaces/status", "replicationcontrollers/status", "pods/log"}),
                    rule(kRead, {""}, {"namespaces"}), rule(kRead, {"discovery.k8s.io"}, {"endpointslices"}),
                    rule(kRead, {"apps"},
                         {"controllerrevisions", "statefulsets", "statefulsets/scale", "statefulsets/status",
                          "daemonsets", "daemonsets/status", "deployments", "deployments/scale", "deployments/status",
                          "replicasets", "replicasets/scale", "replicasets/status"}),
                    rule(kRead, {"autoscaling"}, {"horizontalpodautoscalers", "horizontalpodautoscalers/status"}),
                    rule(kRead, {"batch"}, {"jobs", "cronjobs", "cronjobs/status", "jobs/status"}),
                    rule(kRead, {"policy"}, {"poddisruptionbudgets", "poddisruptionbudgets/status"}),
                    rule(kRead, {"networking.k8s.io"}, {"networkpolicies", "ingresses", "ingresses/status"})}),
      cluster_role("system:discovery", labels(), {url_rule({"get"}, discovery)}),
      cluster_role("system:public-info-viewer", labels(), {url_rule({"get"}, health)}),
      cluster_role("system:basic-user", labels(),
                   {rule({"create"}, {"authorization.k8s.io"}, {"selfsubjectaccessreviews", "selfsubjectrulesreviews"}),
                    rule({"create"}, {"authentication.k8s.io"}, {"selfsubjectreviews"})}),
  };
}

}  // namespace

void create_bootstrap_policy(Cluster& cluster) {
  const ResourceType* roles = cluster.registry.find_by_id("clusterroles.rbac.authorization.k8s.io");
  const ResourceType* bindings = cluster.registry.find_by_id("clusterrolebindings.rbac.authorization.k8s.io");
  if (!roles || !bindings) return;
  WriteOptions write{.manager = "kube-apiserver", .api_version = "rbac.authorization.k8s.io/v1"};
  for (auto& role : cluster_roles()) cluster.create(*roles, "", std::move(role), write);
  for (auto binding : {cluster_role_binding("cluster-admin", "cluster-admin", {"system:masters"}),
                       cluster_role_binding("system:discovery", "system:discovery", {"system:authenticated"}),
                       cluster_role_binding("system:basic-user", "system:basic-user", {"system:authenticated"}),
                       cluster_role_binding("system:public-info-viewer", "system:public-info-viewer",
                                            {"system:authenticated", "system:unauthenticated"})}) {
    cluster.create(*bindings, "", std::move(binding), write);
  }
  // A round per link: admin takes edit's rules once edit has view's.
  for (int round = 0; round < 8 && aggregate_cluster_roles(cluster); ++round) {
  }
}

}  // namespace gitmoor::sandbox
