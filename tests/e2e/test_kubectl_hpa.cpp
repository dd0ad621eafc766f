// Real kubectl against the sandbox's metrics.k8s.io (`kubectl top`) and its HPA controller: the load set through
// the admin endpoint shows in `kubectl top`, and HorizontalPodAutoscalers scale their targets through the scale
// subresource as kube-controller-manager, within their behavior's policies, with kube's status, conditions and
// Events.
#include <catch2/catch.hpp>

#include "kubectl_env.hpp"

using gitmoor::test::has_row;
using gitmoor::test::KubectlEnv;
using Json = nlohmann::json;
using namespace std::chrono_literals;

namespace {

gitmoor::sandbox::SandboxOptions fast_hpa() {
  gitmoor::sandbox::SandboxOptions o;
  o.hpa_sync_period = 100ms;
  return o;
}

std::string deployment(const std::string& name, const std::string& resources, int replicas = 1) {
  return "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: " + name + "}\nspec:\n  replicas: " +
         std::to_string(replicas) + "\n  selector: {matchLabels: {app: " + name + "}}\n  template:\n    metadata: " +
         "{labels: {app: " + name + "}}\n    spec:\n      containers:\n      - name: app\n        image: nginx:1.27\n" +
         resources;
}

const char* kRequests = "        resources: {requests: {cpu: 200m, memory: 256Mi}}\n";

std::string hpa(const std::string& name, int min, int max, const std::string& behavior = "") {
  return "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: " + name +
         "}\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: " + name +
         "}\n  minReplicas: " + std::to_string(min) + "\n  maxReplicas: " + std::to_string(max) +
         "\n  metrics:\n  - type: Resource\n    resource: {name: cpu, target: {type: Utilization, averageUtilization: "
         "50}}\n" +
         behavior;
}

void apply(KubectlEnv& env, const std::string& file, const std::string& yaml) {
  auto r = env.kubectl({"apply", "--server-side", "-f", env.write_file(file, yaml)});
  INFO(r.stderr_data);
  REQUIRE(r.exit_code == 0);
}

long long replicas(KubectlEnv& env, const std::string& name) {
  auto r = env.call("GET", "/apis/apps/v1/namespaces/default/deployments/" + name);
  return Json::parse(r.body)["spec"].value("replicas", -1LL);
}

// The HPA's condition of that type ({} when it has none).
Json condition(const Json& hpa, const std::string& type) {
  for (const auto& c : hpa["status"].value("conditions", Json::array())) {
    if (c.value("type", "") == type) return c;
  }
  return Json::object();
}

bool has_event(KubectlEnv& env, const std::string& reason, const std::string& message) {
  auto events = Json::parse(env.call("GET", "/api/v1/namespaces/default/events").body);
  for (const auto& e : events["items"]) {
    if (e.value("reason", "") == reason && e.value("message", "").rfind(message, 0) == 0) return true;
  }
  return false;
}

void load(KubectlEnv& env, const Json& rule) {
  auto r = env.call("POST", "/sandbox/load", rule.dump());
  INFO(r.body);
  REQUIRE(r.status == 200);
}

}  // namespace

