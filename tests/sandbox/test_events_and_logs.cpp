// Events from the simulated controllers and the kubelet (kube's reasons, messages and components), their field
// selectors, the events.k8s.io/v1 shape of the same storage, crash-looping Pods, and simulated Pod logs.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <thread>

#include "api_client.hpp"
#include "logs.hpp"

using gitmoor::sandbox::ApiOptions;
using gitmoor::sandbox::ApiServer;
using gitmoor::sandbox::WatchStream;
using gitmoor::test::call;
using Json = nlohmann::json;

namespace {

ApiOptions fast_controllers() {
  ApiOptions o;
  o.controllers = true;
  o.pod_ready_delay = std::chrono::milliseconds(5);
  return o;
}

// Waits (bounded) until `predicate` holds; the bound is a safety net, not a timing assertion.
template <class Predicate>
bool eventually(Predicate predicate) {
  auto end = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < end) {
    if (predicate()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return predicate();
}

Json deployment(const std::string& name, int replicas) {
  return {{"apiVersion", "apps/v1"},
          {"kind", "Deployment"},
          {"metadata", {{"name", name}}},
          {"spec",
           {{"replicas", replicas},
            {"selector", {{"matchLabels", {{"app", name}}}}},
            {"template",
             {{"metadata", {{"labels", {{"app", name}}}}},
              {"spec",
               {{"containers",
                 {{{"name", "web"}, {"image", "nginx:1.25"}, {"ports", {{{"containerPort", 80}}}}}}}}}}}}}};
}

Json pod(const std::string& name, const Json& containers, const std::string& restart_policy = "Always") {
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata", {{"name", name}}},
          {"spec", {{"restartPolicy", restart_policy}, {"containers", containers}}}};
}

Json events(ApiServer& api, const std::string& field_selector) {
  auto r = call(api, "GET", "/api/v1/namespaces/default/events?fieldSelector=" + field_selector);
  REQUIRE(r.status == 200);
  return r.body["items"];
}

const Json* find_event(const Json& items, const std::string& reason, const std::string& message = "") {
  for (const auto& e : items) {
    if (e.value("reason", "") == reason && (message.empty() || e.value("message", "") == message)) return &e;
  }
  return nullptr;
}

Json get_pod(ApiServer& api, const std::string& name) {
  return call(api, "GET", "/api/v1/namespaces/default/pods/" + name).body;
}

bool running(ApiServer& api, const std::string& name) {
  return get_pod(api, name).value("status", Json::object()).value("phase", "") == "Running";
}

std::string log(ApiServer& api, const std::string& pod_name, const std::string& query = "", int* status = nullptr) {
  auto r = call(api, "GET", "/api/v1/namespaces/default/pods/" + pod_name + "/log" + query);
  if (status) *status = r.status;
  return r.raw.body;
}

}  // namespace

