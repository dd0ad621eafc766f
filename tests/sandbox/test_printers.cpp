// Server-side printing, pure: the JSONPath subset of CRD columns, kube's durations, Accept negotiation, and the
// columns and cells kube's printers give (pkg/printers/internalversion/printers.go).
#include <catch2/catch.hpp>

#include "json_path.hpp"
#include "printers.hpp"
#include "status.hpp"

using namespace gitmoor::sandbox;
using Json = nlohmann::json;

namespace {

const Clock::time_point kNow = *parse_time("2026-01-01T12:00:00Z");

std::vector<std::string> headers(const TablePrinter& p, bool wide = false) {
  std::vector<std::string> out;
  for (const auto& c : p.columns) {
    if (wide || c.priority == 0) out.push_back(c.name);
  }
  return out;
}

TablePrinter builtin(const std::string& group, const std::string& kind) {
  ResourceType t;
  t.group = group;
  t.kind = kind;
  return printer_for(t, "v1", nullptr);
}

Json cells(const std::string& group, const std::string& kind, const Json& object) {
  return builtin(group, kind).cells(object, kNow);
}

std::vector<std::string> strings(const JsonPath& path, const Json& doc) {
  std::vector<std::string> out;
  for (const Json* v : path.find(doc)) out.push_back(v->is_string() ? v->get<std::string>() : v->dump());
  return out;
}

}  // namespace

TEST_CASE("JSONPath: fields, indexes, wildcards, filters and recursion as kube's CRD columns use them",
          "[sandbox][printers]") {
  Json doc = Json::parse(R"({"status":{"sync":{"status":"Synced"},"conditions":[
    {"type":"Ready","status":"True","n":3},{"type":"Healthy","status":"False","n":7}],
    "labels":{"app.kubernetes.io/name":"web"}}})");
  CHECK(strings(JsonPath::parse(".status.sync.status"), doc) == std::vector<std::string>{"Synced"});
  CHECK(strings(JsonPath::parse("{.status.sync.status}"), doc) == std::vector<std::string>{"Synced"});
  CHECK(strings(JsonPath::parse(".status.conditions[1].type"), doc) == std::vector<std::string>{"Healthy"});
  CHECK(strings(JsonPath::parse(".status.conditions[-1].type"), doc) == std::vector<std::string>{"Healthy"});
  CHECK(strings(JsonPath::parse(".status.conditions[*].type"), doc) == std::vector<std::string>{"Ready", "Healthy"});
  CHECK(strings(JsonPath::parse(".status.conditions[?(@.type==\"Ready\")].status"), doc) ==
        std::vector<std::string>{"True"});
  CHECK(strings(JsonPath::parse(".status.conditions[?(@.type=='Healthy')].status"), doc) ==
        std::vector<std::string>{"False"});
  CHECK(strings(JsonPath::parse(".status.conditions[?(@.n > 5)].type"), doc) == std::vector<std::string>{"Healthy"});
  CHECK(strings(JsonPath::parse(".status.labels['app.kubernetes.io/name']"), doc) == std::vector<std::string>{"web"});
  CHECK(strings(JsonPath::parse(".status.labels.app\\.kubernetes\\.io/name"), doc) ==
        std::vector<std::string>{"web"});
  CHECK(strings(JsonPath::parse("..type"), doc) == std::vector<std::string>{"Ready", "Healthy"});
  // Missing keys select nothing rather than failing.
  CHECK(JsonPath::parse(".status.health.status").find(doc).empty());
  CHECK(JsonPath::parse(".status.conditions[5]").find(doc).empty());
  CHECK_THROWS_AS(JsonPath::parse("status.sync"), std::invalid_argument);
  CHECK_THROWS_AS(JsonPath::parse(".a[?(@.x==)]"), std::invalid_argument);
  CHECK_THROWS_AS(JsonPath::parse(".a[1:"), std::invalid_argument);
}

