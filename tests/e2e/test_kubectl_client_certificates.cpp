// TLS client-certificate authentication with real kubectl: the sandbox's kubeconfig presents an admin certificate;
// a certificate signed by the client CA authenticates as its CN (kubectl auth whoami shows it); a certificate from
// another CA, or none, is 401 Unauthorized.
#include <catch2/catch.hpp>

#include "gitmoor/core/subprocess.hpp"
#include "kubectl_env.hpp"

using gitmoor::test::base64;
using gitmoor::test::KubectlEnv;
using Json = nlohmann::json;

namespace {

// A kubeconfig for the sandbox presenting this certificate (or none).
std::string kubeconfig_with(KubectlEnv& env, const std::string& name, const std::string& cert_pem,
                            const std::string& key_pem) {
  std::string user = cert_pem.empty() ? " {}\n"
                                      : "\n    client-certificate-data: " + base64(cert_pem) +
                                            "\n    client-key-data: " + base64(key_pem) + "\n";
  return env.write_file(name, "apiVersion: v1\nkind: Config\nclusters:\n- name: s\n  cluster:\n    server: " +
                                  env.sandbox().url() + "\n    certificate-authority-data: " +
                                  base64(env.sandbox().ca_pem()) + "\nusers:\n- name: u\n  user:" + user +
                                  "contexts:\n- name: c\n  context: {cluster: s, user: u, namespace: default}\n"
                                  "current-context: c\n");
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void run_openssl(const std::vector<std::string>& args) {
  std::vector<std::string> argv{"openssl"};
  argv.insert(argv.end(), args.begin(), args.end());
  auto r = gitmoor::core::run_subprocess(argv);
  INFO(r.stderr_data);
  REQUIRE(r.exit_code == 0);
}

}  // namespace

TEST_CASE("kubectl authenticates with client certificates signed by the sandbox's client CA", "[e2e][tls]") {
  gitmoor::sandbox::SandboxOptions options;
  options.tls = true;
  options.client_certificates = true;
  KubectlEnv env(options);
  CHECK(read_file(env.kubeconfig()).find("client-certificate-data: ") != std::string::npos);
  CHECK(read_file(env.kubeconfig()).find("client-key-data: ") != std::string::npos);

  auto admin = env.kubectl({"get", "ns", "default"});
  INFO(admin.stderr_data);
  REQUIRE(admin.exit_code == 0);
  Json me = env.json({"auth", "whoami"});
  CHECK(me["kind"] == "SelfSubjectReview");
  CHECK(me["status"]["userInfo"]["username"] == "sandbox-admin");
  CHECK(me["status"]["userInfo"]["groups"] == Json::array({"system:masters", "system:authenticated"}));

  auto alice = env.sandbox().issue_client_certificate("alice", {"developers", "qa"});
  auto as_alice = kubeconfig_with(env, "alice.kubeconfig", alice.cert_pem, alice.key_pem);
  auto whoami = env.kubectl({"--kubeconfig", as_alice, "auth", "whoami", "-o", "json"});
  INFO(whoami.stderr_data);
  REQUIRE(whoami.exit_code == 0);
  Json alice_info = Json::parse(whoami.stdout_data)["status"]["userInfo"];
  CHECK(alice_info["username"] == "alice");
  CHECK(alice_info["groups"] == Json::array({"developers", "qa", "system:authenticated"}));
  CHECK(env.kubectl({"--kubeconfig", as_alice, "create", "configmap", "from-alice"}).exit_code == 0);

  // A certificate no client CA signed, and no certificate at all: 401, as kubectl shows it.
  run_openssl({"req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=mallory", "-days", "1", "-keyout",
               (env.dir() / "mallory.key").string(), "-out", (env.dir() / "mallory.crt").string()});
  auto as_mallory = kubeconfig_with(env, "mallory.kubeconfig", read_file(env.dir() / "mallory.crt"),
                                    read_file(env.dir() / "mallory.key"));
  auto refused = env.kubectl({"--kubeconfig", as_mallory, "get", "ns"});
  CHECK(refused.exit_code != 0);
  CHECK(refused.stderr_data.find("Unauthorized") != std::string::npos);
  // No certificate: kubectl would prompt for a username on an https server without credentials, so curl asks.
  env.write_file("ca.pem", env.sandbox().ca_pem());
  auto anonymous = gitmoor::core::run_subprocess(
      {"curl", "-s", "--cacert", (env.dir() / "ca.pem").string(), env.sandbox().url() + "/api/v1/namespaces"});
  INFO(anonymous.stderr_data);
  REQUIRE(anonymous.exit_code == 0);
  Json status = Json::parse(anonymous.stdout_data);
  CHECK(status["code"] == 401);
  CHECK(status["reason"] == "Unauthorized");
}

TEST_CASE("a client CA given to the sandbox authenticates the certificates it signs", "[e2e][tls]") {
  // The CA and a client certificate made by openssl, as an operator would make them.
  auto dir = std::filesystem::temp_directory_path() / ("gitmoor-client-ca-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto path = [&](const char* name) { return (dir / name).string(); };
  run_openssl({"req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=ops-ca", "-days", "1", "-keyout",
               path("ca.key"), "-out", path("ca.crt")});
  run_openssl({"req", "-newkey", "rsa:2048", "-nodes", "-subj", "/O=ops/CN=bob", "-keyout", path("bob.key"), "-out",
               path("bob.csr")});
  run_openssl({"x509", "-req", "-in", path("bob.csr"), "-CA", path("ca.crt"), "-CAkey", path("ca.key"),
               "-CAcreateserial", "-days", "1", "-out", path("bob.crt")});

  gitmoor::sandbox::SandboxOptions options;
  options.tls = true;
  options.client_ca_pem = read_file(dir / "ca.crt");
  KubectlEnv env(options);
  // The sandbox holds no key of that CA, so its own kubeconfig carries no certificate.
  CHECK(read_file(env.kubeconfig()).find("client-certificate-data") == std::string::npos);
  auto as_bob = kubeconfig_with(env, "bob.kubeconfig", read_file(dir / "bob.crt"), read_file(dir / "bob.key"));
  auto whoami = env.kubectl({"--kubeconfig", as_bob, "auth", "whoami", "-o", "json"});
  INFO(whoami.stderr_data);
  REQUIRE(whoami.exit_code == 0);
  Json info = Json::parse(whoami.stdout_data)["status"]["userInfo"];
  CHECK(info["username"] == "bob");
  CHECK(info["groups"] == Json::array({"ops", "system:authenticated"}));
  CHECK(env.kubectl({"--kubeconfig", as_bob, "get", "ns", "default"}).exit_code == 0);
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}
