// Real kubectl against the sandbox: deletion with cascade modes, finalizers, namespaces, CRDs, validation errors,
// TLS and tokens.
#include <catch2/catch.hpp>

#include "kubectl_env.hpp"

using gitmoor::test::KubectlEnv;
using Json = nlohmann::json;

namespace {
const char* kDeployment = R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers: [{name: web, image: nginx:1.25}]
)";

void deploy_and_wait(KubectlEnv& env) {
  REQUIRE(env.kubectl({"apply", "--server-side", "-f", env.write_file("d.yaml", kDeployment)}).exit_code == 0);
  REQUIRE(env.kubectl({"rollout", "status", "deployment/web", "--timeout=60s"}).exit_code == 0);
}
}  // namespace

TEST_CASE("kubectl delete --cascade: background and foreground collect dependents, orphan keeps them", "[e2e]") {
  for (const char* mode : {"background", "foreground"}) {
    KubectlEnv env;
    deploy_and_wait(env);
    auto del = env.kubectl({"delete", "deployment", "web", std::string("--cascade=") + mode});
    INFO(mode << ": " << del.stderr_data);
    REQUIRE(del.exit_code == 0);
    CHECK(env.kubectl({"get", "deploy", "web"}).exit_code != 0);
    CHECK(KubectlEnv::eventually([&] { return env.json({"get", "rs"})["items"].empty(); }));
    CHECK(KubectlEnv::eventually([&] { return env.json({"get", "pods"})["items"].empty(); }));
  }
  KubectlEnv env;
  deploy_and_wait(env);
  auto del = env.kubectl({"delete", "deployment", "web", "--cascade=orphan"});
  REQUIRE(del.exit_code == 0);
  auto sets = env.json({"get", "rs"});
  REQUIRE(sets["items"].size() == 1);
  CHECK_FALSE(sets["items"][0]["metadata"].contains("ownerReferences"));
  CHECK(env.json({"get", "pods"})["items"].size() == 2);
}

TEST_CASE("finalizers hold a deletion until removed", "[e2e]") {
  KubectlEnv env;
  auto file = env.write_file("cm.yaml", R"(apiVersion: v1
kind: ConfigMap
metadata: {name: held, finalizers: [example.com/hold]}
)");
  REQUIRE(env.kubectl({"apply", "--server-side", "-f", file}).exit_code == 0);
  auto del = env.kubectl({"delete", "cm", "held", "--wait=false"});
  REQUIRE(del.exit_code == 0);
  auto cm = env.json({"get", "cm", "held"});
  CHECK(cm["metadata"].contains("deletionTimestamp"));
  auto patch = env.kubectl({"patch", "cm", "held", "--type=merge", "-p", R"({"metadata":{"finalizers":null}})"});
  INFO(patch.stderr_data);
  REQUIRE(patch.exit_code == 0);
  CHECK(env.kubectl({"get", "cm", "held"}).exit_code != 0);
}

TEST_CASE("deleting a namespace deletes what it holds", "[e2e]") {
  KubectlEnv env;
  REQUIRE(env.kubectl({"create", "namespace", "doomed"}).exit_code == 0);
  REQUIRE(env.kubectl({"create", "configmap", "a", "-n", "doomed"}).exit_code == 0);
  REQUIRE(env.kubectl({"create", "deployment", "d", "-n", "doomed", "--image=nginx:1.25"}).exit_code == 0);
  auto del = env.kubectl({"delete", "namespace", "doomed"});
  INFO(del.stderr_data);
  REQUIRE(del.exit_code == 0);
  CHECK(env.kubectl({"get", "namespace", "doomed"}).exit_code != 0);
  CHECK(env.json({"get", "cm", "-A"})["items"].empty());
  CHECK(env.json({"get", "pods", "-A"})["items"].empty());
}