TEST_CASE("ages read as kube's HumanDuration", "[sandbox][printers]") {
  using namespace std::chrono;
  CHECK(human_duration(seconds(0)) == "0s");
  CHECK(human_duration(seconds(-1)) == "0s");
  CHECK(human_duration(seconds(-5)) == "<invalid>");
  CHECK(human_duration(seconds(119)) == "119s");
  CHECK(human_duration(seconds(200)) == "3m20s");
  CHECK(human_duration(minutes(5)) == "5m");
  CHECK(human_duration(minutes(45)) == "45m");
  CHECK(human_duration(minutes(190)) == "3h10m");
  CHECK(human_duration(hours(10)) == "10h");
  CHECK(human_duration(hours(50)) == "2d2h");
  CHECK(human_duration(hours(24 * 30)) == "30d");
  CHECK(human_duration(hours(24 * (365 * 3 + 4))) == "3y4d");
  CHECK(human_duration(hours(24 * 365 * 9)) == "9y");
  REQUIRE(parse_time("2026-01-01T11:59:30.5Z"));
  CHECK(human_duration(kNow - *parse_time("2026-01-01T11:59:30Z")) == "30s");
  CHECK(human_duration(kNow - *parse_time("2026-01-01T13:59:00+02:00")) == "60s");
  CHECK_FALSE(parse_time("yesterday"));
}

TEST_CASE("Accept negotiation picks the v1 Table only when it comes before plain JSON", "[sandbox][printers]") {
  CHECK(accepts_table("application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;"
                      "g=meta.k8s.io,application/json"));
  CHECK(accepts_table("application/json;as=Table;v=v1beta1;g=meta.k8s.io, application/json; as=Table; v=v1; "
                      "g=meta.k8s.io"));
  CHECK_FALSE(accepts_table("application/json"));
  CHECK_FALSE(accepts_table(""));
  CHECK_FALSE(accepts_table("application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json"));
  CHECK_FALSE(accepts_table("application/json,application/json;as=Table;v=v1;g=meta.k8s.io"));
  CHECK(parse_include_object("") == IncludeObject::Metadata);
  CHECK(parse_include_object("Object") == IncludeObject::Object);
  CHECK(parse_include_object("None") == IncludeObject::None);
  CHECK_THROWS_AS(parse_include_object("Everything"), ApiError);
}

TEST_CASE("each kind has kube's columns, wide ones at priority 1", "[sandbox][printers]") {
  using V = std::vector<std::string>;
  CHECK(headers(builtin("apps", "Deployment")) == V{"Name", "Ready", "Up-to-date", "Available", "Age"});
  CHECK(headers(builtin("apps", "Deployment"), true) ==
        V{"Name", "Ready", "Up-to-date", "Available", "Age", "Containers", "Images", "Selector"});
  CHECK(headers(builtin("", "Pod"), true) ==
        V{"Name", "Ready", "Status", "Restarts", "Age", "IP", "Node", "Nominated Node", "Readiness Gates"});
  CHECK(headers(builtin("", "Event")) == V{"Last Seen", "Type", "Reason", "Object", "Message"});
  CHECK(headers(builtin("", "Event"), true) == V{"Last Seen", "Type", "Reason", "Object", "Subobject", "Source",
                                                 "Message", "First Seen", "Count", "Name"});
  CHECK(headers(builtin("autoscaling", "HorizontalPodAutoscaler")) ==
        V{"Name", "Reference", "Targets", "MinPods", "MaxPods", "Replicas", "Age"});
  CHECK(headers(builtin("batch", "CronJob")) ==
        V{"Name", "Schedule", "Timezone", "Suspend", "Active", "Last Schedule", "Age"});
  CHECK(headers(builtin("apiregistration.k8s.io", "APIService")) == V{"Name", "Service", "Available", "Age"});
  // Kinds without a printer get kube's default table.
  CHECK(headers(builtin("rbac.authorization.k8s.io", "Role")) == V{"Name", "Created At"});
  CHECK(headers(builtin("apiextensions.k8s.io", "CustomResourceDefinition")) == V{"Name", "Created At"});
  CHECK(headers(builtin("", "LimitRange")) == V{"Name", "Created At"});
  // Every column's cell is there, the wide ones too (the server prints wide; kubectl hides them).
  auto p = builtin("apps", "Deployment");
  CHECK(p.cells(Json::object(), kNow).size() == p.columns.size());
  auto role = builtin("rbac.authorization.k8s.io", "Role")
                  .cells(Json{{"metadata", {{"name", "r"}, {"creationTimestamp", "2025-12-31T12:00:00Z"}}}}, kNow);
  CHECK(role == Json::array({"r", "2025-12-31T12:00:00Z"}));
}

