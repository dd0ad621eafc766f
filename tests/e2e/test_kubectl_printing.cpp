// Real kubectl get against server-side printing: kube's columns for every kind (headers compared with kube's
// printers), -o wide, -A, --show-labels, get -w rows as replicas change, and a CRD's additionalPrinterColumns.
#include <catch2/catch.hpp>

#include <future>
#include <map>
#include <sstream>

#include "kubectl_env.hpp"

using gitmoor::test::has_row;
using gitmoor::test::KubectlEnv;
using Json = nlohmann::json;

namespace {

// One object of every kind whose columns are checked (the controllers add ReplicaSets, Pods and Events).
const char* kObjects = R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: web, labels: {app: web}}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: nginx:1.25}]}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  serviceName: db
  replicas: 1
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: db, image: postgres:16}]}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec: {containers: [{name: agent, image: fluentd:1}]}
---
apiVersion: v1
kind: ReplicationController
metadata: {name: legacy}
spec:
  replicas: 0
  selector: {app: legacy}
  template:
    metadata: {labels: {app: legacy}}
    spec: {containers: [{name: legacy, image: nginx:1.25}]}
---
apiVersion: apps/v1
kind: ControllerRevision
metadata: {name: db-rev1}
revision: 1
data: {}
---
apiVersion: batch/v1
kind: Job
metadata: {name: migrate}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: migrate, image: busybox, command: ["true"]}]
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly}
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers: [{name: backup, image: busybox}]
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 1
  maxReplicas: 5
  metrics:
  - type: Resource
    resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {a: "1", b: "2"}
---
apiVersion: v1
kind: Secret
metadata: {name: token}
stringData: {password: s3cret}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web}
spec:
  rules:
  - host: web.example.com
    http:
      paths:
      - path: /
        pathType: Prefix
        backend: {service: {name: web, port: {number: 80}}}
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: nginx}
spec: {controller: k8s.io/ingress-nginx}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny}
spec: {podSelector: {}}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
---
apiVersion: v1
kind: PersistentVolume
metadata: {name: pv1}
spec:
  capacity: {storage: 5Gi}
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: Retain
  hostPath: {path: /data}
---
apiVersion: v1
kind: Event
metadata: {name: web.1}
involvedObject: {kind: Deployment, name: web, namespace: default}
reason: Tested
message: printed
type: Normal
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: robot}
---
apiVersion: v1
kind: Endpoints
metadata: {name: web}
subsets:
- addresses: [{ip: 10.244.0.5}]
  ports: [{port: 8080}]
---
apiVersion: v1
kind: ResourceQuota
metadata: {name: quota}
spec: {hard: {pods: "10"}}
---
apiVersion: v1
kind: LimitRange
metadata: {name: limits}
spec:
  limits: [{type: Container, default: {cpu: 500m}}]
---
apiVersion: coordination.k8s.io/v1
kind: Lease
metadata: {name: leader}
spec: {holderIdentity: pod-a}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: reader}
rules: [{apiGroups: [""], resources: [pods], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: reader}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}
subjects: [{kind: User, name: alice, apiGroup: rbac.authorization.k8s.io}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: printing-viewer}
rules: [{apiGroups: [""], resources: [pods], verbs: [list]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: printing-viewer}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: printing-viewer}
subjects: [{kind: ServiceAccount, name: robot, namespace: default}]
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web}
spec:
  minAvailable: 1
  selector: {matchLabels: {app: web}}
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: fast}
provisioner: example.com/fast
---
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: {name: high}
value: 1000
---
apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata: {name: mutate}
webhooks: []
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {name: validate}
webhooks: []
---
apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata: {name: v1beta1.printing.example.com}
spec:
  group: printing.example.com
  version: v1beta1
  groupPriorityMinimum: 100
  versionPriority: 10
  service: {namespace: default, name: web}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: web-abc}
