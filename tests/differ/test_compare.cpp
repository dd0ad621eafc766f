#include <catch2/catch.hpp>

#include "differ_support.hpp"
#include "gitmoor/differ/diff.hpp"
#include "gitmoor/differ/field_set.hpp"

using namespace gitmoor;
using test::object_of;

namespace {

const char* kDesired = R"(
apiVersion: apps/v1
kind: Deployment
metadata: {name: backend, namespace: game, labels: {app: backend}}
spec:
  replicas: 2
  selector: {matchLabels: {app: backend}}
  template:
    metadata: {labels: {app: backend}}
    spec:
      containers:
      - name: api
        image: tetris/backend:abc
        ports: [{containerPort: 8080}]
        env: [{name: MODE, value: prod}]
        resources: {limits: {cpu: 0.5, memory: 1Gi}}
)";

// What a real API server returns after `kubectl apply --server-side --field-manager=gitmoor` of kDesired.
const char* kLive = R"(
apiVersion: apps/v1
kind: Deployment
metadata:
  name: backend
  namespace: game
  labels: {app: backend}
  uid: 7d3c
  resourceVersion: "42"
  generation: 1
  annotations: {deployment.kubernetes.io/revision: "1"}
  managedFields:
  - manager: gitmoor
    operation: Apply
    apiVersion: apps/v1
    fieldsType: FieldsV1
    fieldsV1:
      f:metadata: {f:labels: {f:app: {}}}
      f:spec:
        f:replicas: {}
        f:selector: {}
        f:template:
          f:metadata: {f:labels: {f:app: {}}}
          f:spec:
            f:containers:
              k:{"name":"api"}:
                .: {}
                f:env:
                  k:{"name":"MODE"}: {.: {}, f:name: {}, f:value: {}}
                f:image: {}
                f:name: {}
                f:ports:
                  k:{"containerPort":8080,"protocol":"TCP"}: {.: {}, f:containerPort: {}}
                f:resources: {f:limits: {f:cpu: {}, f:memory: {}}}
  - manager: kube-controller-manager
    operation: Update
    subresource: status
    fieldsV1: {f:status: {f:replicas: {}}}
spec:
  replicas: 2
  revisionHistoryLimit: 10
  progressDeadlineSeconds: 600
  selector: {matchLabels: {app: backend}}
  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 25%, maxUnavailable: 25%}}
  template:
    metadata: {labels: {app: backend}, creationTimestamp: null}
    spec:
      containers:
      - name: api
        image: tetris/backend:abc
        imagePullPolicy: IfNotPresent
        ports: [{containerPort: 8080, protocol: TCP}]
        env: [{name: MODE, value: prod}]
        resources: {limits: {cpu: 500m, memory: "1073741824"}}
        terminationMessagePath: /dev/termination-log
        terminationMessagePolicy: File
      restartPolicy: Always
      dnsPolicy: ClusterFirst
      schedulerName: default-scheduler
      securityContext: {}
      terminationGracePeriodSeconds: 30
status: {replicas: 2, readyReplicas: 2}
)";

std::vector<std::string> paths(const differ::ResourceDiff& diff) {
  std::vector<std::string> out;
  for (const auto& c : diff.changes) out.push_back(std::string(differ::to_string(c.op)) + " " + c.path);
  return out;
}

}  // namespace

TEST_CASE("a freshly applied object with server defaults is in sync", "[differ][compare]") {
  auto desired = object_of(kDesired);
  auto live = object_of(kLive);
  auto diff = differ::diff_resource(&desired, &live);
  INFO(paths(diff).size());
  CHECK(paths(diff).empty());
  CHECK(diff.status == differ::SyncStatus::Synced);
}

