// The client against a real sandbox: kubeconfig variants, TLS, retries' counters, errors without secrets.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <sys/stat.h>

#include "applier_fixture.hpp"
#include "gitmoor/applier/exec_credential.hpp"
#include "gitmoor/core/subprocess.hpp"

using namespace gitmoor;
using applier::ApiError;
using applier::Client;
using applier::load_kubeconfig;
using test::TempDir;

namespace {

// A kubeconfig with one cluster, one user and one context, from parts.
std::string kubeconfig_yaml(const std::string& server, const std::string& cluster_extra, const std::string& user_extra,
                            const std::string& name = "test") {
  return "apiVersion: v1\nkind: Config\ncurrent-context: " + name + "\nclusters:\n- name: " + name +
         "\n  cluster:\n    server: " + server + "\n" + cluster_extra + "users:\n- name: " + name + "\n  user:\n" +
         (user_extra.empty() ? "    {}\n" : user_extra) + "contexts:\n- name: " + name + "\n  context:\n    cluster: " +
         name + "\n    user: " + name + "\n";
}

std::string b64(const std::string& s) {
  static const char* a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  unsigned v = 0;
  int bits = 0;
  for (unsigned char c : s) {
    v = (v << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(a[(v >> bits) & 63]);
    }
  }
  if (bits > 0) out.push_back(a[(v << (6 - bits)) & 63]);
  while (out.size() % 4) out.push_back('=');
  return out;
}

long get_status(Client& client, const std::string& path = "/api/v1/namespaces/default") {
  return client.send({.method = "GET", .path = path}).status;
}

}  // namespace

TEST_CASE("client reads a namespace through the sandbox's own kubeconfig", "[client]") {
  test::ApplierEnv env;
  const auto ns = env.client->request_json({.method = "GET", .path = "/api/v1/namespaces/default"});
  CHECK(ns["metadata"]["name"] == "default");
  bool counted = false;
  for (const auto& s : env.client->stats()) {
    if (s.verb == "get" && s.resource == "namespaces" && s.code == 200) counted = s.count == 1;
  }
  CHECK(counted);
}

TEST_CASE("client sends a bearer token, inline or from a file re-read when rotated", "[client][kubeconfig]") {
  auto sb = sandbox::Sandbox::start({.token = "s3cret-token"});
  TempDir dir;
  SECTION("inline token") {
    const auto path = dir.write("kc", kubeconfig_yaml(sb->url(), "", "    token: s3cret-token\n"));
    Client client(load_kubeconfig({.paths = {path}, .context = {}}));
    CHECK(get_status(client) == 200);
  }
  SECTION("wrong token: 401, and the error does not carry the token") {
    const auto path = dir.write("kc", kubeconfig_yaml(sb->url(), "", "    token: wrong-token\n"));
    Client client(load_kubeconfig({.paths = {path}, .context = {}}));
    try {
      client.request_json({.method = "GET", .path = "/api/v1/namespaces/default"});
      FAIL("expected 401");
    } catch (const ApiError& e) {
      CHECK(e.status() == 401);
      CHECK(std::string(e.what()).find("wrong-token") == std::string::npos);
      CHECK(std::string(e.what()).find("/api/v1/namespaces/default") != std::string::npos);
    }
  }
  SECTION("tokenFile, relative to the kubeconfig, re-read after rotation") {
    dir.write("token", "old-token\n");
    const auto path = dir.write("kc", kubeconfig_yaml(sb->url(), "", "    tokenFile: token\n"));
    Client client(load_kubeconfig({.paths = {path}, .context = {}}));
    CHECK(get_status(client) == 401);
    dir.write("token", "s3cret-token\n");
    CHECK(get_status(client) == 200);
  }
}