addressType: IPv4
endpoints: [{addresses: [10.244.0.5]}]
ports: [{port: 8080}]
---
apiVersion: node.k8s.io/v1
kind: RuntimeClass
metadata: {name: gvisor}
handler: runsc
---
apiVersion: storage.k8s.io/v1
kind: CSIDriver
metadata: {name: csi.example.com}
spec: {}
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: gadgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {plural: gadgets, singular: gadget, kind: Gadget}
  versions:
  - name: v1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
)";

// The header kube's printers give each resource (kubectl upper-cases column names), then the wide columns.
struct Expected {
  const char* resource;  // as kubectl get names it, and the prefix of its rows when several kinds are printed
  std::vector<std::string> header;
  std::vector<std::string> wide;
};

const std::vector<Expected>& expected() {
  static const std::vector<Expected> table = {
      {"deployment.apps", {"NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"}, {"CONTAINERS", "IMAGES", "SELECTOR"}},
      {"replicaset.apps", {"NAME", "DESIRED", "CURRENT", "READY", "AGE"}, {"CONTAINERS", "IMAGES", "SELECTOR"}},
      {"pod",
       {"NAME", "READY", "STATUS", "RESTARTS", "AGE"},
       {"IP", "NODE", "NOMINATED NODE", "READINESS GATES"}},
      {"service", {"NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"}, {"SELECTOR"}},
      {"configmap", {"NAME", "DATA", "AGE"}, {}},
      {"secret", {"NAME", "TYPE", "DATA", "AGE"}, {}},
      {"statefulset.apps", {"NAME", "READY", "AGE"}, {"CONTAINERS", "IMAGES"}},
      {"daemonset.apps",
       {"NAME", "DESIRED", "CURRENT", "READY", "UP-TO-DATE", "AVAILABLE", "NODE SELECTOR", "AGE"},
       {"CONTAINERS", "IMAGES", "SELECTOR"}},
      {"job.batch", {"NAME", "STATUS", "COMPLETIONS", "DURATION", "AGE"}, {"CONTAINERS", "IMAGES", "SELECTOR"}},
      {"cronjob.batch",
       {"NAME", "SCHEDULE", "TIMEZONE", "SUSPEND", "ACTIVE", "LAST SCHEDULE", "AGE"},
       {"CONTAINERS", "IMAGES", "SELECTOR"}},
      {"horizontalpodautoscaler.autoscaling",
       {"NAME", "REFERENCE", "TARGETS", "MINPODS", "MAXPODS", "REPLICAS", "AGE"},
       {}},
      {"ingress.networking.k8s.io", {"NAME", "CLASS", "HOSTS", "ADDRESS", "PORTS", "AGE"}, {}},
      {"persistentvolumeclaim",
       {"NAME", "STATUS", "VOLUME", "CAPACITY", "ACCESS MODES", "STORAGECLASS", "VOLUMEATTRIBUTESCLASS", "AGE"},
       {"VOLUMEMODE"}},
      {"persistentvolume",
       {"NAME", "CAPACITY", "ACCESS MODES", "RECLAIM POLICY", "STATUS", "CLAIM", "STORAGECLASS",
        "VOLUMEATTRIBUTESCLASS", "REASON", "AGE"},
       {"VOLUMEMODE"}},
      {"namespace", {"NAME", "STATUS", "AGE"}, {}},
      {"node",
       {"NAME", "STATUS", "ROLES", "AGE", "VERSION"},
       {"INTERNAL-IP", "EXTERNAL-IP", "OS-IMAGE", "KERNEL-VERSION", "CONTAINER-RUNTIME"}},
      {"serviceaccount", {"NAME", "SECRETS", "AGE"}, {}},
      {"endpoints", {"NAME", "ENDPOINTS", "AGE"}, {}},
      {"resourcequota", {"NAME", "REQUEST", "LIMIT", "AGE"}, {}},
      {"limitrange", {"NAME", "CREATED AT"}, {}},
      {"replicationcontroller", {"NAME", "DESIRED", "CURRENT", "READY", "AGE"}, {"CONTAINERS", "IMAGES", "SELECTOR"}},
      {"controllerrevision.apps", {"NAME", "CONTROLLER", "REVISION", "AGE"}, {}},
      {"lease.coordination.k8s.io", {"NAME", "HOLDER", "AGE"}, {}},
      {"role.rbac.authorization.k8s.io", {"NAME", "CREATED AT"}, {}},
      {"rolebinding.rbac.authorization.k8s.io", {"NAME", "ROLE", "AGE"}, {"USERS", "GROUPS", "SERVICEACCOUNTS"}},
      {"clusterrole.rbac.authorization.k8s.io", {"NAME", "CREATED AT"}, {}},
      {"clusterrolebinding.rbac.authorization.k8s.io",
       {"NAME", "ROLE", "AGE"},
       {"USERS", "GROUPS", "SERVICEACCOUNTS"}},
      {"poddisruptionbudget.policy", {"NAME", "MIN AVAILABLE", "MAX UNAVAILABLE", "ALLOWED DISRUPTIONS", "AGE"}, {}},
      {"networkpolicy.networking.k8s.io", {"NAME", "POD-SELECTOR", "AGE"}, {}},
      {"ingressclass.networking.k8s.io", {"NAME", "CONTROLLER", "PARAMETERS", "AGE"}, {}},
      {"storageclass.storage.k8s.io",
       {"NAME", "PROVISIONER", "RECLAIMPOLICY", "VOLUMEBINDINGMODE", "ALLOWVOLUMEEXPANSION", "AGE"},
       {}},
      {"priorityclass.scheduling.k8s.io", {"NAME", "VALUE", "GLOBAL-DEFAULT", "AGE"}, {"PREEMPTIONPOLICY"}},
      {"customresourcedefinition.apiextensions.k8s.io", {"NAME", "CREATED AT"}, {}},
      {"mutatingwebhookconfiguration.admissionregistration.k8s.io", {"NAME", "WEBHOOKS", "AGE"}, {}},
      {"validatingwebhookconfiguration.admissionregistration.k8s.io", {"NAME", "WEBHOOKS", "AGE"}, {}},
      {"apiservice.apiregistration.k8s.io", {"NAME", "SERVICE", "AVAILABLE", "AGE"}, {}},
      {"endpointslice.discovery.k8s.io", {"NAME", "ADDRESSTYPE", "PORTS", "ENDPOINTS", "AGE"}, {}},
      {"runtimeclass.node.k8s.io", {"NAME", "HANDLER", "AGE"}, {}},
      {"csidriver.storage.k8s.io",
       {"NAME", "ATTACHREQUIRED", "PODINFOONMOUNT", "STORAGECAPACITY", "TOKENREQUESTS", "REQUIRESREPUBLISH", "MODES",
        "AGE"},
       {}},
  };
  return table;
}