TEST_CASE("a changed image is drift, with the predicted object", "[differ][compare]") {
  auto desired = object_of(kDesired);
  desired.json()["spec"]["template"]["spec"]["containers"][0]["image"] = "tetris/backend:def";
  auto live = object_of(kLive);
  auto diff = differ::diff_resource(&desired, &live);
  REQUIRE(diff.status == differ::SyncStatus::OutOfSync);
  CHECK(paths(diff) == std::vector<std::string>{"replace /spec/template/spec/containers/0/image"});
  CHECK(diff.changes[0].desired == "tetris/backend:def");
  CHECK(diff.changes[0].live == "tetris/backend:abc");
  CHECK(diff.predicted["spec"]["template"]["spec"]["containers"][0]["image"] == "tetris/backend:def");
  // Defaults survive in the prediction; server fields do not.
  CHECK(diff.predicted["spec"]["revisionHistoryLimit"] == 10);
  CHECK_FALSE(diff.predicted.contains("status"));
  CHECK_FALSE(diff.predicted["metadata"].contains("managedFields"));
}

TEST_CASE("a field gitmoor applied and Git dropped is drift (apply removes it)", "[differ][compare]") {
  auto desired = object_of(kDesired);
  desired.json()["spec"]["template"]["spec"]["containers"][0].erase("env");
  desired.json()["metadata"].erase("labels");
  auto live = object_of(kLive);
  auto diff = differ::diff_resource(&desired, &live);
  CHECK(paths(diff) == std::vector<std::string>{"remove /metadata/labels/app",
                                                "remove /spec/template/spec/containers/0/env/0"});
  CHECK_FALSE(diff.predicted["spec"]["template"]["spec"]["containers"][0].contains("env"));
  CHECK_FALSE(diff.predicted["metadata"].contains("labels"));
}

TEST_CASE("an env var added in Git is drift, one removed only when gitmoor owned it", "[differ][compare]") {
  auto desired = object_of(kDesired);
  desired.json()["spec"]["template"]["spec"]["containers"][0]["env"].push_back({{"name", "LOG"}, {"value", "1"}});
  auto live = object_of(kLive);
  auto diff = differ::diff_resource(&desired, &live);
  CHECK(paths(diff) == std::vector<std::string>{"add /spec/template/spec/containers/0/env/1"});

  // An env var set by someone else (kubectl set env) is theirs: not drift.
  auto desired2 = object_of(kDesired);
  auto live2 = object_of(kLive);
  live2.json()["spec"]["template"]["spec"]["containers"][0]["env"].push_back({{"name", "DEBUG"}, {"value", "1"}});
  CHECK(differ::diff_resource(&desired2, &live2).status == differ::SyncStatus::Synced);
}

TEST_CASE("list-maps match by key, not position", "[differ][compare]") {
  auto desired = object_of(kDesired);
  auto& containers = desired.json()["spec"]["template"]["spec"]["containers"];
  containers.insert(containers.begin(), core::parse_yaml("{name: sidecar, image: envoy}"));
  auto live = object_of(kLive);
  auto diff = differ::diff_resource(&desired, &live);
  CHECK(paths(diff) == std::vector<std::string>{"add /spec/template/spec/containers/0"});
  CHECK(diff.predicted["spec"]["template"]["spec"]["containers"].size() == 2);
}

TEST_CASE("replicas changed without an HPA is drift, with an HPA it is not", "[differ][compare]") {
  auto desired = object_of(kDesired);
  auto live = object_of(kLive);
  live.json()["spec"]["replicas"] = 5;
  CHECK(paths(differ::diff_resource(&desired, &live)) == std::vector<std::string>{"replace /spec/replicas"});

  auto hpa = object_of(R"(
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: backend, namespace: game}
spec: {scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: backend}, minReplicas: 2, maxReplicas: 5}
)");
  auto targets = differ::hpa_targets({&hpa});
  CHECK(differ::diff_resource(&desired, &live, {}, targets).status == differ::SyncStatus::Synced);
  CHECK(differ::diff_resource(&desired, &live, {.ignore_hpa_replicas = false}, targets).status ==
        differ::SyncStatus::OutOfSync);
}