TEST_CASE("kubectl top pods and nodes show the simulated usage, and the metrics APIService is Available", "[e2e]") {
  KubectlEnv env;
  apply(env, "web.yaml", deployment("web", kRequests, 2));
  auto ready = env.kubectl({"wait", "--for=condition=Ready", "pod", "-l", "app=web", "--timeout=60s"});
  REQUIRE(ready.exit_code == 0);

  // The default load: 10% of the CPU request, half the memory request.
  auto top = env.kubectl({"top", "pods"});
  INFO(top.stdout_data << top.stderr_data);
  REQUIRE(top.exit_code == 0);
  CHECK(has_row(top.stdout_data, {"NAME", "CPU(cores)", "MEMORY(bytes)"}));
  CHECK(has_row(top.stdout_data, {"20m", "128Mi"}));

  load(env, {{"namespace", "default"}, {"selector", "app=web"}, {"cpu", "90%"}});
  top = env.kubectl({"top", "pods", "-l", "app=web", "--no-headers"});
  CHECK(has_row(top.stdout_data, {"180m", "128Mi"}));
  CHECK_FALSE(has_row(top.stdout_data, {"20m"}));

  // An absolute amount per Pod; memory too.
  load(env, {{"namespace", "default"}, {"selector", "app=web"}, {"cpu", "250m"}, {"memory", "300Mi"}});
  auto pods = env.json({"get", "pods", "-l", "app=web"});
  std::string pod = pods["items"][0]["metadata"]["name"];
  top = env.kubectl({"top", "pod", pod, "--containers"});
  INFO(top.stdout_data << top.stderr_data);
  CHECK(has_row(top.stdout_data, {pod, "app", "250m", "300Mi"}));
  auto raw = Json::parse(env.kubectl({"get", "--raw", "/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/" + pod})
                             .stdout_data);
  CHECK(raw["kind"] == "PodMetrics");
  CHECK(raw["containers"][0]["usage"]["cpu"] == "250000000n");
  CHECK(raw["containers"][0]["usage"]["memory"] == "307200Ki");
  CHECK(raw["window"] == "10s");

  // The node: its own 100m/512Mi plus its Pods, against its allocatable 8 CPUs and 16Gi.
  auto nodes = env.kubectl({"top", "nodes"});
  INFO(nodes.stdout_data << nodes.stderr_data);
  CHECK(has_row(nodes.stdout_data, {"sandbox-node", "600m", "7%", "1112Mi", "6%"}));

  // Read-only, as metrics-server: no writes, no watch.
  CHECK(env.call("POST", "/apis/metrics.k8s.io/v1beta1/namespaces/default/pods", "{}").status == 405);
  CHECK(env.call("GET", "/apis/metrics.k8s.io/v1beta1/pods?watch=true").status == 405);
  auto resources = env.kubectl({"api-resources", "--api-group=metrics.k8s.io", "-o", "wide"});
  CHECK(has_row(resources.stdout_data, {"pods", "metrics.k8s.io/v1beta1", "true", "PodMetrics", "get,list"}));
  CHECK(has_row(resources.stdout_data, {"nodes", "metrics.k8s.io/v1beta1", "false", "NodeMetrics", "get,list"}));
  auto service = env.json({"get", "apiservice", "v1beta1.metrics.k8s.io"});
  CHECK(service["spec"]["group"] == "metrics.k8s.io");
  CHECK(service["status"]["conditions"][0]["type"] == "Available");
  CHECK(service["status"]["conditions"][0]["status"] == "True");

  // Back to the default load.
  CHECK(env.call("DELETE", "/sandbox/load").status == 200);
  top = env.kubectl({"top", "pods", "--no-headers"});
  CHECK(has_row(top.stdout_data, {"20m", "128Mi"}));
  // A bad rule is refused with the field named.
  auto bad = env.call("POST", "/sandbox/load", R"({"namespace":"default","cpu":"lots"})");
  CHECK(bad.status == 400);
  CHECK(bad.body.find("cpu: Invalid value: \\\"lots\\\"") != std::string::npos);
}

TEST_CASE("an HPA scales its Deployment to minReplicas through /scale as kube-controller-manager", "[e2e]") {
  KubectlEnv env(fast_hpa());
  apply(env, "web.yaml", deployment("web", kRequests) + "---\n" + hpa("web", 2, 4));
  REQUIRE(KubectlEnv::eventually([&] { return replicas(env, "web") == 2; }));

  // Only the HPA's scale update owns spec.replicas besides the applier that set it.
  auto d = env.json({"get", "deployment", "web", "--show-managed-fields"});
  bool scaled = false;
  for (const auto& m : d["metadata"]["managedFields"]) {
    if (m["manager"] == "kube-controller-manager" && m["operation"] == "Update" && m.value("subresource", "") == "scale") {
      scaled = m["fieldsV1"]["f:spec"].contains("f:replicas");
    }
  }
  CHECK(scaled);
  CHECK(has_event(env, "SuccessfulRescale", "New size: 2; reason: Current number of replicas below Spec.MinReplicas"));

  // Next syncs: both Pods at the default 10% of their request; the metric asks for 1, minReplicas holds 2.
  Json h;
  REQUIRE(KubectlEnv::eventually([&] {
    h = env.json({"get", "hpa", "web"});
    return h["status"].value("currentReplicas", 0) == 2 &&
           condition(h, "ScalingLimited").value("reason", "") == "TooFewReplicas";
  }));
  INFO(h.dump(2));
  CHECK(h["status"]["desiredReplicas"] == 2);
  CHECK(h["status"].contains("lastScaleTime"));
  const Json& metric = h["status"]["currentMetrics"][0];
  CHECK(metric["type"] == "Resource");
  CHECK(metric["resource"]["name"] == "cpu");
  CHECK(metric["resource"]["current"]["averageUtilization"] == 10);
  CHECK(metric["resource"]["current"]["averageValue"] == "20m");
  CHECK(condition(h, "AbleToScale")["status"] == "True");
  CHECK(condition(h, "ScalingActive")["reason"] == "ValidMetricFound");
  CHECK(condition(h, "ScalingActive")["message"] ==
        "the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of "
        "request)");
  CHECK(condition(h, "ScalingLimited")["status"] == "True");
  CHECK(condition(h, "ScalingLimited")["message"] == "the desired replica count is less than the minimum replica count");
}