TEST_CASE("controllers record kube's Events: ScalingReplicaSet, SuccessfulCreate/Delete, Scheduled, kubelet",
          "[sandbox][events]") {
  ApiServer api(fast_controllers());
  REQUIRE(call(api, "POST", "/apis/apps/v1/namespaces/default/deployments", deployment("web", 2)).status == 201);
  Json pods;
  REQUIRE(eventually([&] {
    pods = call(api, "GET", "/api/v1/namespaces/default/pods?labelSelector=app%3Dweb").body["items"];
    return pods.size() == 2 && pods[0]["status"].value("phase", "") == "Running" &&
           pods[1]["status"].value("phase", "") == "Running";
  }));
  std::string rs = pods[0]["metadata"]["ownerReferences"][0]["name"];
  std::string pod_name = pods[0]["metadata"]["name"];

  Json on_deployment = events(api, "involvedObject.name%3Dweb,involvedObject.kind%3DDeployment");
  const Json* scaled = find_event(on_deployment, "ScalingReplicaSet", "Scaled up replica set " + rs + " from 0 to 2");
  REQUIRE(scaled);
  CHECK((*scaled)["type"] == "Normal");
  CHECK((*scaled)["source"]["component"] == "deployment-controller");
  CHECK((*scaled)["reportingComponent"] == "deployment-controller");
  CHECK((*scaled)["involvedObject"]["apiVersion"] == "apps/v1");
  CHECK((*scaled)["count"] == 1);

  Json on_rs = events(api, "involvedObject.name%3D" + rs);
  CHECK(find_event(on_rs, "SuccessfulCreate", "Created pod: " + pod_name));
  CHECK(on_rs[0]["source"]["component"] == "replicaset-controller");

  Json on_pod = events(api, "involvedObject.name%3D" + pod_name);
  const Json* scheduled = find_event(on_pod, "Scheduled", "Successfully assigned default/" + pod_name + " to sandbox-node");
  REQUIRE(scheduled);
  CHECK((*scheduled)["reportingComponent"] == "default-scheduler");
  CHECK((*scheduled)["action"] == "Binding");
  CHECK((*scheduled)["eventTime"].is_string());  // recorded through events.k8s.io
  CHECK((*scheduled)["firstTimestamp"].is_null());
  const Json* started = find_event(on_pod, "Started", "Container started");
  REQUIRE(started);
  CHECK((*started)["involvedObject"]["fieldPath"] == "spec.containers{web}");
  CHECK((*started)["source"]["component"] == "kubelet");
  CHECK((*started)["source"]["host"] == "sandbox-node");
  CHECK(find_event(on_pod, "Created", "Container created"));
  // The node pulls nginx:1.25 once; the second Pod finds it present.
  Json pulled = events(api, "reason%3DPulled");
  int pulls = 0, present = 0;
  for (const auto& e : pulled) {
    std::string m = e["message"];
    if (m.rfind("Successfully pulled image \"nginx:1.25\" in ", 0) == 0) ++pulls;
    if (m == "Container image \"nginx:1.25\" already present on machine and can be accessed by the pod") ++present;
  }
  CHECK(pulls == 1);
  CHECK(present == 1);

  // Field labels: `source` is source.component; unknown labels are refused as kube does.
  CHECK(events(api, "source%3Dkubelet").size() >= 6);
  for (const auto& e : events(api, "source%3Dkubelet")) CHECK(e["source"]["component"] == "kubelet");
  CHECK(events(api, "type%3DWarning").empty());
  auto bad = call(api, "GET", "/api/v1/namespaces/default/events?fieldSelector=spec.foo%3Dx");
  CHECK(bad.status == 400);
  CHECK(bad.body["message"] == "field label not supported: spec.foo");

  // Scale down: the deployment controller and the replica set controller say so; the kubelet stops the container.
  auto scale = call(api, "PATCH", "/apis/apps/v1/namespaces/default/deployments/web", Json{{"spec", {{"replicas", 1}}}},
                    "application/merge-patch+json");
  REQUIRE(scale.status == 200);
  REQUIRE(eventually([&] {
    return find_event(events(api, "involvedObject.name%3Dweb"), "ScalingReplicaSet",
                      "Scaled down replica set " + rs + " from 2 to 1") != nullptr;
  }));
  REQUIRE(eventually([&] { return find_event(events(api, "involvedObject.name%3D" + rs), "SuccessfulDelete"); }));
  REQUIRE(eventually([&] { return find_event(events(api, "reason%3DKilling"), "Killing", "Stopping container web"); }));
}

