// The RBAC authorizer as pure functions: request attributes as kube derives them, rule matching (verbs, groups,
// resources and subresources, resourceNames, nonResourceURLs), subjects, RoleBinding-to-ClusterRole scoping, and
// the Forbidden messages in kube's words.
#include <catch2/catch.hpp>

#include "authorization.hpp"

using gitmoor::sandbox::Attributes;
using gitmoor::sandbox::PolicyRule;
using gitmoor::sandbox::RbacPolicy;
using gitmoor::sandbox::request_attributes;
using gitmoor::sandbox::UserInfo;
using Json = nlohmann::json;

namespace {

Attributes attrs(const std::string& method, const std::string& path, std::map<std::string, std::string> query = {}) {
  return request_attributes(method, path, query);
}

UserInfo service_account(const std::string& ns, const std::string& name) {
  return {"system:serviceaccount:" + ns + ":" + name,
          {"system:serviceaccounts", "system:serviceaccounts:" + ns, "system:authenticated"},
          "",
          {}};
}

Attributes as(UserInfo user, Attributes a) {
  a.user = std::move(user);
  return a;
}

Json role(const std::string& kind, const std::string& ns, const std::string& name, Json rules) {
  Json r{{"kind", kind}, {"metadata", {{"name", name}}}, {"rules", std::move(rules)}};
  if (!ns.empty()) r["metadata"]["namespace"] = ns;
  return r;
}

Json binding(const std::string& ns, const std::string& name, const std::string& role_kind,
             const std::string& role_name, Json subjects) {
  Json b{{"metadata", {{"name", name}}},
         {"roleRef", {{"apiGroup", "rbac.authorization.k8s.io"}, {"kind", role_kind}, {"name", role_name}}},
         {"subjects", std::move(subjects)}};
  if (!ns.empty()) b["metadata"]["namespace"] = ns;
  return b;
}

}  // namespace

TEST_CASE("request attributes: verbs, namespaces, names and subresources as kube's RequestInfoFactory",
          "[sandbox][rbac]") {
  auto a = attrs("PATCH", "/apis/apps/v1/namespaces/game/deployments/web/scale");
  CHECK(a.resource_request);
  CHECK(a.verb == "patch");
  CHECK(a.api_group == "apps");
  CHECK(a.api_version == "v1");
  CHECK(a.ns == "game");
  CHECK(a.resource == "deployments");
  CHECK(a.name == "web");
  CHECK(a.subresource == "scale");

  CHECK(attrs("GET", "/api/v1/namespaces/game/pods").verb == "list");
  CHECK(attrs("GET", "/api/v1/pods", {{"watch", "true"}}).verb == "watch");
  CHECK(attrs("GET", "/api/v1/watch/namespaces/game/pods").verb == "watch");
  CHECK(attrs("POST", "/api/v1/namespaces/game/configmaps").verb == "create");
  CHECK(attrs("PUT", "/api/v1/namespaces/game/configmaps/c").verb == "update");
  CHECK(attrs("DELETE", "/api/v1/namespaces/game/configmaps/c").verb == "delete");
  CHECK(attrs("DELETE", "/api/v1/namespaces/game/configmaps").verb == "deletecollection");
  auto logs = attrs("GET", "/api/v1/namespaces/game/pods/web-0/log");
  CHECK((logs.verb == "get" && logs.resource == "pods" && logs.subresource == "log"));
  // A Namespace is its own namespace; namespaces/NS/status is the Namespace's subresource.
  auto ns = attrs("GET", "/api/v1/namespaces/game");
  CHECK((ns.resource == "namespaces" && ns.name == "game" && ns.ns == "game" && ns.verb == "get"));
  auto status = attrs("PUT", "/api/v1/namespaces/game/status");
  CHECK((status.resource == "namespaces" && status.name == "game" && status.subresource == "status"));
  // kubectl get -w NAME lists with a field selector: the name counts.
  auto watch_one = attrs("GET", "/api/v1/namespaces/game/configmaps",
                         {{"watch", "true"}, {"fieldSelector", "metadata.name=c"}});
  CHECK((watch_one.verb == "watch" && watch_one.name == "c"));
  CHECK(attrs("GET", "/apis/rbac.authorization.k8s.io/v1/clusterroles/view").ns.empty());

  for (const char* path : {"/healthz", "/api", "/api/v1", "/apis", "/apis/apps", "/apis/apps/v1", "/version",
                           "/openapi/v2"}) {
    auto n = attrs("GET", path);
    INFO(path);
    CHECK_FALSE(n.resource_request);
    CHECK(n.verb == "get");
    CHECK(n.path == path);
  }
  CHECK(attrs("POST", "/sandbox/faults").verb == "post");
}