TEST_CASE("Deployment, Service and Job rows read as kube prints them", "[sandbox][printers]") {
  Json d = Json::parse(R"({"metadata":{"name":"web","creationTimestamp":"2026-01-01T11:55:00Z"},
    "spec":{"replicas":3,"selector":{"matchLabels":{"tier":"fe","app":"web"},
      "matchExpressions":[{"key":"env","operator":"In","values":["prod","dev"]}]},
      "template":{"spec":{"containers":[{"name":"a","image":"nginx:1"},{"name":"b","image":"busybox"}]}}},
    "status":{"readyReplicas":2,"updatedReplicas":3,"availableReplicas":2}})");
  CHECK(cells("apps", "Deployment", d) ==
        Json::array({"web", "2/3", 3, 2, "5m", "a,b", "nginx:1,busybox", "app=web,env in (dev,prod),tier=fe"}));

  Json svc = Json::parse(R"({"metadata":{"name":"lb"},"spec":{"type":"LoadBalancer","clusterIPs":["10.96.0.9"],
    "ports":[{"port":80,"protocol":"TCP","nodePort":30080},{"port":53,"protocol":"UDP"}],"selector":{"app":"web"}},
    "status":{"loadBalancer":{"ingress":[{"ip":"172.18.255.1"}]}}})");
  CHECK(cells("", "Service", svc) ==
        Json::array({"lb", "LoadBalancer", "10.96.0.9", "172.18.255.1", "80:30080/TCP,53/UDP", "<unknown>",
                     "app=web"}));
  svc["status"] = Json::object();
  CHECK(cells("", "Service", svc)[3] == "<pending>");

  Json job = Json::parse(R"({"metadata":{"name":"migrate"},"spec":{"completions":1,"template":{"spec":{}}},
    "status":{"succeeded":1,"startTime":"2026-01-01T11:00:00Z","completionTime":"2026-01-01T11:00:42Z",
    "conditions":[{"type":"Complete","status":"True"}]}})");
  auto row = cells("batch", "Job", job);
  CHECK(row[1] == "Complete");
  CHECK(row[2] == "1/1");
  CHECK(row[3] == "42s");
}

TEST_CASE("Pod STATUS, READY and RESTARTS follow kubectl's rules", "[sandbox][printers]") {
  auto pod = [](const std::string& status_json) {
    return Json::parse(R"({"metadata":{"name":"p"},"spec":{"containers":[{"name":"app"}],"nodeName":"n1"},
      "status":)" + status_json + "}");
  };
  auto row = [&](const Json& p) { return cells("", "Pod", p); };

  Json running = pod(R"({"phase":"Running","podIPs":[{"ip":"10.244.0.7"}],
    "conditions":[{"type":"Ready","status":"True"}],
    "containerStatuses":[{"name":"app","ready":true,"restartCount":0,"state":{"running":{}}}]})");
  CHECK(row(running) ==
        Json::array({"p", "1/1", "Running", "0", "<unknown>", "10.244.0.7", "n1", "<none>", "<none>"}));

  CHECK(row(pod(R"({"phase":"Pending"})"))[2] == "Pending");
  CHECK(row(pod(R"({"phase":"Pending","containerStatuses":[{"name":"app","ready":false,"restartCount":0,
    "state":{"waiting":{"reason":"ContainerCreating"}}}]})"))[2] == "ContainerCreating");

  Json crashing = pod(R"({"phase":"Running","containerStatuses":[{"name":"app","ready":false,"restartCount":4,
    "state":{"waiting":{"reason":"CrashLoopBackOff"}},
    "lastState":{"terminated":{"exitCode":1,"reason":"Error","finishedAt":"2026-01-01T11:59:15Z"}}}]})");
  CHECK(row(crashing)[1] == "0/1");
  CHECK(row(crashing)[2] == "CrashLoopBackOff");
  CHECK(row(crashing)[3] == "4 (45s ago)");

  Json completed = pod(R"({"phase":"Succeeded","containerStatuses":[{"name":"app","ready":false,"restartCount":0,
    "state":{"terminated":{"exitCode":0,"reason":"Completed"}}}]})");
  CHECK(row(completed)[2] == "Completed");
  CHECK(builtin("", "Pod").conditions(completed)[0]["reason"] == "Succeeded");
  CHECK(row(pod(R"({"phase":"Failed","containerStatuses":[{"name":"app","restartCount":0,
    "state":{"terminated":{"exitCode":3,"reason":"Error"}}}]})"))[2] == "Error");
  CHECK(row(pod(R"({"phase":"Failed","containerStatuses":[{"name":"app","restartCount":0,
    "state":{"terminated":{"exitCode":3}}}]})"))[2] == "ExitCode:3");

  Json terminating = running;
  terminating["metadata"]["deletionTimestamp"] = "2026-01-01T11:59:59Z";
  CHECK(row(terminating)[2] == "Terminating");

  Json init = pod(R"({"phase":"Pending","initContainerStatuses":[{"name":"setup","restartCount":0,
    "state":{"waiting":{"reason":"PodInitializing"}}}]})");
  init["spec"]["initContainers"] = Json::array({{{"name", "setup"}}});
  CHECK(row(init)[2] == "Init:0/1");
}