TEST_CASE("Job, StatefulSet and DaemonSet controllers record their Events", "[sandbox][events]") {
  ApiServer api(fast_controllers());
  Json job{{"apiVersion", "batch/v1"},
           {"kind", "Job"},
           {"metadata", {{"name", "once"}}},
           {"spec",
            {{"template",
              {{"spec",
                {{"restartPolicy", "Never"},
                 {"containers", {{{"name", "c"}, {"image", "busybox:1.36"}, {"command", {"true"}}}}}}}}}}}};
  REQUIRE(call(api, "POST", "/apis/batch/v1/namespaces/default/jobs", job).status == 201);
  job["metadata"]["name"] = "broken";
  job["spec"]["backoffLimit"] = 0;
  job["spec"]["template"]["spec"]["containers"][0]["command"] = {"false"};
  REQUIRE(call(api, "POST", "/apis/batch/v1/namespaces/default/jobs", job).status == 201);
  REQUIRE(eventually([&] { return find_event(events(api, "involvedObject.name%3Donce"), "Completed", "Job completed"); }));
  Json once = events(api, "involvedObject.name%3Donce");
  const Json* created = find_event(once, "SuccessfulCreate");
  REQUIRE(created);
  CHECK((*created)["message"].get<std::string>().rfind("Created pod: once-", 0) == 0);
  CHECK((*created)["source"]["component"] == "job-controller");
  REQUIRE(eventually([&] {
    Json items = events(api, "involvedObject.name%3Dbroken");
    const Json* e = find_event(items, "BackoffLimitExceeded",
                               "Job has reached the specified backoff limit");
    return e && (*e)["type"] == "Warning";
  }));

  Json sts{{"apiVersion", "apps/v1"},
           {"kind", "StatefulSet"},
           {"metadata", {{"name", "db"}}},
           {"spec",
            {{"replicas", 1},
             {"serviceName", "db"},
             {"selector", {{"matchLabels", {{"app", "db"}}}}},
             {"template",
              {{"metadata", {{"labels", {{"app", "db"}}}}},
               {"spec", {{"containers", {{{"name", "db"}, {"image", "postgres:16"}}}}}}}}}}};
  REQUIRE(call(api, "POST", "/apis/apps/v1/namespaces/default/statefulsets", sts).status == 201);
  REQUIRE(eventually([&] {
    Json items = events(api, "involvedObject.name%3Ddb");
    const Json* e = find_event(items, "SuccessfulCreate",
                               "create Pod db-0 in StatefulSet db successful");
    return e && (*e)["source"]["component"] == "statefulset-controller";
  }));

  Json ds{{"apiVersion", "apps/v1"},
          {"kind", "DaemonSet"},
          {"metadata", {{"name", "agent"}}},
          {"spec",
           {{"selector", {{"matchLabels", {{"app", "agent"}}}}},
            {"template",
             {{"metadata", {{"labels", {{"app", "agent"}}}}},
              {"spec", {{"containers", {{{"name", "agent"}, {"image", "fluent-bit:3"}}}}}}}}}}};
  REQUIRE(call(api, "POST", "/apis/apps/v1/namespaces/default/daemonsets", ds).status == 201);
  REQUIRE(eventually([&] {
    Json items = events(api, "involvedObject.name%3Dagent");
    const Json* e = find_event(items, "SuccessfulCreate");
    return e && (*e)["source"]["component"] == "daemonset-controller";
  }));
}