// Column names of a header line: kubectl separates columns by at least three spaces, names hold single ones.
std::vector<std::string> columns(const std::string& line) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && line[i] == ' ') ++i;
    if (i >= line.size()) break;
    std::size_t j = i;
    while (j < line.size() && !(line[j] == ' ' && (j + 1 >= line.size() || line[j + 1] == ' '))) ++j;
    out.push_back(line.substr(i, j - i));
    i = j;
  }
  return out;
}

// `kubectl get a,b,c` prints one table per kind, blank-line separated; rows are prefixed `kind.group/name`.
// Returns each kind's header columns by that prefix.
std::map<std::string, std::vector<std::string>> headers_by_kind(const std::string& out) {
  std::map<std::string, std::vector<std::string>> result;
  std::istringstream in(out);
  std::string line;
  std::vector<std::string> header;
  bool expect_header = true;
  while (std::getline(in, line)) {
    if (line.empty()) {
      expect_header = true;
      continue;
    }
    if (expect_header) {
      header = columns(line);
      expect_header = false;
      continue;
    }
    std::string first = line.substr(0, line.find(' '));
    auto slash = first.find('/');
    if (slash != std::string::npos) result.emplace(first.substr(0, slash), header);
  }
  return result;
}

std::string resources_arg() {
  std::string arg;
  for (const auto& e : expected()) arg += (arg.empty() ? "" : ",") + std::string(e.resource);
  return arg;
}

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

}  // namespace