TEST_CASE("ignoreDifferences by JSON pointer and by manager", "[differ][compare][ignore]") {
  auto desired = object_of(kDesired);
  desired.json()["spec"]["template"]["spec"]["containers"][0]["image"] = "tetris/backend:def";
  auto live = object_of(kLive);
  auto rules = differ::parse_ignore_rules(core::parse_yaml(R"(
- group: apps
  kind: Deployment
  jsonPointers: [/spec/template/spec/containers/0/image]
)"));
  CHECK(differ::diff_resource(&desired, &live, {.ignore_rules = rules}).status == differ::SyncStatus::Synced);
  rules[0].name = "other";
  CHECK(differ::diff_resource(&desired, &live, {.ignore_rules = rules}).status == differ::SyncStatus::OutOfSync);

  // kubectl set image made another manager own the image: ignore what that manager owns.
  live.json()["spec"]["template"]["spec"]["containers"][0]["image"] = "tetris/backend:hotfix";
  live.json()["metadata"]["managedFields"].push_back(core::parse_yaml(R"(
manager: kubectl-set
operation: Update
fieldsV1:
  f:spec:
    f:template:
      f:spec:
        f:containers:
          k:{"name":"api"}: {f:image: {}}
)"));
  auto by_manager = differ::parse_ignore_rules(core::parse_yaml("[{kind: Deployment, managedFieldsManagers: [kubectl-set]}]"));
  CHECK(differ::diff_resource(&desired, &live, {.ignore_rules = by_manager}).status == differ::SyncStatus::Synced);
  CHECK(differ::diff_resource(&desired, &live).status == differ::SyncStatus::OutOfSync);
}

TEST_CASE("ignore rules reject what they cannot honour", "[differ][ignore]") {
  CHECK_THROWS_AS(differ::parse_ignore_rules(core::parse_yaml("[{kind: X, jqPathExpressions: ['.spec']}]")),
                  core::InvalidInput);
  CHECK_THROWS_AS(differ::parse_ignore_rules(core::parse_yaml("[{kind: X, jsonPointers: [spec]}]")), core::InvalidInput);
  auto rules = differ::parse_ignore_rules(core::parse_yaml("{spec: {ignoreDifferences: [{group: '', kind: Service}]}}"));
  REQUIRE(rules.size() == 1);
  CHECK(rules[0].matches({"", "Service", "a", "b"}));
  CHECK_FALSE(rules[0].matches({"apps", "Service", "a", "b"}));
}

TEST_CASE("missing and extraneous resources, app aggregation", "[differ][compare]") {
  auto desired = object_of(kDesired);
  auto live = object_of(kLive);
  auto stray = object_of(R"(
apiVersion: v1
kind: ConfigMap
metadata: {name: old, namespace: game, annotations: {gitmoor.dev/tracking-id: "tetris:/ConfigMap:game/old"}}
)");
  auto foreign = object_of("{apiVersion: v1, kind: ConfigMap, metadata: {name: kube-root-ca.crt, namespace: game}}");
  auto svc = object_of("{apiVersion: v1, kind: Service, metadata: {name: backend, namespace: game}, spec: {ports: [{port: 80}]}}");

  auto app = differ::diff_app({desired, svc}, {live, stray, foreign});
  REQUIRE(app.resources.size() == 3);
  CHECK(app.resources[0].key.to_string() == "/ConfigMap game/old");
  CHECK(app.resources[0].status == differ::SyncStatus::Extraneous);
  CHECK(app.resources[1].status == differ::SyncStatus::Missing);
  CHECK(app.resources[2].status == differ::SyncStatus::Synced);
  CHECK(app.status() == differ::SyncStatus::OutOfSync);
  CHECK(app.count(differ::SyncStatus::Missing) == 1);

  stray.set_annotation("argocd.argoproj.io/compare-options", "IgnoreExtraneous");
  CHECK(differ::diff_app({desired}, {live, stray}).in_sync());
}

TEST_CASE("atomic lists compare whole, with server defaults inside elements", "[differ][compare]") {
  auto desired = object_of(R"(
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: game}
spec:
  rules:
  - host: tetris.example
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: frontend, port: {number: 80}}}}]}
)");
  auto live = desired;
  CHECK(differ::diff_resource(&desired, &live).status == differ::SyncStatus::Synced);
  live.json()["spec"]["rules"].push_back({{"host", "extra.example"}});
  auto diff = differ::diff_resource(&desired, &live);
  CHECK(paths(diff) == std::vector<std::string>{"replace /spec/rules"});
}

