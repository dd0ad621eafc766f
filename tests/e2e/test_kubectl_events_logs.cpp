// Real kubectl against the sandbox's Events (field selectors, `kubectl events`, `describe`, events.k8s.io), Pod logs
// (`kubectl logs` with -c, --tail, --timestamps, --previous, -f) and crash-looping Pods.
#include <catch2/catch.hpp>

#include <algorithm>
#include <thread>

#include "kubectl_env.hpp"

using gitmoor::test::KubectlEnv;
using Json = nlohmann::json;

namespace {

const char* kDeployment = R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: nginx:1.25
        ports: [{containerPort: 80}]
      - name: sidecar
        image: busybox:1.36
        command: ["sh", "-c", "echo sidecar up; sleep infinity"]
)";

void apply(KubectlEnv& env, const std::string& name, const std::string& yaml) {
  auto r = env.kubectl({"apply", "--server-side", "-f", env.write_file(name, yaml)});
  INFO(r.stderr_data);
  REQUIRE(r.exit_code == 0);
}

std::string first_pod(KubectlEnv& env, const std::string& selector) {
  std::string name;
  REQUIRE(KubectlEnv::eventually([&] {
    Json pods = env.json({"get", "pods", "-l", selector});
    for (const auto& p : pods["items"]) {
      if (p["status"].value("phase", "") == "Running") {
        name = p["metadata"]["name"];
        return true;
      }
    }
    return false;
  }));
  return name;
}

}  // namespace

TEST_CASE("kubectl get events --field-selector, kubectl events --for and describe show the controllers' Events",
          "[e2e][events]") {
  KubectlEnv env;
  apply(env, "web.yaml", kDeployment);
  auto rollout = env.kubectl({"rollout", "status", "deployment/web", "--timeout=60s"});
  INFO(rollout.stderr_data);
  REQUIRE(rollout.exit_code == 0);
  std::string pod = first_pod(env, "app=web");

  auto listed = env.kubectl({"get", "events", "--field-selector", "involvedObject.name=web,involvedObject.kind=Deployment",
                             "-o", "custom-columns=REASON:.reason,FROM:.source.component,MESSAGE:.message"});
  INFO(listed.stderr_data);
  REQUIRE(listed.exit_code == 0);
  CHECK(gitmoor::test::has_row(listed.stdout_data, {"ScalingReplicaSet", "deployment-controller", "Scaled", "up"}));
  CHECK(listed.stdout_data.find(" from 0 to 2") != std::string::npos);
  auto by_source = env.kubectl({"get", "events", "--field-selector", "source=kubelet,involvedObject.name=" + pod,
                                "-o", "jsonpath={range .items[*]}{.reason}{\"\\n\"}{end}"});
  REQUIRE(by_source.exit_code == 0);
  CHECK(by_source.stdout_data.find("Started\n") != std::string::npos);
  CHECK(by_source.stdout_data.find("Scheduled") == std::string::npos);  // the scheduler's, not the kubelet's
  auto unsupported = env.kubectl({"get", "events", "--field-selector", "spec.nope=x"});
  CHECK(unsupported.exit_code != 0);
  CHECK(unsupported.stderr_data.find("field label not supported: spec.nope") != std::string::npos);

  auto events = env.kubectl({"events", "--for", "deployment/web"});
  INFO(events.stderr_data);
  REQUIRE(events.exit_code == 0);
  CHECK(gitmoor::test::has_row(events.stdout_data, {"Normal", "ScalingReplicaSet", "Deployment/web"}));

  auto described = env.kubectl({"describe", "deployment", "web"});
  INFO(described.stderr_data);
  REQUIRE(described.exit_code == 0);
  CHECK(described.stdout_data.find("Events:") != std::string::npos);
  CHECK(gitmoor::test::has_row(described.stdout_data, {"Normal", "ScalingReplicaSet", "deployment-controller"}));

  auto pod_described = env.kubectl({"describe", "pod", pod});
  REQUIRE(pod_described.exit_code == 0);
  CHECK(gitmoor::test::has_row(pod_described.stdout_data, {"Normal", "Scheduled", "default-scheduler"}));
  CHECK(pod_described.stdout_data.find("Successfully assigned default/" + pod + " to sandbox-node") !=
        std::string::npos);
  CHECK(gitmoor::test::has_row(pod_described.stdout_data, {"Normal", "Started", "kubelet"}));

  // The same Events through events.k8s.io/v1.
  Json v1 = env.json({"get", "events.v1.events.k8s.io", "--field-selector", "regarding.name=web"});
  REQUIRE_FALSE(v1["items"].empty());
  CHECK(v1["items"][0]["apiVersion"] == "events.k8s.io/v1");
  CHECK(v1["items"][0]["regarding"]["kind"] == "Deployment");
  CHECK(v1["items"][0]["reportingController"] == "deployment-controller");
  CHECK(v1["items"][0]["note"].get<std::string>().rfind("Scaled up replica set web-", 0) == 0);
}

