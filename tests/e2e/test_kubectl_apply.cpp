// Real kubectl writes against the sandbox: server-side and client-side apply, patches, conflicts, dry runs,
// diff and scale.
#include <catch2/catch.hpp>

#include "kubectl_env.hpp"

using gitmoor::test::KubectlEnv;
using Json = nlohmann::json;

namespace {

const char* kStack = R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: backend
  namespace: game
  labels: {app: backend}
spec:
  replicas: 2
  selector:
    matchLabels: {app: backend}
  template:
    metadata:
      labels: {app: backend}
    spec:
      containers:
      - name: api
        image: example/backend:1.0
        ports:
        - containerPort: 8080
      - name: sidecar
        image: example/proxy:latest
---
apiVersion: v1
kind: Service
metadata: {name: backend, namespace: game}
spec:
  selector: {app: backend}
  ports:
  - port: 80
    targetPort: 8080
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: game}
data: {mode: fast}
---
apiVersion: v1
kind: Secret
metadata: {name: creds, namespace: game}
stringData: {password: hunter2}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: backend, namespace: game}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: backend}
  minReplicas: 2
  maxReplicas: 5
  metrics:
  - type: Resource
    resource:
      name: cpu
      target: {type: Utilization, averageUtilization: 70}
  behavior:
    scaleDown:
      stabilizationWindowSeconds: 120
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: game}
spec:
  rules:
  - host: game.example.com
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service: {name: backend, port: {number: 80}}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: game}
spec:
  serviceName: db
  replicas: 1
  selector:
    matchLabels: {app: db}
  template:
    metadata:
      labels: {app: db}
    spec:
      containers:
      - name: postgres
        image: postgres:16
  volumeClaimTemplates:
  - metadata: {name: data}
    spec:
      accessModes: [ReadWriteOnce]
      resources:
        requests: {storage: 1Gi}
---
apiVersion: batch/v1
kind: Job
metadata: {name: migrate, namespace: game}
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: migrate
        image: example/migrate:1.0
)";

void create_namespace(KubectlEnv& env, const std::string& ns) {
  auto r = env.kubectl({"create", "namespace", ns});
  REQUIRE(r.exit_code == 0);
}

}  // namespace

