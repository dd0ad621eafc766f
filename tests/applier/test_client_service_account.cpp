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

// ServiceAccount default/gitmoor, allowed to get and list ConfigMaps in default only.
void configmap_reader(sandbox::Sandbox& sb) {
  admin(sb, "POST", "/api/v1/namespaces/default/serviceaccounts", {{"metadata", {{"name", "gitmoor"}}}});
  admin(sb, "POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles",
        {{"metadata", {{"name", "configs"}}},
         {"rules", {{{"apiGroups", {""}}, {"resources", {"configmaps"}}, {"verbs", {"get", "list"}}}}}});
  admin(sb, "POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings",
        {{"metadata", {{"name", "gitmoor"}}},
         {"roleRef", {{"apiGroup", "rbac.authorization.k8s.io"}, {"kind", "Role"}, {"name", "configs"}}},
         {"subjects", {{{"kind", "ServiceAccount"}, {"name", "gitmoor"}}}}});
}

}  // namespace

TEST_CASE("client with a ServiceAccount token from a tokenFile is held to the ServiceAccount's Role",
          "[client][rbac]") {
  auto sb = sandbox::Sandbox::start({.token = "admin", .authorization = sandbox::Authorization::Rbac});
  configmap_reader(*sb);
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

TEST_CASE("client with a rotated token file keeps working when the old token is revoked, and retries a 401 once",
          "[client][rbac]") {
  auto sb = sandbox::Sandbox::start({.token = "admin", .authorization = sandbox::Authorization::Rbac});
  configmap_reader(*sb);
  // Tokens bound to a Secret each, as the kubelet binds them to the Pod: deleting the Secret revokes the token.
  const auto bound_token = [&](const std::string& secret) {
    admin(*sb, "POST", "/api/v1/namespaces/default/secrets", {{"metadata", {{"name", secret}}}});
    return admin(*sb, "POST", "/api/v1/namespaces/default/serviceaccounts/gitmoor/token",
                 {{"spec", {{"boundObjectRef", {{"kind", "Secret"}, {"apiVersion", "v1"}, {"name", secret}}}}}})
        .at("status")
        .at("token")
        .get<std::string>();
  };
  TempDir dir;
  dir.write("token", bound_token("first"));
  const auto path = dir.write("kc", "apiVersion: v1\nkind: Config\ncurrent-context: c\nclusters:\n- name: s\n"
                                    "  cluster:\n    server: " + sb->url() +
                                        "\nusers:\n- name: u\n  user:\n    tokenFile: token\ncontexts:\n- name: c\n"
                                        "  context: {cluster: s, user: u}\n");
  Client client(load_kubeconfig({.paths = {path}, .context = {}}));
  const auto list = [&] {
    return client.request_json({.method = "GET", .path = "/api/v1/namespaces/default/configmaps"}).at("kind");
  };
  CHECK(list() == "ConfigMapList");

  // Rotation: the new token is in place (an atomic rename, as the kubelet's ..data swap), then the old one revoked.
  dir.write("token.new", bound_token("second"));
  std::filesystem::rename(dir.path() / "token.new", dir.path() / "token");
  sandbox::Request del;
  del.method = "DELETE";
  del.target = "/api/v1/namespaces/default/secrets/first";
  del.headers["authorization"] = "Bearer admin";
  REQUIRE(sb->api().handle(del).status == 200);
  CHECK(list() == "ConfigMapList");

  // A request that went out with the old token just before the swap gets 401: tried once more, it succeeds.
  admin(*sb, "POST", "/sandbox/faults", {{"verb", "list"}, {"resource", "configmaps"}, {"code", 401}, {"times", 1}});
  CHECK(list() == "ConfigMapList");
  std::map<long, std::uint64_t> codes;
  for (const auto& s : client.stats()) {
    if (s.verb == "list") codes[s.code] += s.count;
  }
  CHECK(codes[401] == 1);
  CHECK(codes[200] == 3);

  // Revoked for good (the Secret of the token in the file deleted): the 401 is the answer, after the one retry.
  del.target = "/api/v1/namespaces/default/secrets/second";
  REQUIRE(sb->api().handle(del).status == 200);
  try {
    list();
    FAIL("expected 401");
  } catch (const ApiError& e) {
    CHECK(e.status() == 401);
  }
  codes.clear();
  for (const auto& s : client.stats()) {
    if (s.verb == "list") codes[s.code] += s.count;
  }
  CHECK(codes[401] == 3);
}