TEST_CASE("kubectl logs: a container's simulated log, -c, --tail, --timestamps, and kube's errors", "[e2e][logs]") {
  KubectlEnv env;
  apply(env, "web.yaml", kDeployment);
  std::string pod = first_pod(env, "app=web");

  auto logs = env.kubectl({"logs", pod, "-c", "web"});
  INFO(logs.stderr_data);
  REQUIRE(logs.exit_code == 0);
  CHECK(logs.stdout_data.rfind("Starting container web (image nginx:1.25)\nListening on 0.0.0.0:80 (TCP)\n", 0) == 0);
  auto sidecar = env.kubectl({"logs", pod, "-c", "sidecar"});
  REQUIRE(sidecar.exit_code == 0);
  CHECK(sidecar.stdout_data.find("sidecar up\n") != std::string::npos);
  // Without -c, kubectl picks the first container and says so.
  auto defaulted = env.kubectl({"logs", pod});
  REQUIRE(defaulted.exit_code == 0);
  CHECK(defaulted.stderr_data.find("Defaulted container \"web\" out of: web, sidecar") != std::string::npos);

  auto tail = env.kubectl({"logs", pod, "-c", "web", "--tail=1"});
  REQUIRE(tail.exit_code == 0);
  CHECK(std::count(tail.stdout_data.begin(), tail.stdout_data.end(), '\n') == 1);
  auto stamped = env.kubectl({"logs", pod, "-c", "web", "--timestamps", "--limit-bytes=42"});
  REQUIRE(stamped.exit_code == 0);
  // 2026-12-02T00:53:38.001200000Z Starting co
  REQUIRE(stamped.stdout_data.size() == 42);
  CHECK(stamped.stdout_data[10] == 'T');
  CHECK(stamped.stdout_data.substr(29) == "Z Starting co");

  auto unknown = env.kubectl({"logs", pod, "-c", "nope"});
  CHECK(unknown.exit_code != 0);
  CHECK(unknown.stderr_data.find("container nope is not valid for pod " + pod) != std::string::npos);
  auto previous = env.kubectl({"logs", pod, "-c", "web", "--previous"});
  CHECK(previous.exit_code != 0);
  CHECK(previous.stderr_data.find("previous terminated container \"web\" in pod \"" + pod + "\" not found") !=
        std::string::npos);
}

TEST_CASE("a crash-looping Pod restarts with CrashLoopBackOff, and kubectl logs --previous shows its last run",
          "[e2e][logs][crashloop]") {
  KubectlEnv env;
  apply(env, "crash.yaml", R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: crash}
spec:
  replicas: 1
  selector: {matchLabels: {app: crash}}
  template:
    metadata: {labels: {app: crash}}
    spec:
      containers:
      - name: app
        image: busybox:1.36
        command: ["sh", "-c", "echo loading config; exit 1"]
)");
  Json pod;
  REQUIRE(KubectlEnv::eventually([&] {
    Json pods = env.json({"get", "pods", "-l", "app=crash"});
    if (pods["items"].size() != 1) return false;
    pod = pods["items"][0];
    const Json& cs = pod["status"].value("containerStatuses", Json::array());
    return cs.size() == 1 && cs[0]["restartCount"].get<int>() >= 2;
  }));
  const Json& cs = pod["status"]["containerStatuses"][0];
  CHECK(pod["status"]["phase"] == "Running");
  CHECK(cs["ready"] == false);
  CHECK(cs["state"]["waiting"]["reason"] == "CrashLoopBackOff");
  CHECK(cs["state"]["waiting"]["message"].get<std::string>().find("restarting failed container=app pod=") !=
        std::string::npos);
  CHECK(cs["lastState"]["terminated"]["exitCode"] == 1);
  CHECK(cs["lastState"]["terminated"]["reason"] == "Error");
  std::string name = pod["metadata"]["name"];
  int restarts = cs["restartCount"];
  REQUIRE(KubectlEnv::eventually([&] {
    return env.json({"get", "pod", name})["status"]["containerStatuses"][0]["restartCount"].get<int>() > restarts;
  }));

  auto previous = env.kubectl({"logs", name, "--previous"});
  INFO(previous.stderr_data);
  REQUIRE(previous.exit_code == 0);
  CHECK(previous.stdout_data.find("loading config\nError: exiting with code 1\n") != std::string::npos);
  auto backoff = env.kubectl({"get", "events", "--field-selector", "involvedObject.name=" + name + ",type=Warning",
                              "-o", "jsonpath={.items[0].reason} {.items[0].message}"});
  REQUIRE(backoff.exit_code == 0);
  CHECK(backoff.stdout_data.rfind("BackOff Back-off restarting failed container app in pod " + name + "_default(", 0) ==
        0);
}

TEST_CASE("kubectl logs -f delivers a line written while following, and ends when the Pod is deleted",
          "[e2e][logs]") {
  KubectlEnv env;
  apply(env, "pod.yaml", R"(apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  containers:
  - name: web
    image: nginx:1.25
)");
  REQUIRE(KubectlEnv::eventually(
      [&] { return env.json({"get", "pod", "web"})["status"].value("phase", "") == "Running"; }));
  auto initial = env.call("GET", "/api/v1/namespaces/default/pods/web/log").body;
  std::uint64_t own = 1;  // log reads by the test itself
  gitmoor::core::SubprocessResult followed;
  std::thread follower([&] {
    followed = env.kubectl({"logs", "-f", "web"}, "", std::chrono::seconds(60));
  });
  // Wait (bounded) until the Pod has written a line it had not written when following started, then delete it.
  REQUIRE(KubectlEnv::eventually([&] {
    bool following = env.count("get", "pods/log") > own;  // kubectl's request has arrived
    auto now = env.call("GET", "/api/v1/namespaces/default/pods/web/log").body;
    ++own;
    return following && now.size() > initial.size() && now.find("GET /healthz") != std::string::npos;
  }));
  auto deleted = env.kubectl({"delete", "pod", "web", "--wait=false"});
  CHECK(deleted.exit_code == 0);
  follower.join();
  INFO(followed.stderr_data);
  CHECK_FALSE(followed.timed_out);
  CHECK(followed.exit_code == 0);
  CHECK(followed.stdout_data.rfind(initial, 0) == 0);
  CHECK(followed.stdout_data.size() > initial.size());
  CHECK(followed.stdout_data.find("\"GET /healthz HTTP/1.1\" 200 2") != std::string::npos);
}