TEST_CASE("under load an HPA scales up in the steps its Pods policy allows, and back after its stabilisation window",
          "[e2e]") {
  KubectlEnv env(fast_hpa());
  apply(env, "web.yaml",
        deployment("web", kRequests) + "---\n" +
            hpa("web", 2, 4,
                "  behavior:\n"
                "    scaleUp: {stabilizationWindowSeconds: 0, policies: [{type: Pods, value: 1, periodSeconds: 1}]}\n"
                "    scaleDown: {stabilizationWindowSeconds: 1}\n"));
  REQUIRE(KubectlEnv::eventually([&] { return replicas(env, "web") == 2; }));

  // 90% of the request against a 50% target asks for ceil(1.8 x 2) = 4 Pods; the policy adds one per second.
  load(env, {{"namespace", "default"}, {"selector", "app=web"}, {"cpu", "90%"}});
  REQUIRE(KubectlEnv::eventually([&] { return replicas(env, "web") == 4; }));
  const std::string reason = "reason: cpu resource utilization (percentage of request) above target";
  CHECK(has_event(env, "SuccessfulRescale", "New size: 3; " + reason));
  CHECK(has_event(env, "SuccessfulRescale", "New size: 4; " + reason));
  Json h;
  REQUIRE(KubectlEnv::eventually([&] {
    h = env.json({"get", "hpa", "web"});
    return condition(h, "ScalingLimited").value("reason", "") == "TooManyReplicas";
  }));
  INFO(h.dump(2));
  CHECK(h["status"]["currentMetrics"][0]["resource"]["current"]["averageUtilization"] == 90);
  CHECK(h["status"]["desiredReplicas"] == 4);

  // The load goes: once the 1 s window has passed, back to minReplicas.
  REQUIRE(env.call("DELETE", "/sandbox/load").status == 200);
  REQUIRE(KubectlEnv::eventually([&] { return replicas(env, "web") == 2; }));
  CHECK(has_event(env, "SuccessfulRescale", "New size: 2; reason: All metrics below target"));
  CHECK(KubectlEnv::eventually([&] { return env.json({"get", "pods", "-l", "app=web"})["items"].size() == 2; }));
}

TEST_CASE("an HPA whose Pods have no CPU request reports FailedGetResourceMetric in kube's words", "[e2e]") {
  KubectlEnv env(fast_hpa());
  apply(env, "web.yaml", deployment("web", "") + "---\n" + hpa("web", 1, 3));
  Json h;
  const std::string prefix =
      "the HPA was unable to compute the replica count: failed to get cpu utilization: missing request for cpu in "
      "container app of Pod web-";
  REQUIRE(KubectlEnv::eventually([&] {
    h = env.json({"get", "hpa", "web"});
    const Json active = condition(h, "ScalingActive");
    return active.value("reason", "") == "FailedGetResourceMetric" && active.value("message", "").rfind(prefix, 0) == 0;
  }));
  CHECK(condition(h, "ScalingActive")["status"] == "False");
  CHECK(has_event(env, "FailedGetResourceMetric", "failed to get cpu utilization: missing request for cpu in container app"));
  CHECK(has_event(env, "FailedComputeMetricsReplicas",
                  "invalid metrics (1 invalid out of 1), first error is: failed to get cpu resource metric value: "));
  CHECK(replicas(env, "web") == 1);
}

TEST_CASE("an HPA scales a custom resource through its CRD's scale subresource", "[e2e]") {
  KubectlEnv env(fast_hpa());
  apply(env, "crd.yaml", R"(apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: workers.example.com}
spec:
  group: example.com
  names: {plural: workers, singular: worker, kind: Worker}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
    subresources:
      status: {}
      scale: {specReplicasPath: .spec.replicas, statusReplicasPath: .status.replicas, labelSelectorPath: .status.selector}
)");
  REQUIRE(KubectlEnv::eventually([&] { return env.kubectl({"get", "workers"}).exit_code == 0; }));
  apply(env, "worker.yaml", R"(apiVersion: example.com/v1
kind: Worker
metadata: {name: queue}
spec: {replicas: 1}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: queue}
spec:
  scaleTargetRef: {apiVersion: example.com/v1, kind: Worker, name: queue}
  minReplicas: 3
  maxReplicas: 5
)");
  REQUIRE(KubectlEnv::eventually([&] {
    auto w = env.json({"get", "worker", "queue"});
    return w["spec"].value("replicas", 0) == 3;
  }));
  CHECK(has_event(env, "SuccessfulRescale", "New size: 3; reason: Current number of replicas below Spec.MinReplicas"));
}