TEST_CASE("HPA TARGETS read spec.metrics against status.currentMetrics (autoscaling/v2)", "[sandbox][printers]") {
  Json hpa = Json::parse(R"({"metadata":{"name":"fe"},"spec":{"scaleTargetRef":{"kind":"Deployment","name":"fe"},
    "minReplicas":2,"maxReplicas":10,"metrics":[
      {"type":"Resource","resource":{"name":"cpu","target":{"type":"Utilization","averageUtilization":50}}}]},
    "status":{"currentReplicas":3}})");
  CHECK(cells("autoscaling", "HorizontalPodAutoscaler", hpa) ==
        Json::array({"fe", "Deployment/fe", "cpu: <unknown>/50%", "2", 10, 3, "<unknown>"}));
  hpa["status"]["currentMetrics"] = Json::parse(
      R"([{"type":"Resource","resource":{"name":"cpu","current":{"averageUtilization":12,"averageValue":"60m"}}}])");
  CHECK(cells("autoscaling", "HorizontalPodAutoscaler", hpa)[2] == "cpu: 12%/50%");
  hpa["spec"]["metrics"].push_back(Json::parse(
      R"({"type":"Resource","resource":{"name":"memory","target":{"type":"AverageValue","averageValue":"256Mi"}}})"));
  hpa["spec"]["metrics"].push_back(Json::parse(
      R"({"type":"Pods","pods":{"metric":{"name":"qps"},"target":{"type":"AverageValue","averageValue":"10"}}})"));
  hpa["spec"].erase("minReplicas");
  auto row = cells("autoscaling", "HorizontalPodAutoscaler", hpa);
  CHECK(row[2] == "cpu: 12%/50%, memory: <unknown>/256Mi + 1 more...");
  CHECK(row[3] == "<unset>");
}