TEST_CASE("a Pod whose command fails crash-loops: restarts, CrashLoopBackOff, lastState, BackOff Warning",
          "[sandbox][events][crashloop]") {
  ApiServer api(fast_controllers());
  Json containers = {{{"name", "web"}, {"image", "busybox:1.36"}, {"command", {"sh", "-c", "echo booting; exit 2"}}},
                     {{"name", "side"}, {"image", "nginx:1.25"}}};
  REQUIRE(call(api, "POST", "/api/v1/namespaces/default/pods", pod("crashy", containers)).status == 201);
  Json p;
  REQUIRE(eventually([&] {
    p = get_pod(api, "crashy");
    const Json& cs = p["status"].value("containerStatuses", Json::array());
    return cs.size() == 2 && cs[0]["restartCount"].get<int>() >= 2;
  }));
  CHECK(p["status"]["phase"] == "Running");
  const Json& web = p["status"]["containerStatuses"][0];
  CHECK(web["name"] == "web");
  CHECK(web["ready"] == false);
  CHECK(web["state"]["waiting"]["reason"] == "CrashLoopBackOff");
  std::string uid = p["metadata"]["uid"];
  std::string message = web["state"]["waiting"]["message"];
  CHECK(message.rfind("back-off ", 0) == 0);
  CHECK(message.find("s restarting failed container=web pod=crashy_default(" + uid + ")") != std::string::npos);
  CHECK(web["lastState"]["terminated"]["exitCode"] == 2);
  CHECK(web["lastState"]["terminated"]["reason"] == "Error");
  const Json& side = p["status"]["containerStatuses"][1];
  CHECK(side["state"].contains("running"));
  CHECK(side["restartCount"] == 0);
  for (const auto& c : p["status"]["conditions"]) {
    if (c["type"] == "Ready") {
      CHECK(c["status"] == "False");
      CHECK(c["reason"] == "ContainersNotReady");
      CHECK(c["message"] == "containers with unready status: [web]");
    }
  }
  // The restart count keeps growing.
  int seen = web["restartCount"];
  REQUIRE(eventually([&] { return get_pod(api, "crashy")["status"]["containerStatuses"][0]["restartCount"] > seen; }));
  Json warnings = events(api, "involvedObject.name%3Dcrashy,type%3DWarning");
  const Json* backoff =
      find_event(warnings, "BackOff", "Back-off restarting failed container web in pod crashy_default(" + uid + ")");
  REQUIRE(backoff);
  CHECK((*backoff)["count"].get<int>() >= 2);  // one Event, counted, as kube aggregates repeats
  CHECK((*backoff)["involvedObject"]["fieldPath"] == "spec.containers{web}");

  // The logs of the last run (and --previous) end with its exit.
  std::string current = log(api, "crashy", "?container=web");
  INFO(current);
  CHECK(current.find("booting\n") != std::string::npos);
  CHECK(current.find("Error: exiting with code 2\n") != std::string::npos);
  CHECK(log(api, "crashy", "?container=web&previous=true").find("Error: exiting with code 2\n") != std::string::npos);

  // restartPolicy Never: the Pod fails instead.
  REQUIRE(call(api, "POST", "/api/v1/namespaces/default/pods",
               pod("once", {{{"name", "c"}, {"image", "busybox:1.36"}, {"command", {"false"}}}}, "Never"))
              .status == 201);
  REQUIRE(eventually([&] { return get_pod(api, "once")["status"].value("phase", "") == "Failed"; }));
}

TEST_CASE("events.k8s.io/v1 serves the same Events in its own shape, field selectors and watches included",
          "[sandbox][events]") {
  ApiServer api(fast_controllers());
  REQUIRE(call(api, "POST", "/apis/apps/v1/namespaces/default/deployments", deployment("web", 1)).status == 201);
  REQUIRE(eventually([&] { return !events(api, "involvedObject.name%3Dweb").empty(); }));
  Json core = events(api, "involvedObject.name%3Dweb")[0];

  auto discovery = call(api, "GET", "/apis/events.k8s.io/v1");
  REQUIRE(discovery.status == 200);
  CHECK(discovery.body["resources"][0]["name"] == "events");

  auto list = call(api, "GET", "/apis/events.k8s.io/v1/namespaces/default/events?fieldSelector=regarding.name%3Dweb");
  REQUIRE(list.status == 200);
  CHECK(list.body["kind"] == "EventList");
  CHECK(list.body["apiVersion"] == "events.k8s.io/v1");
  REQUIRE(list.body["items"].size() == events(api, "involvedObject.name%3Dweb").size());
  Json v1 = list.body["items"][0];
  CHECK(v1["apiVersion"] == "events.k8s.io/v1");
  CHECK(v1["regarding"] == core["involvedObject"]);
  CHECK(v1["note"] == core["message"]);
  CHECK(v1["reportingController"] == "deployment-controller");
  CHECK(v1["deprecatedSource"]["component"] == "deployment-controller");
  CHECK(v1["deprecatedCount"] == 1);
  CHECK(v1["deprecatedFirstTimestamp"] == core["firstTimestamp"]);
  CHECK_FALSE(v1.contains("involvedObject"));
  CHECK_FALSE(v1.contains("message"));

  std::string name = v1["metadata"]["name"];
  auto one = call(api, "GET", "/apis/events.k8s.io/v1/namespaces/default/events/" + name);
  REQUIRE(one.status == 200);
  CHECK(one.body["note"] == core["message"]);
  auto missing = call(api, "GET", "/apis/events.k8s.io/v1/namespaces/default/events/nope");
  CHECK(missing.status == 404);
  CHECK(missing.body["message"] == "events.events.k8s.io \"nope\" not found");

  // A write in one shape is read in the other.
  auto patched = call(api, "PATCH", "/apis/events.k8s.io/v1/namespaces/default/events/" + name,
                      Json{{"note", "edited"}}, "application/merge-patch+json");
  REQUIRE(patched.status == 200);
  CHECK(patched.body["note"] == "edited");
  CHECK(call(api, "GET", "/api/v1/namespaces/default/events/" + name).body["message"] == "edited");
  Json created{{"apiVersion", "events.k8s.io/v1"},
               {"kind", "Event"},
               {"metadata", {{"name", "hand-made"}}},
               {"eventTime", "2026-01-01T00:00:00.000000Z"},
               {"reportingController", "example.com/ctl"},
               {"reportingInstance", "ctl-1"},
               {"action", "Check"},
               {"reason", "Checked"},
               {"note", "all good"},
               {"type", "Normal"},
               {"regarding", {{"kind", "Deployment"}, {"name", "web"}, {"namespace", "default"}}}};
  REQUIRE(call(api, "POST", "/apis/events.k8s.io/v1/namespaces/default/events", created).status == 201);
  Json stored = call(api, "GET", "/api/v1/namespaces/default/events/hand-made").body;
  CHECK(stored["apiVersion"] == "v1");
  CHECK(stored["message"] == "all good");
  CHECK(stored["involvedObject"]["name"] == "web");
  CHECK(stored["reportingComponent"] == "example.com/ctl");

  // A watch in the events.k8s.io shape.
  auto w = call(api, "GET", "/apis/events.k8s.io/v1/namespaces/default/events?watch=true&fieldSelector=metadata.name%3Dhand-made");
  REQUIRE(w.raw.watch);
  std::string line;
  REQUIRE(w.raw.watch->next(line, std::chrono::milliseconds(2000)) == WatchStream::Next::Data);
  Json added = Json::parse(line);
  CHECK(added["type"] == "ADDED");
  CHECK(added["object"]["apiVersion"] == "events.k8s.io/v1");
  CHECK(added["object"]["note"] == "all good");
  w.raw.watch->cancel();
}

