// RBAC through the API in-process: ServiceAccount tokens (TokenRequest, expiry on the token clock, revocation by
// deleting the ServiceAccount), roles and bindings enforced per request, the bootstrap roles and aggregation,
// impersonation, the access reviews, and anonymous requests.
#include <catch2/catch.hpp>

#include "api_client.hpp"

using gitmoor::sandbox::ApiOptions;
using gitmoor::sandbox::ApiServer;
using gitmoor::sandbox::Authorization;
using gitmoor::sandbox::Request;
using Json = nlohmann::json;

namespace {

const std::string kRbac = "/apis/rbac.authorization.k8s.io/v1";

struct Rbac {
  ApiServer api{[] {
    ApiOptions o;
    o.controllers = false;
    o.token = "admin";
    o.authorization = Authorization::Rbac;
    return o;
  }()};

  // A request with this bearer token (empty: none) and extra headers.
  gitmoor::test::Reply call(const std::string& token, const std::string& method, const std::string& target,
                            const Json& body = nullptr, std::map<std::string, std::string> headers = {}) {
    Request r;
    r.method = method;
    r.target = target;
    r.headers = std::move(headers);
    if (!token.empty()) r.headers["authorization"] = "Bearer " + token;
    if (!body.is_null()) {
      r.body = body.dump();
      r.headers["content-type"] = "application/json";
    }
    gitmoor::test::Reply reply;
    reply.raw = api.handle(r);
    reply.status = reply.raw.status;
    reply.body = Json::parse(reply.raw.body, nullptr, false);
    return reply;
  }
  gitmoor::test::Reply admin(const std::string& method, const std::string& target, const Json& body = nullptr) {
    auto r = call("admin", method, target, body);
    INFO(method << " " << target << ": " << r.raw.body);
    REQUIRE(r.status < 300);
    return r;
  }
  void namespace_(const std::string& name) {
    admin("POST", "/api/v1/namespaces", {{"metadata", {{"name", name}}}});
  }
  std::string service_account(const std::string& ns, const std::string& name) {
    admin("POST", "/api/v1/namespaces/" + ns + "/serviceaccounts", {{"metadata", {{"name", name}}}});
    return token(ns, name);
  }
  std::string token(const std::string& ns, const std::string& name) {
    auto r = admin("POST", "/api/v1/namespaces/" + ns + "/serviceaccounts/" + name + "/token",
                   {{"apiVersion", "authentication.k8s.io/v1"}, {"kind", "TokenRequest"}, {"spec", Json::object()}});
    return r.body["status"]["token"];
  }
  void role(const std::string& ns, const std::string& name, const Json& rules) {
    admin("POST", kRbac + "/namespaces/" + ns + "/roles", {{"metadata", {{"name", name}}}, {"rules", rules}});
  }
  void bind(const std::string& ns, const std::string& name, const std::string& kind, const std::string& role,
            const Json& subjects) {
    Json b{{"metadata", {{"name", name}}},
           {"roleRef", {{"apiGroup", "rbac.authorization.k8s.io"}, {"kind", kind}, {"name", role}}},
           {"subjects", subjects}};
    admin("POST", ns.empty() ? kRbac + "/clusterrolebindings" : kRbac + "/namespaces/" + ns + "/rolebindings", b);
  }
};

Json sa_subject(const std::string& ns, const std::string& name) {
  return {{"kind", "ServiceAccount"}, {"name", name}, {"namespace", ns}};
}

}  // namespace