TEST_CASE("a CRD, its custom resources through discovery, then CRD deletion", "[e2e]") {
  KubectlEnv env;
  auto crd = env.write_file("crd.yaml", R"(apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: applications.gitmoor.dev}
spec:
  group: gitmoor.dev
  scope: Namespaced
  names: {plural: applications, singular: application, kind: Application, shortNames: [gapp]}
  versions:
  - name: v1alpha1
    served: true
    storage: true
    subresources: {status: {}}
    schema:
      openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
)");
  auto created = env.kubectl({"apply", "--server-side", "-f", crd});
  INFO(created.stderr_data);
  REQUIRE(created.exit_code == 0);
  REQUIRE(env.kubectl({"wait", "--for=condition=Established", "crd/applications.gitmoor.dev", "--timeout=30s"})
              .exit_code == 0);
  auto resources = env.kubectl({"api-resources", "--api-group=gitmoor.dev"});
  CHECK(gitmoor::test::has_row(resources.stdout_data, {"applications", "gapp", "gitmoor.dev/v1alpha1", "true",
                                                       "Application"}));
  auto app = env.write_file("app.yaml", R"(apiVersion: gitmoor.dev/v1alpha1
kind: Application
metadata: {name: tetris}
spec:
  source: {repoURL: https://example.com/repo.git, path: helm/tetris}
)");
  auto applied = env.kubectl({"apply", "--server-side", "-f", app});
  INFO(applied.stderr_data);
  REQUIRE(applied.exit_code == 0);
  auto got = env.kubectl({"get", "gapp", "tetris", "-o", "jsonpath={.spec.source.path}"});
  CHECK(got.stdout_data == "helm/tetris");
  auto status = env.kubectl({"patch", "gapp", "tetris", "--subresource=status", "--type=merge", "-p",
                             R"({"status":{"sync":{"status":"Synced"}}})"});
  INFO(status.stderr_data);
  CHECK(status.exit_code == 0);
  CHECK(env.json({"get", "application.gitmoor.dev", "tetris"})["status"]["sync"]["status"] == "Synced");

  REQUIRE(env.kubectl({"delete", "crd", "applications.gitmoor.dev"}).exit_code == 0);
  auto after = env.kubectl({"get", "applications.gitmoor.dev"});
  CHECK(after.exit_code != 0);
  CHECK(after.stderr_data.find("the server doesn't have a resource type") != std::string::npos);
}

TEST_CASE("validation errors come back as kubectl shows them from a real cluster", "[e2e]") {
  KubectlEnv env;
  auto bad_name = env.kubectl({"create", "configmap", "Bad_Name"});
  CHECK(bad_name.exit_code != 0);
  CHECK(bad_name.stderr_data.find("ConfigMap \"Bad_Name\" is invalid: metadata.name: Invalid value: \"Bad_Name\": "
                                  "a lowercase RFC 1123 subdomain") != std::string::npos);

  std::string big(300000, 'x');
  auto annotations = env.write_file("big.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\n"
                                                "  annotations:\n    blob: " + big + "\n");
  auto too_long = env.kubectl({"apply", "--server-side", "-f", annotations});
  CHECK(too_long.exit_code != 0);
  CHECK(too_long.stderr_data.find("metadata.annotations: Too long: may not be more than 262144 bytes") !=
        std::string::npos);
  // Client-side apply of the same file fails the same way (the last-applied annotation alone is too big).
  CHECK(env.kubectl({"apply", "-f", annotations}).exit_code != 0);

  std::string huge(3u << 20, 'y');
  auto body = env.write_file("huge.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: huge\ndata:\n  blob: " +
                                              huge + "\n");
  auto too_large = env.kubectl({"create", "-f", body});
  CHECK(too_large.exit_code != 0);
  CHECK(too_large.stderr_data.find("RequestEntityTooLarge") != std::string::npos);

  auto missing = env.kubectl({"get", "--raw", "/api/v1/namespaces/default/flurbs"});
  CHECK(missing.exit_code != 0);
  CHECK(missing.stderr_data.find("NotFound") != std::string::npos);

  auto malformed = env.kubectl({"create", "--raw", "/api/v1/namespaces/default/configmaps", "-f",
                                env.write_file("bad.json", "{\"apiVersion\": \"v1\", \"kind\": ")});
  CHECK(malformed.exit_code != 0);
  CHECK(malformed.stderr_data.find("BadRequest") != std::string::npos);

  REQUIRE(env.kubectl({"create", "configmap", "target"}).exit_code == 0);
  auto media = env.call("PATCH", "/api/v1/namespaces/default/configmaps/target", "{}");
  CHECK(media.status == 415);
}

TEST_CASE("TLS with a bearer token, a wrong token is refused with 401", "[e2e]") {
  gitmoor::sandbox::SandboxOptions options;
  options.tls = true;
  options.token = "s3cret";
  KubectlEnv env(options);
  CHECK(env.sandbox().url().rfind("https://", 0) == 0);
  auto ok = env.kubectl({"get", "ns"});
  INFO(ok.stderr_data);
  REQUIRE(ok.exit_code == 0);
  CHECK(ok.stdout_data.find("default") != std::string::npos);
  REQUIRE(env.kubectl({"create", "configmap", "over-tls"}).exit_code == 0);
  auto wrong = env.kubectl({"get", "ns", "--token=wrong"});
  CHECK(wrong.exit_code != 0);
  CHECK(wrong.stderr_data.find("Unauthorized") != std::string::npos);
  auto insecure = env.kubectl({"get", "ns", "--server", "http://127.0.0.1:" + std::to_string(env.sandbox().port())});
  CHECK(insecure.exit_code != 0);
}