TEST_CASE("rules: verbs, API groups, resources, */subresource, resourceNames, nonResourceURLs", "[sandbox][rbac]") {
  PolicyRule deployments = PolicyRule::from_json(
      {{"verbs", {"get", "patch"}}, {"apiGroups", {"apps"}}, {"resources", {"deployments", "deployments/scale"}}});
  UserInfo u{"u", {}, "", {}};
  CHECK(rule_allows(as(u, attrs("PATCH", "/apis/apps/v1/namespaces/g/deployments/web")), deployments));
  CHECK(rule_allows(as(u, attrs("GET", "/apis/apps/v1/namespaces/g/deployments/web/scale")), deployments));
  CHECK_FALSE(rule_allows(as(u, attrs("PUT", "/apis/apps/v1/namespaces/g/deployments/web")), deployments));
  CHECK_FALSE(rule_allows(as(u, attrs("GET", "/apis/apps/v1/namespaces/g/deployments/web/status")), deployments));
  CHECK_FALSE(rule_allows(as(u, attrs("GET", "/apis/extensions/v1beta1/namespaces/g/deployments/web")), deployments));
  // "deployments" does not cover the scale subresource; "*/scale" covers every kind's.
  PolicyRule only = PolicyRule::from_json({{"verbs", {"*"}}, {"apiGroups", {"*"}}, {"resources", {"deployments"}}});
  CHECK_FALSE(rule_allows(as(u, attrs("GET", "/apis/apps/v1/namespaces/g/deployments/web/scale")), only));
  PolicyRule scale = PolicyRule::from_json({{"verbs", {"get"}}, {"apiGroups", {"*"}}, {"resources", {"*/scale"}}});
  CHECK(rule_allows(as(u, attrs("GET", "/apis/apps/v1/namespaces/g/statefulsets/db/scale")), scale));
  CHECK_FALSE(rule_allows(as(u, attrs("GET", "/apis/apps/v1/namespaces/g/statefulsets/db")), scale));
  PolicyRule logs = PolicyRule::from_json({{"verbs", {"get"}}, {"apiGroups", {""}}, {"resources", {"pods/log"}}});
  CHECK(rule_allows(as(u, attrs("GET", "/api/v1/namespaces/g/pods/p/log")), logs));
  CHECK_FALSE(rule_allows(as(u, attrs("GET", "/api/v1/namespaces/g/pods/p")), logs));
  // resourceNames restrict to those names: a list (no name) is not covered.
  PolicyRule named = PolicyRule::from_json(
      {{"verbs", {"get", "list"}}, {"apiGroups", {""}}, {"resources", {"configmaps"}}, {"resourceNames", {"app"}}});
  CHECK(rule_allows(as(u, attrs("GET", "/api/v1/namespaces/g/configmaps/app")), named));
  CHECK_FALSE(rule_allows(as(u, attrs("GET", "/api/v1/namespaces/g/configmaps/other")), named));
  CHECK_FALSE(rule_allows(as(u, attrs("GET", "/api/v1/namespaces/g/configmaps")), named));
  PolicyRule special = PolicyRule::from_json(
      {{"verbs", {"impersonate", "bind", "escalate"}}, {"apiGroups", {"", "rbac.authorization.k8s.io"}},
       {"resources", {"users", "clusterroles"}}});
  Attributes imp;
  imp.user = u;
  imp.resource_request = true;
  imp.verb = "impersonate";
  imp.resource = "users";
  imp.name = "bob";
  CHECK(rule_allows(imp, special));
  imp.verb = "get";
  CHECK_FALSE(rule_allows(imp, special));
  // nonResourceURLs: exact, or a prefix ending in *.
  PolicyRule urls = PolicyRule::from_json({{"verbs", {"get"}}, {"nonResourceURLs", {"/healthz", "/api/*"}}});
  CHECK(rule_allows(as(u, attrs("GET", "/healthz")), urls));
  CHECK(rule_allows(as(u, attrs("GET", "/api/v1")), urls));
  CHECK_FALSE(rule_allows(as(u, attrs("GET", "/api")), urls));
  CHECK_FALSE(rule_allows(as(u, attrs("GET", "/version")), urls));
  CHECK_FALSE(rule_allows(as(u, attrs("POST", "/healthz")), urls));
  // A resource rule never allows a path, nor a path rule a resource.
  CHECK_FALSE(rule_allows(as(u, attrs("GET", "/api/v1/namespaces/g/pods")), urls));
}