TEST_CASE("kubectl apply --server-side of a multi-document file creates every object with defaults", "[e2e]") {
  // Controllers off: their status writes would move resourceVersions under the no-op re-apply check below.
  gitmoor::sandbox::SandboxOptions options;
  options.controllers = false;
  KubectlEnv env(options);
  create_namespace(env, "game");
  auto file = env.write_file("stack.yaml", kStack);
  auto r = env.kubectl({"apply", "--server-side", "-f", file});
  INFO(r.stderr_data);
  REQUIRE(r.exit_code == 0);
  for (const char* line : {"deployment.apps/backend serverside-applied", "service/backend serverside-applied",
                           "configmap/settings serverside-applied", "secret/creds serverside-applied",
                           "horizontalpodautoscaler.autoscaling/backend serverside-applied",
                           "ingress.networking.k8s.io/web serverside-applied",
                           "statefulset.apps/db serverside-applied", "job.batch/migrate serverside-applied"}) {
    CHECK(r.stdout_data.find(line) != std::string::npos);
  }

  auto deploy = env.json({"get", "deployment", "backend", "-n", "game", "--show-managed-fields"});
  const Json& spec = deploy["spec"];
  CHECK(spec["revisionHistoryLimit"] == 10);
  CHECK(spec["progressDeadlineSeconds"] == 600);
  CHECK(spec["strategy"]["type"] == "RollingUpdate");
  CHECK(spec["strategy"]["rollingUpdate"]["maxSurge"] == "25%");
  const Json& pod = spec["template"]["spec"];
  CHECK(pod["restartPolicy"] == "Always");
  CHECK(pod["dnsPolicy"] == "ClusterFirst");
  CHECK(pod["schedulerName"] == "default-scheduler");
  CHECK(pod["terminationGracePeriodSeconds"] == 30);
  CHECK(pod["securityContext"] == Json::object());
  CHECK(pod["containers"][0]["imagePullPolicy"] == "IfNotPresent");
  CHECK(pod["containers"][1]["imagePullPolicy"] == "Always");
  CHECK(pod["containers"][0]["terminationMessagePath"] == "/dev/termination-log");
  CHECK(pod["containers"][0]["ports"][0]["protocol"] == "TCP");
  CHECK(deploy["metadata"]["generation"] == 1);
  const Json& managed = deploy["metadata"]["managedFields"];
  REQUIRE(managed.is_array());
  CHECK(managed[0]["manager"] == "kubectl");
  CHECK(managed[0]["operation"] == "Apply");
  CHECK(managed[0]["apiVersion"] == "apps/v1");
  CHECK(managed[0]["fieldsType"] == "FieldsV1");
  CHECK(managed[0]["fieldsV1"]["f:spec"]["f:replicas"] == Json::object());
  CHECK(managed[0]["fieldsV1"]["f:spec"]["f:template"]["f:spec"]["f:containers"].contains(R"(k:{"name":"api"})"));

  auto svc = env.json({"get", "service", "backend", "-n", "game"});
  CHECK(svc["spec"]["type"] == "ClusterIP");
  CHECK(svc["spec"]["sessionAffinity"] == "None");
  CHECK(svc["spec"]["clusterIP"].get<std::string>().rfind("10.", 0) == 0);
  CHECK(svc["spec"]["clusterIPs"][0] == svc["spec"]["clusterIP"]);
  CHECK(svc["spec"]["ipFamilies"] == Json::array({"IPv4"}));
  CHECK(svc["spec"]["ipFamilyPolicy"] == "SingleStack");
  CHECK(svc["spec"]["ports"][0]["protocol"] == "TCP");

  auto secret = env.json({"get", "secret", "creds", "-n", "game"});
  CHECK(secret["data"]["password"] == "aHVudGVyMg==");
  CHECK(secret["type"] == "Opaque");
  CHECK_FALSE(secret.contains("stringData"));

  auto hpa = env.json({"get", "hpa", "backend", "-n", "game"});
  CHECK(hpa["spec"]["behavior"]["scaleDown"]["stabilizationWindowSeconds"] == 120);
  CHECK(hpa["spec"]["behavior"]["scaleDown"]["selectPolicy"] == "Max");
  CHECK(hpa["spec"]["behavior"]["scaleUp"]["policies"].size() == 2);

  auto sts = env.json({"get", "statefulset", "db", "-n", "game"});
  CHECK(sts["spec"]["podManagementPolicy"] == "OrderedReady");
  CHECK(sts["spec"]["volumeClaimTemplates"][0]["spec"]["volumeMode"] == "Filesystem");
  CHECK(sts["spec"]["volumeClaimTemplates"][0]["kind"] == "PersistentVolumeClaim");

  auto job = env.json({"get", "job", "migrate", "-n", "game"});
  CHECK(job["spec"]["backoffLimit"] == 6);
  CHECK(job["spec"]["completions"] == 1);

  // Applying the same file again changes nothing: same resourceVersion.
  std::string rv = deploy["metadata"]["resourceVersion"];
  REQUIRE(env.kubectl({"apply", "--server-side", "-f", file}).exit_code == 0);
  CHECK(env.json({"get", "deployment", "backend", "-n", "game"})["metadata"]["resourceVersion"] == rv);
}

TEST_CASE("client-side kubectl apply creates, reports unchanged, then configures", "[e2e]") {
  KubectlEnv env;
  auto file = env.write_file("cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app}\ndata: {a: '1'}\n");
  auto first = env.kubectl({"apply", "-f", file});
  INFO(first.stderr_data);
  REQUIRE(first.exit_code == 0);
  CHECK(first.stdout_data.find("configmap/app created") != std::string::npos);
  auto cm = env.json({"get", "cm", "app"});
  CHECK(cm["metadata"]["annotations"].contains("kubectl.kubernetes.io/last-applied-configuration"));

  auto second = env.kubectl({"apply", "-f", file});
  CHECK(second.stdout_data.find("configmap/app unchanged") != std::string::npos);

  env.write_file("cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app}\ndata: {b: '2'}\n");
  auto third = env.kubectl({"apply", "-f", file});
  CHECK(third.stdout_data.find("configmap/app configured") != std::string::npos);
  cm = env.json({"get", "cm", "app"});
  CHECK(cm["data"] == Json{{"b", "2"}});
}