TEST_CASE("kubectl get prints kube's columns for every kind, and the wide ones with -o wide", "[e2e]") {
  KubectlEnv env;
  auto applied = env.kubectl({"apply", "-f", env.write_file("objects.yaml", kObjects)});
  INFO(applied.stderr_data);
  REQUIRE(applied.exit_code == 0);
  // The Deployment counts its Pod ready once the ReplicaSet has: then every row below is settled.
  REQUIRE(KubectlEnv::eventually([&] {
    return env.json({"get", "deployment", "web"})["status"].value("availableReplicas", 0) == 1;
  }));

  auto plain = env.kubectl({"get", resources_arg()});
  INFO(plain.stderr_data);
  REQUIRE(plain.exit_code == 0);
  auto wide = env.kubectl({"get", resources_arg(), "-o", "wide"});
  REQUIRE(wide.exit_code == 0);
  auto plain_headers = headers_by_kind(plain.stdout_data);
  auto wide_headers = headers_by_kind(wide.stdout_data);
  for (const auto& e : expected()) {
    INFO(e.resource);
    CHECK(plain_headers[e.resource] == e.header);
    auto with_wide = e.header;
    with_wide.insert(with_wide.end(), e.wide.begin(), e.wide.end());
    CHECK(wide_headers[e.resource] == with_wide);
  }
  // Events: the wide table reorders (LAST SEEN TYPE REASON OBJECT SUBOBJECT SOURCE MESSAGE FIRST SEEN COUNT NAME).
  auto events = env.kubectl({"get", "events"});
  CHECK(columns(first_line(events.stdout_data)) ==
        std::vector<std::string>{"LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"});
  CHECK(has_row(events.stdout_data, {"Normal", "Tested", "deployment/web", "printed"}));
  auto wide_events = env.kubectl({"get", "events", "-o", "wide", "--field-selector", "reason=Tested"});
  CHECK(columns(first_line(wide_events.stdout_data)) ==
        std::vector<std::string>{"LAST SEEN", "TYPE", "REASON", "OBJECT", "SUBOBJECT", "SOURCE", "MESSAGE",
                                 "FIRST SEEN", "COUNT", "NAME"});

  // Cells as kube prints them.
  const std::string& out = plain.stdout_data;
  CHECK(has_row(out, {"deployment.apps/web", "1/1", "1"}));
  CHECK(has_row(out, {"configmap/settings", "2"}));
  CHECK(has_row(out, {"secret/token", "Opaque", "1"}));
  CHECK(has_row(out, {"horizontalpodautoscaler.autoscaling/web", "Deployment/web", "1", "5"}));
  CHECK(has_row(out, {"ingress.networking.k8s.io/web", "<none>", "web.example.com", "80"}));
  CHECK(has_row(out, {"persistentvolume/pv1", "5Gi", "RWO", "Retain"}));
  CHECK(has_row(out, {"rolebinding.rbac.authorization.k8s.io/reader", "Role/reader"}));
  CHECK(has_row(out, {"endpoints/web", "10.244.0.5:8080"}));
  CHECK(has_row(out, {"resourcequota/quota"}));
  CHECK(has_row(out, {"apiservice.apiregistration.k8s.io/v1beta1.printing.example.com", "default/web"}));
  CHECK(has_row(out, {"priorityclass.scheduling.k8s.io/high", "1000", "false"}));
  CHECK(has_row(out, {"storageclass.storage.k8s.io/fast", "example.com/fast", "Delete", "Immediate", "false"}));
  CHECK(has_row(out, {"csidriver.storage.k8s.io/csi.example.com", "true", "false", "false", "<unset>", "false",
                      "<none>"}));
  CHECK(has_row(wide.stdout_data, {"deployment.apps/web", "web", "nginx:1.25", "app=web"}));
  CHECK(has_row(wide.stdout_data, {"clusterrolebinding.rbac.authorization.k8s.io/printing-viewer",
                                   "ClusterRole/printing-viewer", "default/robot"}));
}