TEST_CASE("a ServiceAccount token authenticates as the ServiceAccount and is held to its Role", "[sandbox][rbac]") {
  Rbac s;
  s.namespace_("game");
  s.namespace_("gitmoor");
  std::string token = s.service_account("gitmoor", "gitmoor");
  s.role("game", "configs",
         {{{"apiGroups", {""}}, {"resources", {"configmaps"}}, {"verbs", {"get", "list", "create"}}}});
  s.bind("game", "gitmoor-configs", "Role", "configs", Json::array({sa_subject("gitmoor", "gitmoor")}));

  auto whoami = s.call(token, "POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews", Json::object());
  REQUIRE(whoami.status == 201);
  CHECK(whoami.body["status"]["userInfo"]["username"] == "system:serviceaccount:gitmoor:gitmoor");
  CHECK(whoami.body["status"]["userInfo"]["groups"] ==
        Json::array({"system:serviceaccounts", "system:serviceaccounts:gitmoor", "system:authenticated"}));

  CHECK(s.call(token, "POST", "/api/v1/namespaces/game/configmaps", gitmoor::test::configmap("c")).status == 201);
  CHECK(s.call(token, "GET", "/api/v1/namespaces/game/configmaps").status == 200);
  auto other_ns = s.call(token, "GET", "/api/v1/namespaces/gitmoor/configmaps");
  CHECK(other_ns.status == 403);
  CHECK(other_ns.body["message"] ==
        "configmaps is forbidden: User \"system:serviceaccount:gitmoor:gitmoor\" cannot list resource \"configmaps\" "
        "in API group \"\" in the namespace \"gitmoor\"");
  auto patch = s.call(token, "PATCH", "/api/v1/namespaces/game/configmaps/c", Json{{"data", {{"a", "2"}}}},
                      {{"content-type", "application/merge-patch+json"}});
  CHECK(patch.status == 403);
  CHECK(patch.body["reason"] == "Forbidden");
  CHECK(patch.body["details"] == Json{{"name", "c"}, {"kind", "configmaps"}});
  // Any authenticated identity may discover.
  CHECK(s.call(token, "GET", "/apis").status == 200);
  CHECK(s.call(token, "GET", "/api/v1").status == 200);
}

TEST_CASE("TokenRequest: expiry on the token clock, kube's 10-minute minimum, revocation with the ServiceAccount",
          "[sandbox][rbac]") {
  Rbac s;
  std::string token = s.service_account("default", "bot");
  auto issued = s.admin("POST", "/api/v1/namespaces/default/serviceaccounts/bot/token",
                        {{"spec", {{"expirationSeconds", 3600}, {"audiences", {"gitmoor"}}}}});
  CHECK(issued.status == 201);
  CHECK(issued.body["kind"] == "TokenRequest");
  CHECK(issued.body["spec"]["audiences"] == Json::array({"gitmoor"}));
  CHECK(issued.body["status"]["expirationTimestamp"].is_string());
  std::string jwt = issued.body["status"]["token"];
  CHECK(std::count(jwt.begin(), jwt.end(), '.') == 2);

  auto short_lived = s.call("admin", "POST", "/api/v1/namespaces/default/serviceaccounts/bot/token",
                            {{"spec", {{"expirationSeconds", 300}}}});
  CHECK(short_lived.status == 422);
  CHECK(short_lived.body["message"] ==
        "TokenRequest.authentication.k8s.io \"\" is invalid: spec.expirationSeconds: Invalid value: 300: may not "
        "specify a duration less than 10 minutes");
  CHECK(s.call("admin", "POST", "/api/v1/namespaces/default/serviceaccounts/nobody/token", Json::object()).status ==
        404);

  auto whoami = [&](const std::string& t) {
    return s.call(t, "POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews", Json::object()).status;
  };
  CHECK(whoami(token) == 201);
  CHECK(whoami(token + "x") == 401);
  auto clock = s.admin("POST", "/sandbox/clock", {{"advance", "2h"}});
  CHECK(clock.body["offsetSeconds"] == 7200);
  auto expired = s.call(token, "POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews", Json::object());
  CHECK(expired.status == 401);
  CHECK(expired.body["message"] == "Unauthorized");

  std::string fresh = s.token("default", "bot");
  CHECK(whoami(fresh) == 201);
  s.admin("DELETE", "/api/v1/namespaces/default/serviceaccounts/bot");
  CHECK(whoami(fresh) == 401);
  // Re-created under the same name it is another ServiceAccount (another uid): the old token stays dead.
  s.admin("POST", "/api/v1/namespaces/default/serviceaccounts", {{"metadata", {{"name", "bot"}}}});
  CHECK(whoami(fresh) == 401);
  CHECK(whoami(s.token("default", "bot")) == 201);
}