TEST_CASE("kubectl patch: merge, strategic by container name, and JSON patch", "[e2e]") {
  KubectlEnv env;
  create_namespace(env, "game");
  REQUIRE(env.kubectl({"apply", "--server-side", "-f", env.write_file("stack.yaml", kStack)}).exit_code == 0);

  auto merge = env.kubectl({"patch", "deployment", "backend", "-n", "game", "--type=merge", "-p",
                            R"({"metadata":{"labels":{"tier":"api"}}})"});
  INFO(merge.stderr_data);
  REQUIRE(merge.exit_code == 0);
  CHECK(env.json({"get", "deploy", "backend", "-n", "game"})["metadata"]["labels"]["tier"] == "api");

  auto strategic = env.kubectl({"patch", "deployment", "backend", "-n", "game", "-p",
                                R"({"spec":{"template":{"spec":{"containers":[{"name":"api","image":"example/backend:2.0"}]}}}})"});
  INFO(strategic.stderr_data);
  REQUIRE(strategic.exit_code == 0);
  auto deploy = env.json({"get", "deploy", "backend", "-n", "game"});
  const Json& containers = deploy["spec"]["template"]["spec"]["containers"];
  REQUIRE(containers.size() == 2);  // the sidecar is kept: containers merge by name
  CHECK(containers[0]["image"] == "example/backend:2.0");
  CHECK(containers[1]["name"] == "sidecar");
  CHECK(deploy["metadata"]["generation"] == 2);

  auto json_patch = env.kubectl({"patch", "deployment", "backend", "-n", "game", "--type=json", "-p",
                                 R"([{"op":"replace","path":"/spec/replicas","value":4}])"});
  INFO(json_patch.stderr_data);
  REQUIRE(json_patch.exit_code == 0);
  CHECK(env.json({"get", "deploy", "backend", "-n", "game"})["spec"]["replicas"] == 4);

  auto bad = env.kubectl({"patch", "deployment", "backend", "-n", "game", "--type=json", "-p",
                          R"([{"op":"test","path":"/spec/replicas","value":9}])"});
  CHECK(bad.exit_code != 0);
}

TEST_CASE("a second field manager conflicts (409 naming the manager) until --force-conflicts", "[e2e]") {
  KubectlEnv env;
  auto v1 = env.write_file("cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: shared}\ndata: {key: one}\n");
  REQUIRE(env.kubectl({"apply", "--server-side", "-f", v1}).exit_code == 0);

  auto v2 = env.write_file("cm2.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: shared}\ndata: {key: two}\n");
  auto conflict = env.kubectl({"apply", "--server-side", "--field-manager=ops", "-f", v2});
  CHECK(conflict.exit_code != 0);
  CHECK(conflict.stderr_data.find("conflict with \"kubectl\"") != std::string::npos);
  CHECK(conflict.stderr_data.find(".data.key") != std::string::npos);
  CHECK(env.json({"get", "cm", "shared"})["data"]["key"] == "one");

  auto forced = env.kubectl({"apply", "--server-side", "--field-manager=ops", "--force-conflicts", "-f", v2});
  INFO(forced.stderr_data);
  REQUIRE(forced.exit_code == 0);
  auto cm = env.json({"get", "cm", "shared", "--show-managed-fields"});
  CHECK(cm["data"]["key"] == "two");
  bool ops_owns = false;
  bool kubectl_owns = false;
  for (const auto& entry : cm["metadata"]["managedFields"]) {
    bool owns = entry["fieldsV1"].contains("f:data") && entry["fieldsV1"]["f:data"].contains("f:key");
    if (entry["manager"] == "ops") ops_owns = owns;
    if (entry["manager"] == "kubectl") kubectl_owns = owns;
  }
  CHECK(ops_owns);
  CHECK_FALSE(kubectl_owns);
}

TEST_CASE("removing a field from the applied file removes it from the object", "[e2e]") {
  KubectlEnv env;
  auto file = env.write_file("cm.yaml",
                             "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app, labels: {a: x, b: z}}\n"
                             "data: {keep: '1', drop: '2'}\n");
  REQUIRE(env.kubectl({"apply", "--server-side", "-f", file}).exit_code == 0);
  // Another manager's field survives the removal.
  REQUIRE(env.kubectl({"label", "cm", "app", "owner=ops"}).exit_code == 0);
  env.write_file("cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app, labels: {a: x}}\ndata: {keep: '1'}\n");
  REQUIRE(env.kubectl({"apply", "--server-side", "-f", file}).exit_code == 0);
  auto cm = env.json({"get", "cm", "app"});
  CHECK(cm["data"] == Json{{"keep", "1"}});
  CHECK(cm["metadata"]["labels"] == Json{{"a", "x"}, {"owner", "ops"}});
}

TEST_CASE("removing a container from the applied file removes the container", "[e2e]") {
  // Controllers off: a status write between kubectl diff's read and its dry run would show as a difference.
  gitmoor::sandbox::SandboxOptions options;
  options.controllers = false;
  KubectlEnv env(options);
  const std::string two = R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: backend}