TEST_CASE("client verifies TLS with CA data or file, or skips verification when insecure", "[client][kubeconfig][tls]") {
  auto sb = sandbox::Sandbox::start({.tls = true});
  TempDir dir;
  const auto ca = dir.write("ca.crt", sb->ca_pem());
  SECTION("certificate-authority-data") {
    const auto path =
        dir.write("kc", kubeconfig_yaml(sb->url(), "    certificate-authority-data: " + b64(sb->ca_pem()) + "\n", ""));
    Client client(load_kubeconfig({.paths = {path}, .context = {}}));
    CHECK(get_status(client) == 200);
  }
  SECTION("certificate-authority file") {
    const auto path = dir.write("kc", kubeconfig_yaml(sb->url(), "    certificate-authority: ca.crt\n", ""));
    Client client(load_kubeconfig({.paths = {path}, .context = {}}));
    CHECK(get_status(client) == 200);
  }
  SECTION("insecure-skip-tls-verify") {
    const auto path = dir.write("kc", kubeconfig_yaml(sb->url(), "    insecure-skip-tls-verify: true\n", ""));
    Client client(load_kubeconfig({.paths = {path}, .context = {}}));
    CHECK(get_status(client) == 200);
  }
  SECTION("a wrong CA fails with a clear TLS error, not retried") {
    auto other = sandbox::Sandbox::start({.tls = true});
    const auto wrong = dir.write("wrong.crt", other->ca_pem());
    const auto path = dir.write("kc", kubeconfig_yaml(sb->url(), "    certificate-authority: wrong.crt\n", ""));
    Client client(load_kubeconfig({.paths = {path}, .context = {}}));
    try {
      get_status(client);
      FAIL("expected a TLS error");
    } catch (const ApiError& e) {
      CHECK(e.reason() == "TLSError");
      CHECK(std::string(e.what()).find("TLS error") != std::string::npos);
    }
    std::uint64_t attempts = 0;
    for (const auto& s : client.stats()) attempts += s.count;
    CHECK(attempts == 1);
  }
}

TEST_CASE("client runs an exec credential plugin and caches its token until expiry", "[client][kubeconfig][exec]") {
  auto sb = sandbox::Sandbox::start({.token = "plugin-token"});
  TempDir dir;
  const auto script = dir.write("plugin.sh",
                                "#!/bin/sh\n"
                                "echo run >> \"$(dirname \"$0\")/runs\"\n"
                                "cat <<JSON\n"
                                "{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\","
                                "\"status\":{\"token\":\"$PLUGIN_TOKEN\",\"expirationTimestamp\":\"2999-01-01T00:00:00Z\"}}\n"
                                "JSON\n");
  ::chmod(script.c_str(), 0755);
  const auto path = dir.write("kc", kubeconfig_yaml(sb->url(), "",
                                                    "    exec:\n      apiVersion: client.authentication.k8s.io/v1\n"
                                                    "      command: ./plugin.sh\n      env:\n      - name: PLUGIN_TOKEN\n"
                                                    "        value: plugin-token\n"));
  Client client(load_kubeconfig({.paths = {path}, .context = {}}));
  CHECK(get_status(client) == 200);
  CHECK(get_status(client) == 200);
  CHECK(get_status(client) == 200);
  std::ifstream runs(dir.path() / "runs");
  std::string line;
  int count = 0;
  while (std::getline(runs, line)) ++count;
  CHECK(count == 1);
}

TEST_CASE("exec credential output is checked", "[kubeconfig][exec]") {
  CHECK_THROWS_WITH(applier::parse_exec_credential("{}", "aws"), Catch::Contains("aws") && Catch::Contains("ExecCredential"));
  const auto c = applier::parse_exec_credential(
      R"({"kind":"ExecCredential","status":{"token":"t","expirationTimestamp":"2030-01-01T00:00:00Z"}})", "x");
  CHECK(c.token == "t");
  CHECK(c.expires.has_value());
}

TEST_CASE("merged KUBECONFIG list with a non-default context", "[kubeconfig]") {
  auto good = sandbox::Sandbox::start({.token = "good"});
  TempDir dir;
  // The first file sets current-context to a cluster that does not answer; the second defines the one we pick.
  const auto first = dir.write("a", kubeconfig_yaml("http://127.0.0.1:1", "", "    token: nope\n", "dead"));
  const auto second = dir.write("b", kubeconfig_yaml(good->url(), "", "    token: good\n", "live"));
  const auto missing = dir.path() / "missing";
  const std::string list = first.string() + ":" + missing.string() + ":" + second.string();
  ::setenv("KUBECONFIG", list.c_str(), 1);
  const auto cluster = load_kubeconfig({.paths = {}, .context = "live"});
  const auto dead = load_kubeconfig({});
  ::unsetenv("KUBECONFIG");
  CHECK(dead.context == "dead");
  CHECK(cluster.context == "live");
  Client client(cluster);
  CHECK(get_status(client) == 200);
  CHECK_THROWS_WITH(load_kubeconfig({.paths = {first}, .context = "nosuch"}), Catch::Contains("nosuch"));
}