TEST_CASE("bindings: users, groups, ServiceAccounts, and a RoleBinding to a ClusterRole grants in its namespace only",
          "[sandbox][rbac]") {
  RbacPolicy policy;
  policy.add_cluster_role(
      role("ClusterRole", "", "deployer",
           {{{"verbs", {"get", "patch"}}, {"apiGroups", {"apps"}}, {"resources", {"deployments"}}}}));
  policy.add_cluster_role(role("ClusterRole", "", "node-reader",
                               {{{"verbs", {"list"}}, {"apiGroups", {""}}, {"resources", {"nodes"}}}}));
  policy.add_role(
      role("Role", "game", "cm", {{{"verbs", {"get"}}, {"apiGroups", {""}}, {"resources", {"configmaps"}}}}));
  // The ServiceAccount subject without a namespace defaults to the RoleBinding's.
  policy.add_role_binding(binding("game", "deploy", "ClusterRole", "deployer",
                                  {{{"kind", "ServiceAccount"}, {"name", "gitmoor"}}}));
  policy.add_role_binding(binding("game", "cm", "Role", "cm", {{{"kind", "Group"}, {"name", "devs"}}}));
  policy.add_cluster_role_binding(
      binding("", "nodes", "ClusterRole", "node-reader",
              {{{"kind", "User"}, {"name", "alice"}, {"apiGroup", "rbac.authorization.k8s.io"}}}));
  policy.add_role_binding(binding("game", "ghost", "Role", "missing", {{{"kind", "User"}, {"name", "carol"}}}));

  auto sa = service_account("gitmoor", "gitmoor");
  auto game_sa = service_account("game", "gitmoor");
  CHECK(policy.authorize(as(game_sa, attrs("PATCH", "/apis/apps/v1/namespaces/game/deployments/web"))).allowed);
  CHECK_FALSE(policy.authorize(as(game_sa, attrs("PATCH", "/apis/apps/v1/namespaces/other/deployments/web"))).allowed);
  CHECK_FALSE(policy.authorize(as(game_sa, attrs("GET", "/apis/apps/v1/deployments"))).allowed);  // cluster-wide
  CHECK_FALSE(policy.authorize(as(sa, attrs("PATCH", "/apis/apps/v1/namespaces/game/deployments/web"))).allowed);

  UserInfo dev{"dan", {"devs", "system:authenticated"}, "", {}};
  CHECK(policy.authorize(as(dev, attrs("GET", "/api/v1/namespaces/game/configmaps/c"))).allowed);
  CHECK_FALSE(policy.authorize(as(dev, attrs("GET", "/api/v1/namespaces/game/secrets/s"))).allowed);
  UserInfo alice{"alice", {"system:authenticated"}, "", {}};
  auto d = policy.authorize(as(alice, attrs("GET", "/api/v1/nodes")));
  CHECK(d.allowed);
  CHECK(d.reason == R"(RBAC: allowed by ClusterRoleBinding "nodes" of ClusterRole "node-reader" to User "alice")");
  // A binding to a role that does not exist says so in the reason.
  UserInfo carol{"carol", {}, "", {}};
  auto missing = policy.authorize(as(carol, attrs("GET", "/api/v1/namespaces/game/pods")));
  CHECK_FALSE(missing.allowed);
  CHECK(missing.reason == R"(RBAC: role.rbac.authorization.k8s.io "missing" not found)");

  std::vector<std::string> errors;
  auto rules = policy.rules_for(game_sa, "game", errors);
  REQUIRE(rules.size() == 1);
  CHECK(rules[0].resources == std::vector<std::string>{"deployments"});
  CHECK(policy.rules_for(game_sa, "other", errors).empty());
}

TEST_CASE("Forbidden messages in kube's words", "[sandbox][rbac]") {
  auto sa = service_account("gitmoor", "gitmoor");
  auto e = gitmoor::sandbox::forbidden(as(sa, attrs("PATCH", "/apis/apps/v1/namespaces/game/deployments")));
  CHECK(e.code() == 403);
  CHECK(e.status()["reason"] == "Forbidden");
  CHECK(e.status()["message"] ==
        R"(deployments.apps is forbidden: User "system:serviceaccount:gitmoor:gitmoor" cannot patch resource )"
        R"("deployments" in API group "apps" in the namespace "game")");
  CHECK(e.status()["details"] == Json{{"group", "apps"}, {"kind", "deployments"}});

  auto named = gitmoor::sandbox::forbidden(as(sa, attrs("GET", "/apis/apps/v1/namespaces/game/deployments/web/scale")));
  CHECK(named.status()["message"] ==
        R"(deployments.apps "web" is forbidden: User "system:serviceaccount:gitmoor:gitmoor" cannot get resource )"
        R"("deployments/scale" in API group "apps" in the namespace "game")");
  CHECK(named.status()["details"] == Json{{"group", "apps"}, {"kind", "deployments"}, {"name", "web"}});

  auto cluster = gitmoor::sandbox::forbidden(as(sa, attrs("GET", "/api/v1/nodes")));
  CHECK(cluster.status()["message"] ==
        R"(nodes is forbidden: User "system:serviceaccount:gitmoor:gitmoor" cannot list resource "nodes" in API )"
        R"(group "" at the cluster scope)");

  UserInfo x{"x", {}, "", {}};
  auto path = gitmoor::sandbox::forbidden(as(x, attrs("GET", "/healthz")));
  CHECK(path.status()["message"] == R"(forbidden: User "x" cannot get path "/healthz")");
}