spec:
  selector: {matchLabels: {app: backend}}
  template:
    metadata: {labels: {app: backend}}
    spec:
      containers:
      - {name: api, image: example/backend:1.0}
      - {name: worker, image: example/backend:1.0, args: [worker]}
)";
  auto file = env.write_file("d.yaml", two);
  REQUIRE(env.kubectl({"apply", "--server-side", "-f", file}).exit_code == 0);
  REQUIRE(env.json({"get", "deployment", "backend"})["spec"]["template"]["spec"]["containers"].size() == 2);
  std::string one = two.substr(0, two.find("      - {name: worker"));
  env.write_file("d.yaml", one);
  auto applied = env.kubectl({"apply", "--server-side", "-f", file});
  INFO(applied.stderr_data);
  REQUIRE(applied.exit_code == 0);
  auto containers = env.json({"get", "deployment", "backend"})["spec"]["template"]["spec"]["containers"];
  REQUIRE(containers.size() == 1);
  CHECK(containers[0]["name"] == "api");
  // Nothing left to change: kubectl diff agrees.
  CHECK(env.kubectl({"diff", "--server-side", "-f", file}).exit_code == 0);
}

TEST_CASE("kubectl apply --dry-run=server persists nothing", "[e2e]") {
  KubectlEnv env;
  auto file = env.write_file("cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: dry}\ndata: {a: '1'}\n");
  auto r = env.kubectl({"apply", "--server-side", "--dry-run=server", "-f", file});
  INFO(r.stderr_data);
  REQUIRE(r.exit_code == 0);
  CHECK(r.stdout_data.find("configmap/dry serverside-applied (server dry run)") != std::string::npos);
  CHECK(env.kubectl({"get", "cm", "dry"}).exit_code != 0);

  REQUIRE(env.kubectl({"apply", "--server-side", "-f", file}).exit_code == 0);
  auto del = env.kubectl({"delete", "cm", "dry", "--dry-run=server"});
  REQUIRE(del.exit_code == 0);
  CHECK(env.kubectl({"get", "cm", "dry"}).exit_code == 0);
  auto created = env.kubectl({"create", "cm", "other", "--dry-run=server"});
  REQUIRE(created.exit_code == 0);
  CHECK(env.kubectl({"get", "cm", "other"}).exit_code != 0);
}

TEST_CASE("kubectl diff --server-side exits 0 without changes and 1 with changes", "[e2e]") {
  KubectlEnv env;
  auto file = env.write_file("cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app}\ndata: {a: '1'}\n");
  REQUIRE(env.kubectl({"apply", "--server-side", "-f", file}).exit_code == 0);
  auto same = env.kubectl({"diff", "--server-side", "-f", file});
  INFO(same.stdout_data << same.stderr_data);
  CHECK(same.exit_code == 0);
  env.write_file("cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app}\ndata: {a: '2'}\n");
  auto changed = env.kubectl({"diff", "--server-side", "-f", file});
  CHECK(changed.exit_code == 1);
  CHECK(changed.stdout_data.find("+  a: \"2\"") != std::string::npos);
  CHECK(env.json({"get", "cm", "app"})["data"]["a"] == "1");
}

TEST_CASE("kubectl scale goes through the scale subresource", "[e2e]") {
  KubectlEnv env;
  create_namespace(env, "game");
  REQUIRE(env.kubectl({"apply", "--server-side", "-f", env.write_file("stack.yaml", kStack)}).exit_code == 0);
  auto r = env.kubectl({"scale", "deployment", "backend", "-n", "game", "--replicas=5"});
  INFO(r.stderr_data);
  REQUIRE(r.exit_code == 0);
  CHECK(env.json({"get", "deploy", "backend", "-n", "game"})["spec"]["replicas"] == 5);
  auto guarded = env.kubectl({"scale", "deployment", "backend", "-n", "game", "--current-replicas=5", "--replicas=3"});
  INFO(guarded.stderr_data);
  REQUIRE(guarded.exit_code == 0);
  CHECK(env.json({"get", "deploy", "backend", "-n", "game"})["spec"]["replicas"] == 3);
  auto wrong = env.kubectl({"scale", "deployment", "backend", "-n", "game", "--current-replicas=9", "--replicas=1"});
  CHECK(wrong.exit_code != 0);
  auto sts = env.kubectl({"scale", "statefulset", "db", "-n", "game", "--replicas=2"});
  REQUIRE(sts.exit_code == 0);
  CHECK(env.json({"get", "sts", "db", "-n", "game"})["spec"]["replicas"] == 2);
}