TEST_CASE("bootstrap roles: cluster-admin for system:masters, discovery for everyone, anonymous sees health only",
          "[sandbox][rbac]") {
  Rbac s;
  auto admin_role = s.admin("GET", kRbac + "/clusterroles/cluster-admin");
  CHECK(admin_role.body["rules"].size() == 2);
  auto binding = s.admin("GET", kRbac + "/clusterrolebindings/cluster-admin");
  CHECK(binding.body["subjects"][0]["name"] == "system:masters");
  for (const char* name : {"admin", "edit", "view", "system:discovery", "system:basic-user",
                           "system:public-info-viewer", "system:aggregate-to-view"}) {
    INFO(name);
    CHECK(s.call("admin", "GET", kRbac + "/clusterroles/" + name).status == 200);
  }
  CHECK(s.call("", "GET", "/healthz").status == 200);
  CHECK(s.call("", "GET", "/version").status == 200);
  auto api = s.call("", "GET", "/api");
  CHECK(api.status == 403);
  CHECK(api.body["message"] == "forbidden: User \"system:anonymous\" cannot get path \"/api\"");
  CHECK(s.call("", "GET", "/api/v1/namespaces").status == 403);
  CHECK(s.call("wrong-token", "GET", "/healthz").status == 401);
}

TEST_CASE("aggregation: a ClusterRole labelled aggregate-to-view extends view, edit and admin", "[sandbox][rbac]") {
  Rbac s;
  std::string token = s.service_account("default", "viewer");
  s.bind("default", "viewer", "ClusterRole", "view", Json::array({sa_subject("default", "viewer")}));
  CHECK(s.call(token, "GET", "/api/v1/namespaces/default/configmaps").status == 200);
  CHECK(s.call(token, "GET", "/api/v1/namespaces/default/secrets").status == 403);
  CHECK(s.call(token, "GET", "/api/v1/namespaces/kube-system/configmaps").status == 403);

  s.admin(
      "POST", kRbac + "/clusterroles",
      {{"metadata", {{"name", "secret-reader"}, {"labels", {{"rbac.authorization.k8s.io/aggregate-to-view", "true"}}}}},
       {"rules", {{{"apiGroups", {""}}, {"resources", {"secrets"}}, {"verbs", {"get", "list"}}}}}});
  CHECK(s.call(token, "GET", "/api/v1/namespaces/default/secrets").status == 200);
  auto view = s.admin("GET", kRbac + "/clusterroles/view");
  Json secrets_rule{{"apiGroups", {""}}, {"resources", {"secrets"}}, {"verbs", {"get", "list"}}};
  CHECK(std::find(view.body["rules"].begin(), view.body["rules"].end(), secrets_rule) != view.body["rules"].end());
  CHECK(view.body["metadata"]["managedFields"].dump().find("clusterrole-aggregation-controller") != std::string::npos);
  for (const char* up : {"edit", "admin"}) {
    auto role = s.admin("GET", kRbac + "/clusterroles/" + up);
    INFO(up);
    CHECK(std::find(role.body["rules"].begin(), role.body["rules"].end(), secrets_rule) != role.body["rules"].end());
  }
  // Removing the label takes the rules away again.
  s.admin("DELETE", kRbac + "/clusterroles/secret-reader");
  CHECK(s.call(token, "GET", "/api/v1/namespaces/default/secrets").status == 403);
}