TEST_CASE("CRD additionalPrinterColumns: Name first, typed cells, Age only by default", "[sandbox][printers]") {
  Json crd = Json::parse(R"({"spec":{"versions":[{"name":"v1alpha1","additionalPrinterColumns":[
    {"name":"Sync","type":"string","jsonPath":".status.sync.status"},
    {"name":"Replicas","type":"integer","jsonPath":".spec.replicas"},
    {"name":"Ready","type":"string","jsonPath":".status.conditions[?(@.type==\"Ready\")].status"},
    {"name":"Weight","type":"number","jsonPath":".spec.weight","priority":1},
    {"name":"Paused","type":"boolean","jsonPath":".spec.paused"},
    {"name":"Tags","type":"string","jsonPath":".spec.tags"},
    {"name":"Age","type":"date","jsonPath":".metadata.creationTimestamp"}]},{"name":"v1"}]}})");
  ResourceType t;
  t.custom = true;
  auto p = printer_for(t, "v1alpha1", &crd);
  CHECK(headers(p, true) == std::vector<std::string>{"Name", "Sync", "Replicas", "Ready", "Weight", "Paused", "Tags",
                                                     "Age"});
  CHECK(p.columns[4].priority == 1);
  CHECK(p.columns[0].format == "name");
  CHECK(p.columns[1].description == "Custom resource definition column (in JSONPath format): .status.sync.status");
  Json cr = Json::parse(R"({"metadata":{"name":"guestbook","creationTimestamp":"2026-01-01T10:00:00Z"},
    "spec":{"replicas":3,"weight":0.5,"paused":false,"tags":["a","b"]},
    "status":{"sync":{"status":"Synced"},"conditions":[{"type":"Ready","status":"True"}]}})");
  CHECK(p.cells(cr, kNow) == Json::array({"guestbook", "Synced", 3, "True", 0.5, false, R"(["a","b"])", "120m"}));
  // Missing values are null cells (kubectl leaves them blank).
  CHECK(p.cells(Json{{"metadata", {{"name", "x"}}}}, kNow)[1].is_null());

  auto plain = printer_for(t, "v1", &crd);
  CHECK(headers(plain) == std::vector<std::string>{"Name", "Age"});
  Json bad = crd;
  bad["spec"]["versions"][0]["additionalPrinterColumns"][0]["jsonPath"] = ".a[?(";
  CHECK(headers(printer_for(t, "v1alpha1", &bad)) == std::vector<std::string>{"Name", "Created At"});
}

TEST_CASE("a Table carries metadata, definitions and rows with the object as asked", "[sandbox][printers]") {
  Json cm{{"apiVersion", "v1"},
          {"kind", "ConfigMap"},
          {"metadata", {{"name", "a"}, {"labels", {{"x", "1"}}}}},
          {"data", {{"k", "v"}, {"l", "w"}}}};
  auto p = builtin("", "ConfigMap");
  Json t = make_table(p, {&cm}, Json{{"resourceVersion", "7"}}, TableOptions{});
  CHECK(t["kind"] == "Table");
  CHECK(t["apiVersion"] == "meta.k8s.io/v1");
  CHECK(t["metadata"]["resourceVersion"] == "7");
  CHECK(t["columnDefinitions"][1] ==
        Json{{"name", "Data"}, {"type", "string"}, {"format", ""}, {"priority", 0},
             {"description", p.columns[1].description}});
  CHECK(t["rows"][0]["cells"] == Json::array({"a", 2, "<unknown>"}));
  CHECK(t["rows"][0]["object"] == Json{{"kind", "PartialObjectMetadata"},
                                       {"apiVersion", "meta.k8s.io/v1"},
                                       {"metadata", cm["metadata"]}});
  CHECK(make_table(p, {&cm}, Json::object(), {.include = IncludeObject::Object})["rows"][0]["object"] == cm);
  CHECK(make_table(p, {&cm}, Json::object(), {.include = IncludeObject::None})["rows"][0]["object"].is_null());
  CHECK(make_table(p, {&cm}, Json::object(), {.headers = false})["columnDefinitions"].is_null());

  TableEventEncoder encode(p, TableOptions{});
  Json first = Json::parse(encode(EventType::Added, cm));
  Json second = Json::parse(encode(EventType::Modified, cm));
  CHECK(first["type"] == "ADDED");
  CHECK(first["object"]["columnDefinitions"].size() == 3);
  CHECK(second["type"] == "MODIFIED");
  CHECK(second["object"]["columnDefinitions"].is_null());
  CHECK(second["object"]["rows"][0]["cells"][0] == "a");
}