TEST_CASE("Pod logs: start-up and request lines, container choice, tail, timestamps, limits, kube's errors",
          "[sandbox][logs]") {
  ApiServer api(fast_controllers());
  Json containers = {{{"name", "web"}, {"image", "nginx:1.25"}, {"ports", {{{"containerPort", 8080}}}}},
                     {{"name", "side"}, {"image", "busybox:1.36"}, {"command", {"sh", "-c", "echo hello from side; sleep 1d"}}}};
  REQUIRE(call(api, "POST", "/api/v1/namespaces/default/pods", pod("two", containers)).status == 201);
  REQUIRE(eventually([&] { return running(api, "two"); }));

  int status = 0;
  auto choose = call(api, "GET", "/api/v1/namespaces/default/pods/two/log");
  CHECK(choose.status == 400);
  CHECK(choose.body["message"] == "a container name must be specified for pod two, choose one of: [web side]");
  auto unknown = call(api, "GET", "/api/v1/namespaces/default/pods/two/log?container=nope");
  CHECK(unknown.status == 400);
  CHECK(unknown.body["message"] == "container nope is not valid for pod two");
  auto no_previous = call(api, "GET", "/api/v1/namespaces/default/pods/two/log?container=web&previous=true");
  CHECK(no_previous.status == 400);
  CHECK(no_previous.body["message"] == "previous terminated container \"web\" in pod \"two\" not found");
  CHECK(call(api, "GET", "/api/v1/namespaces/default/pods/none/log").status == 404);

  std::string web = log(api, "two", "?container=web", &status);
  CHECK(status == 200);
  CHECK(web.rfind("Starting container web (image nginx:1.25)\nListening on 0.0.0.0:8080 (TCP)\nReady\n", 0) == 0);
  CHECK(log(api, "two", "?container=side").find("hello from side\n") != std::string::npos);
  // The log grows while the test runs (a request line every two seconds): compare with what was there before.
  std::string last = log(api, "two", "?container=web&tailLines=1");
  CHECK(std::count(last.begin(), last.end(), '\n') == 1);
  CHECK(log(api, "two", "?container=web").find(last) != std::string::npos);
  CHECK(log(api, "two", "?container=web&tailLines=0").empty());
  CHECK(log(api, "two", "?container=web&limitBytes=8") == "Starting");
  std::string stamped = log(api, "two", "?container=web&timestamps=true&limitBytes=42");
  // 2026-12-02T00:53:38.001200000Z Starting
  REQUIRE(stamped.size() == 42);
  CHECK(stamped[4] == '-');
  CHECK(stamped[10] == 'T');
  CHECK(stamped[19] == '.');
  CHECK(stamped.substr(29) == "Z Starting co");
  CHECK(log(api, "two", "?container=web&sinceTime=2999-01-01T00:00:00Z") == "");
  CHECK(log(api, "two", "?container=web&sinceSeconds=3600").rfind(web, 0) == 0);
  CHECK(call(api, "GET", "/api/v1/namespaces/default/pods/two/log?container=web&tailLines=-1").status == 400);

  // A Pod not started yet: the kubelet's message.
  ApiServer quiet(gitmoor::test::quiet());
  REQUIRE(call(quiet, "POST", "/api/v1/namespaces/default/pods", pod("pending", {{{"name", "web"}, {"image", "nginx"}}}))
              .status == 201);
  auto waiting = call(quiet, "GET", "/api/v1/namespaces/default/pods/pending/log");
  CHECK(waiting.status == 400);
  CHECK(waiting.body["message"] == "container \"web\" in pod \"pending\" is waiting to start: ContainerCreating");
}