TEST_CASE("kubectl get pods shows READY 1/1 and Running, -A adds NAMESPACE, --show-labels the labels, get all",
          "[e2e]") {
  KubectlEnv env;
  REQUIRE(env.kubectl({"create", "namespace", "game"}).exit_code == 0);
  REQUIRE(env.kubectl({"create", "deployment", "game-frontend", "--image=nginx:1.25", "-n", "game"}).exit_code == 0);
  REQUIRE(KubectlEnv::eventually([&] {
    return env.json({"-n", "game", "get", "deployment", "game-frontend"})["status"].value("availableReplicas", 0) == 1;
  }));
  auto pods = env.kubectl({"-n", "game", "get", "pods"});
  CHECK(has_row(pods.stdout_data, {"1/1", "Running", "0"}));
  CHECK(columns(first_line(pods.stdout_data)) ==
        std::vector<std::string>{"NAME", "READY", "STATUS", "RESTARTS", "AGE"});

  auto all_ns = env.kubectl({"get", "deployments", "-A"});
  REQUIRE(all_ns.exit_code == 0);
  CHECK(columns(first_line(all_ns.stdout_data)) ==
        std::vector<std::string>{"NAMESPACE", "NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"});
  CHECK(has_row(all_ns.stdout_data, {"game", "game-frontend", "1/1", "1", "1"}));

  auto labels = env.kubectl({"-n", "game", "get", "deployment", "game-frontend", "--show-labels"});
  CHECK(columns(first_line(labels.stdout_data)).back() == "LABELS");
  CHECK(has_row(labels.stdout_data, {"game-frontend", "app=game-frontend"}));

  // Sorting needs the whole object: kubectl asks for includeObject=Object.
  auto sorted = env.kubectl({"-n", "game", "get", "pods", "--sort-by=.metadata.name"});
  CHECK(sorted.exit_code == 0);
  CHECK(has_row(sorted.stdout_data, {"1/1", "Running"}));

  // kubectl get all: every kind of the `all` category, each with its columns.
  auto all = env.kubectl({"-n", "game", "get", "all"});
  INFO(all.stderr_data);
  REQUIRE(all.exit_code == 0);
  auto by_kind = headers_by_kind(all.stdout_data);
  CHECK(by_kind["pod"] == std::vector<std::string>{"NAME", "READY", "STATUS", "RESTARTS", "AGE"});
  CHECK(by_kind["deployment.apps"] == std::vector<std::string>{"NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"});
  CHECK(by_kind["replicaset.apps"] == std::vector<std::string>{"NAME", "DESIRED", "CURRENT", "READY", "AGE"});
  CHECK(has_row(all.stdout_data, {"deployment.apps/game-frontend", "1/1", "1", "1"}));
}