TEST_CASE("Node, Event, ResourceQuota, ControllerRevision, Ingress and Endpoints cells", "[sandbox][printers]") {
  Json node = Json::parse(R"({"metadata":{"name":"n1","labels":{"node-role.kubernetes.io/control-plane":"",
    "kubernetes.io/role":"worker"}},"spec":{"unschedulable":true},
    "status":{"conditions":[{"type":"Ready","status":"False"}],"nodeInfo":{"kubeletVersion":"v1.35.0"},
    "addresses":[{"type":"InternalIP","address":"172.18.0.2"}]}})");
  CHECK(cells("", "Node", node) == Json::array({"n1", "NotReady,SchedulingDisabled", "control-plane,worker",
                                                "<unknown>", "v1.35.0", "172.18.0.2", "<none>", "<unknown>",
                                                "<unknown>", "<unknown>"}));

  Json event = Json::parse(R"({"metadata":{"name":"web.17"},"type":"Warning","reason":"BackOff",
    "involvedObject":{"kind":"Pod","name":"web-1","fieldPath":"spec.containers{web}"},
    "source":{"component":"kubelet","host":"n1"},"message":" Back-off restarting failed container \n",
    "firstTimestamp":"2026-01-01T11:00:00Z","lastTimestamp":"2026-01-01T11:59:00Z","count":12})");
  CHECK(cells("", "Event", event) == Json::array({"60s", "Warning", "BackOff", "pod/web-1", "spec.containers{web}",
                                                  "kubelet, n1", "Back-off restarting failed container", "60m", 12,
                                                  "web.17"}));
  // events.k8s.io/v1 names the same fields differently.
  Json v1 = Json::parse(R"({"metadata":{"name":"e"},"type":"Normal","reason":"Scheduled",
    "regarding":{"kind":"Pod","name":"web-1"},"note":"assigned","reportingController":"default-scheduler",
    "eventTime":"2026-01-01T11:59:50.000000Z"})");
  CHECK(cells("events.k8s.io", "Event", v1) ==
        Json::array({"10s", "Normal", "Scheduled", "pod/web-1", "", "default-scheduler", "assigned", "10s", 1, "e"}));

  Json quota = Json::parse(R"({"metadata":{"name":"q"},"status":{
    "hard":{"pods":"10","requests.cpu":"1","limits.memory":"1Gi"},"used":{"pods":"2","requests.cpu":"500m"}}})");
  auto q = cells("", "ResourceQuota", quota);
  CHECK(q[1] == "pods: 2/10, requests.cpu: 500m/1");
  CHECK(q[2] == "limits.memory: 0/1Gi");

  Json revision = Json::parse(R"({"metadata":{"name":"db-5d8f","ownerReferences":[
    {"apiVersion":"apps/v1","kind":"StatefulSet","name":"db","controller":true}]},"revision":3})");
  CHECK(cells("apps", "ControllerRevision", revision) == Json::array({"db-5d8f", "statefulset.apps/db", 3,
                                                                     "<unknown>"}));

  Json ingress = Json::parse(R"({"metadata":{"name":"i"},"spec":{"ingressClassName":"nginx","tls":[{}],
    "rules":[{"host":"a"},{"host":"b"},{"host":"c"},{"host":"d"},{"host":"e"}]},
    "status":{"loadBalancer":{"ingress":[{"hostname":"lb.example.com"},{"ip":"10.0.0.1"}]}}})");
  CHECK(cells("networking.k8s.io", "Ingress", ingress) ==
        Json::array({"i", "nginx", "a,b,c + 2 more...", "10.0.0.1,lb.example.com", "80, 443", "<unknown>"}));

  Json endpoints = Json::parse(R"({"metadata":{"name":"e"},"subsets":[{"addresses":[{"ip":"10.0.0.1"},
    {"ip":"10.0.0.2"}],"ports":[{"port":80},{"port":443}]}]})");
  CHECK(cells("", "Endpoints", endpoints)[1] == "10.0.0.1:80,10.0.0.2:80,10.0.0.1:443 + 1 more...");
  CHECK(cells("", "Endpoints", Json{{"metadata", {{"name", "e"}}}})[1] == "<none>");

  Json sc = Json::parse(R"({"metadata":{"name":"standard",
    "annotations":{"storageclass.kubernetes.io/is-default-class":"true"}},"provisioner":"rancher.io/local-path",
    "volumeBindingMode":"WaitForFirstConsumer","allowVolumeExpansion":true})");
  CHECK(cells("storage.k8s.io", "StorageClass", sc) == Json::array({"standard (default)", "rancher.io/local-path",
                                                                    "Delete", "WaitForFirstConsumer", true,
                                                                    "<unknown>"}));
}