TEST_CASE("log lines are deterministic from the start time: a request line every two seconds, exit lines",
          "[sandbox][logs]") {
  using namespace std::chrono_literals;
  gitmoor::sandbox::ContainerRun run;
  run.container = "web";
  run.image = "nginx:1.25";
  run.ports = {"80/TCP"};
  run.started = std::chrono::system_clock::from_time_t(1700000000);
  auto lines = gitmoor::sandbox::log_lines(run, run.started + 5s);
  REQUIRE(lines.size() == 3 + 2);
  CHECK(lines[3].text ==
        "10.244.0.1 - - [14/Nov/2023:22:13:22 +0000] \"GET /healthz HTTP/1.1\" 200 2 \"-\" \"kube-probe/1.35\"");
  CHECK(gitmoor::sandbox::log_timestamp(lines[3].at) == "2023-11-14T22:13:22.000340000Z");
  CHECK(gitmoor::sandbox::log_lines(run, run.started + 5s).size() == lines.size());
  run.finished = run.started + 3s;
  run.exit_code = 137;
  auto ended = gitmoor::sandbox::log_lines(run, run.started + 10s);
  CHECK(ended.back().text == "Error: exiting with code 137");
  CHECK(ended.size() == 3 + 1 + 1);
}

TEST_CASE("follow=true streams new lines as they are written and ends when the Pod is deleted", "[sandbox][logs]") {
  ApiServer api(fast_controllers());
  REQUIRE(call(api, "POST", "/api/v1/namespaces/default/pods",
               pod("web", {{{"name", "web"}, {"image", "nginx:1.25"}}}))
              .status == 201);
  REQUIRE(eventually([&] { return running(api, "web"); }));
  auto r = call(api, "GET", "/api/v1/namespaces/default/pods/web/log?follow=true&timestamps=true");
  REQUIRE(r.raw.watch);
  CHECK(r.raw.content_type == "text/plain");
  std::string line, all;
  // First what is there, then (within the bound) a request line written while following.
  REQUIRE(r.raw.watch->next(line, std::chrono::milliseconds(500)) == WatchStream::Next::Data);
  all += line;
  CHECK(all.find("Starting container web") != std::string::npos);
  REQUIRE(eventually([&] {
    if (r.raw.watch->next(line, std::chrono::milliseconds(500)) == WatchStream::Next::Data) all += line;
    return all.find("GET /healthz") != std::string::npos;
  }));
  REQUIRE(call(api, "DELETE", "/api/v1/namespaces/default/pods/web").status == 200);
  WatchStream::Next next = WatchStream::Next::Idle;
  REQUIRE(eventually([&] {
    next = r.raw.watch->next(line, std::chrono::milliseconds(500));
    return next == WatchStream::Next::End;
  }));
}