TEST_CASE("custom resources compare lists atomically and maps by key", "[differ][compare]") {
  auto desired = object_of("{apiVersion: example.com/v1, kind: Widget, metadata: {name: w}, spec: {items: [{name: a, size: 1}]}}");
  auto live = object_of("{apiVersion: example.com/v1, kind: Widget, metadata: {name: w}, spec: {items: [{name: a, size: 1}], extra: 1}}");
  CHECK(differ::diff_resource(&desired, &live).status == differ::SyncStatus::Synced);
  live.json()["spec"]["items"].push_back({{"name", "b"}});
  CHECK(differ::diff_resource(&desired, &live).status == differ::SyncStatus::OutOfSync);
}

TEST_CASE("finalizers are a set, owned set values dropped from Git are removed", "[differ][compare]") {
  auto desired = object_of("{apiVersion: v1, kind: ConfigMap, metadata: {name: c, finalizers: [a.io/x]}, data: {k: v}}");
  auto live = object_of(R"(
apiVersion: v1
kind: ConfigMap
metadata:
  name: c
  finalizers: [a.io/x, b.io/y, c.io/z]
  managedFields:
  - manager: gitmoor
    operation: Apply
    fieldsV1:
      f:data: {f:k: {}}
      f:metadata:
        f:finalizers:
          v:"a.io/x": {}
          v:"b.io/y": {}
data: {k: v}
)");
  auto diff = differ::diff_resource(&desired, &live);
  CHECK(paths(diff) == std::vector<std::string>{"remove /metadata/finalizers/1"});
  CHECK(diff.predicted["metadata"]["finalizers"] == core::parse_yaml("[a.io/x, c.io/z]"));
  desired.json()["metadata"]["finalizers"].push_back("d.io/w");
  CHECK(paths(differ::diff_resource(&desired, &live)) ==
        std::vector<std::string>{"add /metadata/finalizers/1", "remove /metadata/finalizers/1"});
}

TEST_CASE("list-map keys with escapes or odd shapes still match through the full parser", "[differ][compare]") {
  auto desired = object_of(R"(
apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
spec: {template: {spec: {containers: [{name: a, env: [{name: X, value: "1"}]}]}}}
)");
  auto live = object_of(R"(
apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
  managedFields:
  - manager: gitmoor
    operation: Apply
    fieldsV1:
      f:spec:
        f:template:
          f:spec:
            f:containers:
              k:{"name":"a"}:
                f:env:
                  k:{"name":"X"}: {.: {}, f:name: {}, f:value: {}}
                  k:{"name":"Y\u0020Z"}: {.: {}, f:name: {}}
spec: {template: {spec: {containers: [{name: a, env: [{name: X, value: "1"}, {name: Y Z}]}]}}}
)");
  CHECK(paths(differ::diff_resource(&desired, &live)) ==
        std::vector<std::string>{"remove /spec/template/spec/containers/0/env/1"});
}

TEST_CASE("JSON pointers escape ~ and / in field names", "[differ][compare]") {
  auto desired = object_of("{apiVersion: v1, kind: ConfigMap, metadata: {name: c, annotations: {a.io/x~y: '2'}}}");
  auto live = object_of("{apiVersion: v1, kind: ConfigMap, metadata: {name: c, annotations: {a.io/x~y: '1'}}}");
  CHECK(paths(differ::diff_resource(&desired, &live)) == std::vector<std::string>{"replace /metadata/annotations/a.io~1x~0y"});
}

TEST_CASE("the managedFields path of a change lets managedFieldsManagers match list-map elements", "[differ][ignore]") {
  auto fields = differ::FieldSet::from_json(core::parse_yaml(R"({"f:spec": {"f:ports": {"k:{\"port\":80,\"protocol\":\"TCP\"}": {".": {}, "f:port": {}}}}})"));
  CHECK(fields.covers({"f:spec", "f:ports", R"(k:{"port":80,"protocol":"TCP"})"}));
  CHECK(differ::key_element(core::parse_yaml("{protocol: TCP, port: 80}")) == R"(k:{"port":80,"protocol":"TCP"})");
}