TEST_CASE("impersonation needs the impersonate verb, and whoami shows who is impersonated", "[sandbox][rbac]") {
  Rbac s;
  std::string token = s.service_account("default", "robot");
  auto as_bob = s.call("admin", "POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews", Json::object(),
                       {{"impersonate-user", "bob"}, {"impersonate-group", "devs\nops"}});
  REQUIRE(as_bob.status == 201);
  CHECK(as_bob.body["status"]["userInfo"]["username"] == "bob");
  CHECK(as_bob.body["status"]["userInfo"]["groups"] == Json::array({"devs", "ops", "system:authenticated"}));
  auto as_sa = s.call("admin", "POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews", Json::object(),
                      {{"impersonate-user", "system:serviceaccount:default:robot"}});
  CHECK(as_sa.body["status"]["userInfo"]["groups"] ==
        Json::array({"system:serviceaccounts", "system:serviceaccounts:default", "system:authenticated"}));
  auto with_extra = s.call("admin", "POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews", Json::object(),
                           {{"impersonate-user", "bob"}, {"impersonate-uid", "u-1"},
                            {"impersonate-extra-scopes", "view\nedit"}});
  CHECK(with_extra.body["status"]["userInfo"]["uid"] == "u-1");
  CHECK(with_extra.body["status"]["userInfo"]["extra"] == Json{{"scopes", {"view", "edit"}}});
  CHECK(s.call("admin", "GET", "/api/v1/pods", nullptr, {{"impersonate-group", "devs"}}).status == 400);
  // The impersonated user is held to its own permissions.
  auto bob_lists = s.call("admin", "GET", "/api/v1/namespaces/default/pods", nullptr, {{"impersonate-user", "bob"}});
  CHECK(bob_lists.status == 403);
  CHECK(bob_lists.body["message"] ==
        "pods is forbidden: User \"bob\" cannot list resource \"pods\" in API group \"\" in the namespace \"default\"");

  auto refused = s.call(token, "GET", "/api/v1/namespaces/default/pods", nullptr, {{"impersonate-user", "bob"}});
  CHECK(refused.status == 403);
  CHECK(refused.body["message"] ==
        "users \"bob\" is forbidden: User \"system:serviceaccount:default:robot\" cannot impersonate resource "
        "\"users\" in API group \"\" at the cluster scope");
  s.admin(
      "POST", kRbac + "/clusterroles",
      {{"metadata", {{"name", "impersonator"}}},
       {"rules",
        {{{"apiGroups", {""}}, {"resources", {"users"}}, {"verbs", {"impersonate"}}, {"resourceNames", {"bob"}}}}}});
  s.bind("", "robot-impersonates", "ClusterRole", "impersonator", Json::array({sa_subject("default", "robot")}));
  auto as_bob_by_robot = s.call(token, "POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews", Json::object(),
                                {{"impersonate-user", "bob"}});
  CHECK(as_bob_by_robot.body["status"]["userInfo"]["username"] == "bob");
  auto group_refused = s.call(token, "POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews", Json::object(),
                              {{"impersonate-user", "bob"}, {"impersonate-group", "system:masters"}});
  CHECK(group_refused.status == 403);
  CHECK(group_refused.body["message"] ==
        "groups \"system:masters\" is forbidden: User \"system:serviceaccount:default:robot\" cannot impersonate "
        "resource \"groups\" in API group \"\" at the cluster scope");
  CHECK(s.call(token, "GET", "/api/v1/pods", nullptr, {{"impersonate-user", "alice"}}).status == 403);
  auto uid_refused =
      s.call(token, "GET", "/api/v1/pods", nullptr, {{"impersonate-user", "bob"}, {"impersonate-uid", "u-1"}});
  CHECK(uid_refused.body["message"] ==
        "uids.authentication.k8s.io \"u-1\" is forbidden: User \"system:serviceaccount:default:robot\" cannot "
        "impersonate resource \"uids\" in API group \"authentication.k8s.io\" at the cluster scope");
}

