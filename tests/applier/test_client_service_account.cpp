// The client as a ServiceAccount against a sandbox with RBAC: a TokenRequest token in a tokenFile kubeconfig (how
// gitmoor runs in-cluster) is held to the ServiceAccount's Role, and a Forbidden answer names what was refused.
#include <catch2/catch.hpp>

#include "applier_fixture.hpp"

using namespace gitmoor;
using applier::ApiError;
using applier::Client;
using applier::load_kubeconfig;
using test::TempDir;
using Json = nlohmann::json;

namespace {

Json admin(sandbox::Sandbox& sb, const std::string& method, const std::string& target, const Json& body) {
  sandbox::Request r;
  r.method = method;
  r.target = target;
  r.headers["authorization"] = "Bearer admin";
  r.headers["content-type"] = "application/json";
  r.body = body.dump();
  auto response = sb.api().handle(r);
  INFO(target << ": " << response.body);
  REQUIRE(response.status < 300);
  return Json::parse(response.body);
}

}  // namespace

TEST_CASE("client with a ServiceAccount token from a tokenFile is held to the ServiceAccount's Role",
          "[client][rbac]") {
  auto sb = sandbox::Sandbox::start({.token = "admin", .authorization = sandbox::Authorization::Rbac});
  admin(*sb, "POST", "/api/v1/namespaces/default/serviceaccounts", {{"metadata", {{"name", "gitmoor"}}}});
  admin(*sb, "POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles",
        {{"metadata", {{"name", "configs"}}},
         {"rules", {{{"apiGroups", {""}}, {"resources", {"configmaps"}}, {"verbs", {"get", "list"}}}}}});
  admin(*sb, "POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings",
        {{"metadata", {{"name", "gitmoor"}}},
         {"roleRef", {{"apiGroup", "rbac.authorization.k8s.io"}, {"kind", "Role"}, {"name", "configs"}}},
         {"subjects", {{{"kind", "ServiceAccount"}, {"name", "gitmoor"}}}}});
  Json token = admin(*sb, "POST", "/api/v1/namespaces/default/serviceaccounts/gitmoor/token", Json::object());

  TempDir dir;
  dir.write("token", token["status"]["token"].get<std::string>() + "\n");
  const auto path = dir.write("kc", "apiVersion: v1\nkind: Config\ncurrent-context: c\nclusters:\n- name: s\n"
                                    "  cluster:\n    server: " + sb->url() +
                                        "\nusers:\n- name: u\n  user:\n    tokenFile: token\ncontexts:\n- name: c\n"
                                        "  context: {cluster: s, user: u}\n");
  Client client(load_kubeconfig({.paths = {path}, .context = {}}));
  CHECK(client.request_json({.method = "GET", .path = "/api/v1/namespaces/default/configmaps"})["kind"] ==
        "ConfigMapList");
  try {
    client.request_json({.method = "GET", .path = "/api/v1/namespaces/default/secrets"});
    FAIL("expected 403");
  } catch (const ApiError& e) {
    CHECK(e.status() == 403);
    CHECK(std::string(e.what()).find("secrets is forbidden: User \"system:serviceaccount:default:gitmoor\" cannot "
                                     "list resource \"secrets\" in API group \"\" in the namespace \"default\"") !=
          std::string::npos);
  }
}
