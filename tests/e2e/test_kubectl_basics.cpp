// Real kubectl against the sandbox: discovery, namespaces, reads, watches, deletes.
#include <catch2/catch.hpp>

#include <future>

#include "kubectl_env.hpp"

using gitmoor::test::KubectlEnv;

TEST_CASE("kubectl version reports the sandbox's server version", "[e2e]") {
  KubectlEnv env;
  auto r = env.kubectl({"version", "-o", "json"});
  REQUIRE(r.exit_code == 0);
  auto v = nlohmann::json::parse(r.stdout_data);
  CHECK(v["serverVersion"]["major"] == "1");
  CHECK(v["serverVersion"]["minor"] == "35");
}

TEST_CASE("kubectl api-resources lists built-in types with their short names", "[e2e]") {
  KubectlEnv env;
  auto r = env.kubectl({"api-resources"});
  REQUIRE(r.exit_code == 0);
  const std::string& out = r.stdout_data;
  for (const char* row : {"deployments", "deploy", "configmaps", "cm", "namespaces", "ns", "services", "svc",
                          "horizontalpodautoscalers", "hpa", "customresourcedefinitions", "crd,crds", "ingresses",
                          "ing", "statefulsets", "sts", "poddisruptionbudgets", "pdb", "leases", "storageclasses"}) {
    CHECK(out.find(row) != std::string::npos);
  }
  // Short names resolve in commands.
  auto get = env.kubectl({"get", "ns"});
  REQUIRE(get.exit_code == 0);
  CHECK(get.stdout_data.find("kube-system") != std::string::npos);
}

TEST_CASE("kubectl create namespace, then get and delete it", "[e2e]") {
  KubectlEnv env;
  auto created = env.kubectl({"create", "namespace", "game"});
  INFO(created.stderr_data);
  REQUIRE(created.exit_code == 0);
  CHECK(created.stdout_data.find("namespace/game created") != std::string::npos);

  auto ns = env.json({"get", "namespace", "game"});
  CHECK(ns["status"]["phase"] == "Active");
  CHECK(ns["metadata"]["labels"]["kubernetes.io/metadata.name"] == "game");

  auto again = env.kubectl({"create", "namespace", "game"});
  CHECK(again.exit_code != 0);
  CHECK(again.stderr_data.find("AlreadyExists") != std::string::npos);

  auto deleted = env.kubectl({"delete", "namespace", "game"});
  INFO(deleted.stderr_data);
  REQUIRE(deleted.exit_code == 0);
  auto gone = env.kubectl({"get", "namespace", "game"});
  CHECK(gone.exit_code != 0);
  CHECK(gone.stderr_data.find("namespaces \"game\" not found") != std::string::npos);
}

TEST_CASE("kubectl create -f, get by name, list with label selectors and delete", "[e2e]") {
  KubectlEnv env;
  std::string file = env.write_file("cms.yaml", R"(apiVersion: v1
kind: ConfigMap
metadata: {name: a, labels: {tier: web, env: prod}}
data: {k: v}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: b, labels: {tier: db, env: prod}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: c, labels: {tier: web}}
)");
  auto created = env.kubectl({"create", "-f", file});
  INFO(created.stderr_data);
  REQUIRE(created.exit_code == 0);

  auto a = env.json({"get", "configmap", "a"});
  CHECK(a["data"]["k"] == "v");
  CHECK(a["metadata"]["namespace"] == "default");

  auto names = [&](const std::string& selector) {
    auto r = env.kubectl({"get", "cm", "-l", selector, "-o", "name"});
    REQUIRE(r.exit_code == 0);
    return r.stdout_data;
  };
  CHECK(names("tier=web") == "configmap/a\nconfigmap/c\n");
  CHECK(names("tier!=web") == "configmap/b\n");
  CHECK(names("tier in (db,cache)") == "configmap/b\n");
  CHECK(names("tier notin (db),env") == "configmap/a\n");
  CHECK(names("!env") == "configmap/c\n");

  auto by_field = env.kubectl({"get", "cm", "--field-selector", "metadata.name=b", "-o", "name"});
  CHECK(by_field.stdout_data == "configmap/b\n");

  // Paging: kubectl follows `continue` tokens.
  auto paged = env.kubectl({"get", "cm", "--chunk-size=1", "-o", "name"});
  CHECK(paged.stdout_data == "configmap/a\nconfigmap/b\nconfigmap/c\n");

  auto del = env.kubectl({"delete", "cm", "a"});
  REQUIRE(del.exit_code == 0);
  CHECK(del.stdout_data.find("configmap \"a\" deleted") != std::string::npos);
  CHECK(env.kubectl({"get", "cm", "a"}).exit_code != 0);
}

TEST_CASE("kubectl get -w streams changes until the watch ends", "[e2e]") {
  KubectlEnv env;
  REQUIRE(env.kubectl({"create", "configmap", "first", "--from-literal=a=1"}).exit_code == 0);
  auto watch = std::async(std::launch::async, [&] {
    return env.kubectl({"get", "configmaps", "-w", "--output-watch-events"}, "",
                       std::chrono::seconds(60));
  });
  REQUIRE(KubectlEnv::eventually([&] { return env.count("watch", "configmaps") > 0; }));
  REQUIRE(env.kubectl({"create", "configmap", "second", "--from-literal=a=1"}).exit_code == 0);
  REQUIRE(env.kubectl({"patch", "configmap", "second", "--type=merge", "-p", R"({"data":{"a":"2"}})"}).exit_code ==
          0);
  REQUIRE(env.kubectl({"delete", "configmap", "second"}).exit_code == 0);
  // Ending the watch from the server side lets kubectl exit.
  REQUIRE(env.call("POST", "/sandbox/watches/close").status == 200);
  auto r = watch.get();
  CHECK_FALSE(r.timed_out);
  CHECK(gitmoor::test::has_row(r.stdout_data, {"ADDED", "first"}));
  CHECK(gitmoor::test::has_row(r.stdout_data, {"ADDED", "second"}));
  CHECK(gitmoor::test::has_row(r.stdout_data, {"MODIFIED", "second"}));
  CHECK(gitmoor::test::has_row(r.stdout_data, {"DELETED", "second"}));
}

TEST_CASE("kubectl reports a missing object and an unknown resource type", "[e2e]") {
  KubectlEnv env;
  auto missing = env.kubectl({"get", "deployment", "nope"});
  CHECK(missing.exit_code != 0);
  CHECK(missing.stderr_data.find("deployments.apps \"nope\" not found") != std::string::npos);
  auto unknown = env.kubectl({"get", "flurbs"});
  CHECK(unknown.exit_code != 0);
  CHECK(unknown.stderr_data.find("the server doesn't have a resource type \"flurbs\"") != std::string::npos);
  auto no_ns = env.kubectl({"create", "configmap", "x", "-n", "missing-ns"});
  CHECK(no_ns.exit_code != 0);
  CHECK(no_ns.stderr_data.find("namespaces \"missing-ns\" not found") != std::string::npos);
}