TEST_CASE("kubectl get -w on a Deployment prints a new row when it is scaled", "[e2e]") {
  KubectlEnv env;
  REQUIRE(env.kubectl({"create", "namespace", "game"}).exit_code == 0);
  REQUIRE(env.kubectl({"create", "deployment", "game-frontend", "--image=nginx:1.25", "-n", "game"}).exit_code == 0);
  REQUIRE(KubectlEnv::eventually([&] {
    return env.json({"-n", "game", "get", "deployment", "game-frontend"})["status"].value("availableReplicas", 0) == 1;
  }));
  auto watch = std::async(std::launch::async, [&] {
    return env.kubectl({"-n", "game", "get", "deployment", "game-frontend", "-w", "-o", "wide"}, "",
                       std::chrono::seconds(60));
  });
  REQUIRE(KubectlEnv::eventually([&] { return env.count("watch", "deployments.apps") > 0; }));
  REQUIRE(env.kubectl({"-n", "game", "scale", "deployment", "game-frontend", "--replicas=3"}).exit_code == 0);
  REQUIRE(KubectlEnv::eventually([&] {
    return env.json({"-n", "game", "get", "deployment", "game-frontend"})["status"].value("availableReplicas", 0) == 3;
  }));
  REQUIRE(env.call("POST", "/sandbox/watches/close").status == 200);
  auto r = watch.get();
  INFO(r.stdout_data);
  CHECK_FALSE(r.timed_out);
  // The header once, then a row per change: 1/1 before the scale, 3/3 once the new Pods are ready.
  CHECK(columns(first_line(r.stdout_data)) ==
        std::vector<std::string>{"NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE", "CONTAINERS", "IMAGES",
                                 "SELECTOR"});
  CHECK(r.stdout_data.find("NAME", 1) == std::string::npos);
  CHECK(has_row(r.stdout_data, {"game-frontend", "1/1", "1", "1", "nginx", "nginx:1.25", "app=game-frontend"}));
  CHECK(has_row(r.stdout_data, {"game-frontend", "1/3"}));
  CHECK(has_row(r.stdout_data, {"game-frontend", "3/3", "3", "3"}));
}

TEST_CASE("kubectl get applications.gitmoor.dev shows the CRD's SYNC and HEALTH columns", "[e2e]") {
  KubectlEnv env;
  std::string crd = std::string(GITMOOR_SOURCE_DIR) + "/docker/install/applications.gitmoor.dev.yaml";
  auto applied = env.kubectl({"apply", "--server-side", "-f", crd});
  INFO(applied.stderr_data);
  REQUIRE(applied.exit_code == 0);
  REQUIRE(env.kubectl({"wait", "--for=condition=Established", "crd/applications.gitmoor.dev", "--timeout=30s"})
              .exit_code == 0);
  auto created = env.kubectl({"apply", "-f", env.write_file("app.yaml", R"(apiVersion: gitmoor.dev/v1alpha1
kind: Application
metadata: {name: guestbook}
spec:
  source: {repoURL: https://example.com/guestbook.git, path: guestbook}
  destination: {server: https://kubernetes.default.svc, namespace: guestbook}
)")});
  INFO(created.stderr_data);
  REQUIRE(created.exit_code == 0);
  auto none = env.kubectl({"get", "applications.gitmoor.dev"});
  CHECK(columns(first_line(none.stdout_data)) == std::vector<std::string>{"NAME", "SYNC", "HEALTH", "AGE"});
  // No status yet: null cells, which kubectl leaves blank.
  INFO(none.stdout_data);
  std::string row = none.stdout_data.substr(none.stdout_data.find('\n') + 1);
  CHECK(row.rfind("guestbook ", 0) == 0);
  CHECK(columns(row.substr(0, row.find('\n'))).size() == 2);

  auto status = env.kubectl(
      {"patch", "applications.gitmoor.dev", "guestbook", "--subresource=status", "--type=merge", "-p",
       R"({"status":{"sync":{"status":"Synced","revision":"4f2a9c1"},"health":{"status":"Healthy"}}})"});
  INFO(status.stderr_data);
  REQUIRE(status.exit_code == 0);
  auto out = env.kubectl({"get", "gapps"});
  CHECK(has_row(out.stdout_data, {"guestbook", "Synced", "Healthy"}));
  auto wide = env.kubectl({"get", "applications.gitmoor.dev", "-o", "wide"});
  CHECK(columns(first_line(wide.stdout_data)) ==
        std::vector<std::string>{"NAME", "SYNC", "HEALTH", "REVISION", "AGE"});
  CHECK(has_row(wide.stdout_data, {"guestbook", "Synced", "Healthy", "4f2a9c1"}));
}