TEST_CASE("access reviews: self, subject, local and rules reviews", "[sandbox][rbac]") {
  Rbac s;
  s.namespace_("game");
  std::string token = s.service_account("game", "deployer");
  s.role("game", "deploy",
         {{{"apiGroups", {"apps"}}, {"resources", {"deployments", "deployments/scale"}}, {"verbs", {"get", "patch"}}},
          {{"apiGroups", {""}}, {"resources", {"configmaps"}}, {"verbs", {"get"}}, {"resourceNames", {"settings"}}}});
  s.bind("game", "deploy", "Role", "deploy", Json::array({sa_subject("game", "deployer")}));
  auto can = [&](const std::string& t, const Json& attributes) {
    auto r = s.call(t, "POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
                    {{"apiVersion", "authorization.k8s.io/v1"},
                     {"kind", "SelfSubjectAccessReview"},
                     {"spec", {{"resourceAttributes", attributes}}}});
    INFO(r.raw.body);
    REQUIRE(r.status == 201);
    return r.body["status"]["allowed"].get<bool>();
  };
  Json patch{{"namespace", "game"}, {"verb", "patch"}, {"group", "apps"}, {"resource", "deployments"}};
  CHECK(can(token, patch));
  CHECK_FALSE(can(token, {{"namespace", "other"}, {"verb", "patch"}, {"group", "apps"}, {"resource", "deployments"}}));
  CHECK(can(token, {{"namespace", "game"}, {"verb", "get"}, {"group", "apps"}, {"resource", "deployments"},
                    {"subresource", "scale"}}));
  CHECK(can(token, {{"namespace", "game"}, {"verb", "get"}, {"resource", "configmaps"}, {"name", "settings"}}));
  CHECK_FALSE(can(token, {{"namespace", "game"}, {"verb", "get"}, {"resource", "configmaps"}, {"name", "other"}}));
  CHECK(can("admin", {{"verb", "*"}, {"group", "*"}, {"resource", "*"}}));

  auto sar = s.admin("POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews",
                     {{"spec", {{"user", "system:serviceaccount:game:deployer"}, {"resourceAttributes", patch}}}});
  CHECK(sar.body["status"]["allowed"] == true);
  CHECK(sar.body["status"]["reason"] ==
        "RBAC: allowed by RoleBinding \"deploy/game\" of Role \"deploy\" to ServiceAccount \"deployer/game\"");
  auto local = s.admin("POST", "/apis/authorization.k8s.io/v1/namespaces/game/localsubjectaccessreviews",
                       {{"spec", {{"user", "bob"}, {"resourceAttributes", {{"verb", "get"}, {"resource", "pods"}}}}}});
  CHECK(local.body["status"]["allowed"] == false);
  CHECK(local.body["spec"]["resourceAttributes"]["namespace"] == "game");
  auto no_subject = s.call("admin", "POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews",
                           {{"spec", {{"resourceAttributes", patch}}}});
  CHECK(no_subject.status == 422);
  // An identity without create on subjectaccessreviews may not ask about others.
  CHECK(s.call(token, "POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews",
               {{"spec", {{"user", "bob"}, {"resourceAttributes", patch}}}})
            .status == 403);

  auto rules = s.call(token, "POST", "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews",
                      {{"spec", {{"namespace", "game"}}}});
  REQUIRE(rules.status == 201);
  const Json& status = rules.body["status"];
  CHECK(status["incomplete"] == false);
  CHECK(std::find(status["resourceRules"].begin(), status["resourceRules"].end(),
                  Json{{"verbs", {"get", "patch"}},
                       {"apiGroups", {"apps"}},
                       {"resources", {"deployments", "deployments/scale"}}}) != status["resourceRules"].end());
  // basic-user's self reviews and discovery's URLs come with every authenticated identity.
  CHECK(status["nonResourceRules"].dump().find("/apis/*") != std::string::npos);
  CHECK(status["resourceRules"].dump().find("selfsubjectaccessreviews") != std::string::npos);
}

TEST_CASE("without RBAC everything is allowed, and the reviews say so", "[sandbox][rbac]") {
  ApiServer api(gitmoor::test::quiet());
  auto r = gitmoor::test::call(api, "POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
                               {{"spec", {{"resourceAttributes", {{"verb", "delete"}, {"resource", "nodes"}}}}}});
  REQUIRE(r.status == 201);
  CHECK(r.body["status"]["allowed"] == true);
  auto rules = gitmoor::test::call(api, "POST", "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews",
                                   {{"spec", {{"namespace", "default"}}}});
  CHECK(rules.body["status"]["resourceRules"][0]["verbs"] == Json::array({"*"}));
  // Discovery lists the reviews with the create verb alone.
  auto discovery = gitmoor::test::call(api, "GET", "/apis/authorization.k8s.io/v1");
  REQUIRE(discovery.status == 200);
  CHECK(discovery.body["resources"].size() == 4);
  CHECK(discovery.body["resources"][0]["verbs"] == Json::array({"create"}));
  auto core = gitmoor::test::call(api, "GET", "/api/v1");
  CHECK(core.body.dump().find("serviceaccounts/token") != std::string::npos);
}
