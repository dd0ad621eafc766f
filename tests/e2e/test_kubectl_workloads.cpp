// Real kubectl against the simulated controllers: waits, rollouts, owner chains, jobs, claims.
#include <catch2/catch.hpp>

#include "kubectl_env.hpp"

using gitmoor::test::KubectlEnv;
using Json = nlohmann::json;

namespace {
const char* kDeployment = R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 3
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.25
)";
}  // namespace

TEST_CASE("kubectl wait --for=condition=Available and ReplicaSets and Pods with ownerReferences", "[e2e]") {
  KubectlEnv env;
  REQUIRE(env.kubectl({"apply", "--server-side", "-f", env.write_file("d.yaml", kDeployment)}).exit_code == 0);
  auto wait = env.kubectl({"wait", "--for=condition=Available", "deployment/web", "--timeout=60s"});
  INFO(wait.stderr_data);
  REQUIRE(wait.exit_code == 0);
  CHECK(wait.stdout_data.find("deployment.apps/web condition met") != std::string::npos);

  auto deploy = env.json({"get", "deploy", "web"});
  CHECK(deploy["status"]["observedGeneration"] == 1);
  CHECK(deploy["status"]["replicas"] == 3);
  CHECK(deploy["status"]["readyReplicas"] == 3);
  CHECK(deploy["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "1");

  auto sets = env.json({"get", "rs", "-l", "app=web"});
  REQUIRE(sets["items"].size() == 1);
  const Json& rs = sets["items"][0];
  CHECK(rs["metadata"]["ownerReferences"][0]["kind"] == "Deployment");
  CHECK(rs["metadata"]["ownerReferences"][0]["uid"] == deploy["metadata"]["uid"]);
  CHECK(rs["metadata"]["labels"].contains("pod-template-hash"));

  auto pods = env.json({"get", "pods", "-l", "app=web"});
  REQUIRE(pods["items"].size() == 3);
  for (const auto& p : pods["items"]) {
    CHECK(p["metadata"]["ownerReferences"][0]["kind"] == "ReplicaSet");
    CHECK(p["metadata"]["ownerReferences"][0]["name"] == rs["metadata"]["name"]);
    CHECK(p["status"]["phase"] == "Running");
  }
  auto ready = env.kubectl({"wait", "--for=condition=Ready", "pod", "-l", "app=web", "--timeout=60s"});
  CHECK(ready.exit_code == 0);
}

TEST_CASE("kubectl rollout status follows a rollout after set image", "[e2e]") {
  KubectlEnv env;
  REQUIRE(env.kubectl({"apply", "--server-side", "-f", env.write_file("d.yaml", kDeployment)}).exit_code == 0);
  REQUIRE(env.kubectl({"rollout", "status", "deployment/web", "--timeout=60s"}).exit_code == 0);
  auto set = env.kubectl({"set", "image", "deployment/web", "web=nginx:1.26"});
  INFO(set.stderr_data);
  REQUIRE(set.exit_code == 0);
  auto status = env.kubectl({"rollout", "status", "deployment/web", "--timeout=60s"});
  INFO(status.stderr_data);
  REQUIRE(status.exit_code == 0);
  CHECK(status.stdout_data.find("deployment \"web\" successfully rolled out") != std::string::npos);

  auto deploy = env.json({"get", "deploy", "web"});
  CHECK(deploy["metadata"]["generation"] == 2);
  CHECK(deploy["status"]["observedGeneration"] == 2);
  CHECK(deploy["status"]["updatedReplicas"] == 3);
  CHECK(deploy["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "2");
  auto sets = env.json({"get", "rs", "-l", "app=web"});
  REQUIRE(sets["items"].size() == 2);
  int scaled_down = 0;
  for (const auto& rs : sets["items"]) {
    if (rs["spec"]["replicas"] == 0) ++scaled_down;
  }
  CHECK(scaled_down == 1);
  auto pods = env.json({"get", "pods", "-l", "app=web"});
  REQUIRE(pods["items"].size() == 3);
  for (const auto& p : pods["items"]) CHECK(p["spec"]["containers"][0]["image"] == "nginx:1.26");
  auto history = env.kubectl({"rollout", "history", "deployment/web"});
  CHECK(history.exit_code == 0);
}

TEST_CASE("jobs complete, claims bind, statefulsets and load balancers report status", "[e2e]") {
  KubectlEnv env;
  auto file = env.write_file("w.yaml", R"(apiVersion: batch/v1
kind: Job
metadata: {name: once}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: run, image: busybox:1.36}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  serviceName: db
  replicas: 2
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers: [{name: db, image: postgres:16}]
  volumeClaimTemplates:
  - metadata: {name: data}
    spec:
      accessModes: [ReadWriteOnce]
      resources: {requests: {storage: 1Gi}}
---
apiVersion: v1
kind: Service
metadata: {name: front}
spec:
  type: LoadBalancer
  selector: {app: web}
  ports: [{port: 80}]
)");
  auto applied = env.kubectl({"apply", "--server-side", "-f", file});
  INFO(applied.stderr_data);
  REQUIRE(applied.exit_code == 0);
  auto job = env.kubectl({"wait", "--for=condition=Complete", "job/once", "--timeout=60s"});
  INFO(job.stderr_data);
  CHECK(job.exit_code == 0);
  CHECK(env.json({"get", "job", "once"})["status"]["succeeded"] == 1);

  auto sts = env.kubectl({"rollout", "status", "statefulset/db", "--timeout=60s"});
  INFO(sts.stderr_data);
  CHECK(sts.exit_code == 0);
  auto pvc = env.kubectl({"wait", "--for=jsonpath={.status.phase}=Bound", "pvc/data-db-0", "--timeout=60s"});
  CHECK(pvc.exit_code == 0);
  CHECK(env.json({"get", "pod", "db-1"})["status"]["phase"] == "Running");

  auto lb = env.kubectl({"wait", "--for=jsonpath={.status.loadBalancer.ingress[0].ip}", "service/front",
                         "--timeout=60s"});
  CHECK(lb.exit_code == 0);
  auto nodes = env.kubectl({"get", "nodes"});
  CHECK(nodes.stdout_data.find("sandbox-node") != std::string::npos);
}

TEST_CASE("controllers can be switched off", "[e2e]") {
  gitmoor::sandbox::SandboxOptions options;
  options.controllers = false;
  KubectlEnv env(options);
  REQUIRE(env.kubectl({"apply", "--server-side", "-f", env.write_file("d.yaml", kDeployment)}).exit_code == 0);
  REQUIRE(env.kubectl({"get", "deploy", "web"}).exit_code == 0);
  CHECK(env.json({"get", "rs"})["items"].empty());
  CHECK_FALSE(env.json({"get", "deploy", "web"}).contains("status"));
}