TEST_CASE("in-cluster config reads host, port, token file and CA", "[kubeconfig]") {
  TempDir dir;
  dir.write("token", "sa-token\n");
  dir.write("ca.crt", "x");
  dir.write("namespace", "gitmoor\n");
  ::setenv("KUBERNETES_SERVICE_HOST", "10.0.0.1", 1);
  ::setenv("KUBERNETES_SERVICE_PORT", "443", 1);
  const auto c = applier::in_cluster_config(dir.path());
  ::unsetenv("KUBERNETES_SERVICE_HOST");
  ::unsetenv("KUBERNETES_SERVICE_PORT");
  CHECK(c.server == "https://10.0.0.1:443");
  CHECK(c.token_file == dir.path() / "token");
  CHECK(c.ns == "gitmoor");
  CHECK_THROWS_AS(applier::in_cluster_config(dir.path()), applier::KubeconfigError);
}

TEST_CASE("connection errors are retried, then reported naming the request", "[client]") {
  applier::ClusterConfig cluster;
  cluster.server = "http://127.0.0.1:1";
  Client client(cluster, {.max_retries = 2, .backoff_base = std::chrono::milliseconds(1)});
  CHECK_THROWS_WITH(get_status(client), Catch::Contains("GET http://127.0.0.1:1/api/v1/namespaces/default"));
  std::uint64_t attempts = 0;
  for (const auto& s : client.stats()) attempts += s.count;
  CHECK(attempts == 3);
}

TEST_CASE("client presents a client certificate (files and data) over TLS", "[client][kubeconfig][tls]") {
  // The sandbox verifies client certificates against its client CA, and no token is set: the certificate alone
  // authenticates, so a 200 proves the client presented it.
  auto sb = sandbox::Sandbox::start({.tls = true, .client_certificates = true});
  TempDir dir;
  const auto issued = sb->issue_client_certificate("gitmoor", {"system:masters"});
  dir.write("client.crt", issued.cert_pem);
  dir.write("client.key", issued.key_pem);
  dir.write("ca.crt", sb->ca_pem());
  SECTION("files") {
    const auto path = dir.write("kc", kubeconfig_yaml(sb->url(), "    certificate-authority: ca.crt\n",
                                                      "    client-certificate: client.crt\n    client-key: client.key\n"));
    Client client(load_kubeconfig({.paths = {path}, .context = {}}));
    CHECK(get_status(client) == 200);
  }
  SECTION("data") {
    const auto path = dir.write(
        "kc", kubeconfig_yaml(sb->url(), "    certificate-authority: ca.crt\n",
                              "    client-certificate-data: " + b64(issued.cert_pem) + "\n    client-key-data: " +
                                  b64(issued.key_pem) + "\n"));
    Client client(load_kubeconfig({.paths = {path}, .context = {}}));
    CHECK(get_status(client) == 200);
  }
  SECTION("a certificate from another CA is refused with 401") {
    const auto made = core::run_subprocess({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj",
                                            "/CN=gitmoor/O=system:masters", "-days", "1", "-keyout",
                                            (dir.path() / "other.key").string(), "-out",
                                            (dir.path() / "other.crt").string()});
    REQUIRE(made.ok());
    const auto path = dir.write("kc", kubeconfig_yaml(sb->url(), "    certificate-authority: ca.crt\n",
                                                      "    client-certificate: other.crt\n    client-key: other.key\n"));
    Client client(load_kubeconfig({.paths = {path}, .context = {}}));
    CHECK(get_status(client) == 401);
  }
  SECTION("a bad key file fails naming a TLS problem") {
    dir.write("bad.key", "not a key");
    const auto path = dir.write("kc", kubeconfig_yaml(sb->url(), "    certificate-authority: ca.crt\n",
                                                      "    client-certificate: client.crt\n    client-key: bad.key\n"));
    Client client(load_kubeconfig({.paths = {path}, .context = {}}));
    CHECK_THROWS_AS(get_status(client), ApiError);
  }
}
