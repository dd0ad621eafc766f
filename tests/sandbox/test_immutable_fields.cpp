// Fields the real API server refuses to change after creation: 422 Invalid, worded as kube words it.
#include <catch2/catch.hpp>

#include "api_client.hpp"
#include "immutable.hpp"

using gitmoor::sandbox::ApiOptions;
using gitmoor::sandbox::ApiServer;
using gitmoor::sandbox::go_label_selector;
using gitmoor::test::call;
using gitmoor::test::quiet;
using Json = nlohmann::json;

namespace {


Json workload(const std::string& kind, const std::string& name, const std::string& app) {
  Json o{{"apiVersion", kind == "Job" ? "batch/v1" : "apps/v1"},
         {"kind", kind},
         {"metadata", {{"name", name}}},
         {"spec",
          {{"selector", {{"matchLabels", {{"app", app}}}}},
           {"template",
            {{"metadata", {{"labels", {{"app", app}}}}},
             {"spec", {{"containers", Json::array({{{"name", "c"}, {"image", "nginx:1.25"}}})}}}}}}}};
  if (kind == "StatefulSet") o["spec"]["serviceName"] = name;
  return o;
}

Json ssa(ApiServer& api, const std::string& url, const Json& body, int expected) {
  auto r = call(api, "PATCH", url + "?fieldManager=gitmoor", body, "application/apply-patch+yaml");
  INFO(r.raw.body);
  CHECK(r.status == expected);
  return r.body;
}

void check_invalid(const Json& status, const std::string& message, const std::string& field) {
  CHECK(status["kind"] == "Status");
  CHECK(status["code"] == 422);
  CHECK(status["reason"] == "Invalid");
  CHECK(status["message"] == message);
  REQUIRE(status["details"]["causes"].is_array());
  CHECK(status["details"]["causes"][0]["field"] == field);
}

}  // namespace

TEST_CASE("a label selector prints as Go's %#v of v1.LabelSelector", "[sandbox][immutable]") {
  CHECK(go_label_selector(Json{{"matchLabels", {{"b", "2"}, {"a", "1"}}}}) ==
        R"(v1.LabelSelector{MatchLabels:map[string]string{"a":"1", "b":"2"}, )"
        R"(MatchExpressions:[]v1.LabelSelectorRequirement(nil)})");
  CHECK(go_label_selector(Json{{"matchExpressions", {{{"key", "tier"}, {"operator", "In"}, {"values", {"x"}}},
                                                      {{"key", "gone"}, {"operator", "DoesNotExist"}}}}}) ==
        R"(v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement{)"
        R"(v1.LabelSelectorRequirement{Key:"tier", Operator:"In", Values:[]string{"x"}}, )"
        R"(v1.LabelSelectorRequirement{Key:"gone", Operator:"DoesNotExist", Values:[]string(nil)}}})");
}

TEST_CASE("Deployment, ReplicaSet and DaemonSet selectors are immutable", "[sandbox][immutable]") {
  ApiServer api(quiet());
  for (const std::string kind : {"Deployment", "ReplicaSet", "DaemonSet"}) {
    std::string plural = kind == "Deployment" ? "deployments" : kind == "ReplicaSet" ? "replicasets" : "daemonsets";
    std::string url = "/apis/apps/v1/namespaces/default/" + plural + "/web";
    ssa(api, url, workload(kind, "web", "web"), 201);
    Json refused = ssa(api, url, workload(kind, "web", "web2"), 422);
    check_invalid(refused,
                  kind + ".apps \"web\" is invalid: spec.selector: Invalid value: "
                         "v1.LabelSelector{MatchLabels:map[string]string{\"app\":\"web2\"}, "
                         "MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable",
                  "spec.selector");
    CHECK(refused["details"]["kind"] == kind);
    CHECK(refused["details"]["group"] == "apps");
    // A PUT is refused the same way, and the stored object keeps its selector.
    Json live = call(api, "GET", url).body;
    Json put = live;
    put["spec"]["selector"]["matchLabels"]["app"] = "web2";
    put["spec"]["template"]["metadata"]["labels"]["app"] = "web2";
    CHECK(call(api, "PUT", url, put).status == 422);
    CHECK(call(api, "GET", url).body["spec"]["selector"]["matchLabels"]["app"] == "web");
    // Other fields still change.
    Json image = workload(kind, "web", "web");
    image["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:1.26";
    ssa(api, url, image, 200);
  }
}

TEST_CASE("a StatefulSet spec changes only in the fields kube allows", "[sandbox][immutable]") {
  ApiServer api(quiet());
  std::string url = "/apis/apps/v1/namespaces/default/statefulsets/db";
  Json sts = workload("StatefulSet", "db", "db");
  sts["spec"]["volumeClaimTemplates"] = Json::array(
      {{{"metadata", {{"name", "data"}}},
        {"spec", {{"accessModes", {"ReadWriteOnce"}}, {"resources", {{"requests", {{"storage", "1Gi"}}}}}}}}});
  ssa(api, url, sts, 201);
  Json scaled = sts;
  scaled["spec"]["replicas"] = 3;
  scaled["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:1.26";
  ssa(api, url, scaled, 200);
  Json bigger = scaled;
  bigger["spec"]["volumeClaimTemplates"][0]["spec"]["resources"]["requests"]["storage"] = "2Gi";
  check_invalid(ssa(api, url, bigger, 422),
                "StatefulSet.apps \"db\" is invalid: spec: Forbidden: updates to statefulset spec for fields other "
                "than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', "
                "'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
                "spec");
}

TEST_CASE("a Job's template and selector are immutable", "[sandbox][immutable]") {
  ApiServer api(quiet());
  std::string url = "/apis/batch/v1/namespaces/default/jobs/migrate";
  Json job{{"apiVersion", "batch/v1"},
           {"kind", "Job"},
           {"metadata", {{"name", "migrate"}}},
           {"spec",
            {{"template",
              {{"spec",
                {{"restartPolicy", "Never"},
                 {"containers", Json::array({{{"name", "m"}, {"image", "migrate:1"}}})}}}}}}}};
  ssa(api, url, job, 201);
  Json changed = job;
  changed["spec"]["template"]["spec"]["containers"][0]["image"] = "migrate:2";
  Json refused = ssa(api, url, changed, 422);
  std::string message = refused["message"];
  CHECK(message.rfind("Job.batch \"migrate\" is invalid: spec.template: Invalid value: core.PodTemplateSpec", 0) == 0);
  CHECK(message.find("migrate:2") != std::string::npos);
  CHECK(message.size() > std::string(": field is immutable").size());
  CHECK(message.substr(message.size() - 20) == ": field is immutable");
  CHECK(refused["details"]["causes"][0]["field"] == "spec.template");
  // backoffLimit is not immutable.
  Json backoff = job;
  backoff["spec"]["backoffLimit"] = 2;
  ssa(api, url, backoff, 200);
  // The selector kube generated (controller-uid) may not change either.
  Json live = call(api, "GET", url).body;
  Json put = live;
  put["spec"]["selector"] = {{"matchLabels", {{"other", "x"}}}};
  auto selector = call(api, "PUT", url, put);
  CHECK(selector.status == 422);
  CHECK(selector.body["details"]["causes"][0]["field"] == "spec.selector");
}

TEST_CASE("a Service keeps its cluster IP once set", "[sandbox][immutable]") {
  ApiServer api(quiet());
  std::string url = "/api/v1/namespaces/default/services/web";
  Json svc{{"apiVersion", "v1"},
           {"kind", "Service"},
           {"metadata", {{"name", "web"}}},
           {"spec", {{"selector", {{"app", "web"}}}, {"ports", {{{"port", 80}}}}}}};
  Json created = ssa(api, url, svc, 201);
  std::string ip = created["spec"]["clusterIP"];
  REQUIRE_FALSE(ip.empty());
  // Applying without clusterIP keeps the allocated one; naming the same one is fine.
  Json same = svc;
  same["spec"]["ports"][0]["port"] = 8080;
  CHECK(ssa(api, url, same, 200)["spec"]["clusterIP"] == ip);
  same["spec"]["clusterIP"] = ip;
  ssa(api, url, same, 200);
  Json live = call(api, "GET", url).body;
  Json moved = live;
  moved["spec"]["clusterIP"] = "10.96.200.200";
  moved["spec"]["clusterIPs"] = {"10.96.200.200"};
  auto refused = call(api, "PUT", url, moved);
  REQUIRE(refused.status == 422);
  check_invalid(refused.body,
                "Service \"web\" is invalid: spec.clusterIPs[0]: Invalid value: []string{\"10.96.200.200\"}: may not "
                "change once set",
                "spec.clusterIPs[0]");
  CHECK(call(api, "GET", url).body["spec"]["clusterIP"] == ip);
}

TEST_CASE("an immutable ConfigMap or Secret keeps its data and stays immutable", "[sandbox][immutable]") {
  ApiServer api(quiet());
  std::string cm_url = "/api/v1/namespaces/default/configmaps/settings";
  Json cm{{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", {{"name", "settings"}}},
          {"data", {{"level", "info"}}}, {"immutable", true}};
  ssa(api, cm_url, cm, 201);
  Json changed = cm;
  changed["data"]["level"] = "debug";
  check_invalid(ssa(api, cm_url, changed, 422),
                "ConfigMap \"settings\" is invalid: data: Forbidden: field is immutable when `immutable` is set",
                "data");
  Json binary = cm;
  binary["binaryData"] = {{"blob", "AAE="}};
  check_invalid(ssa(api, cm_url, binary, 422),
                "ConfigMap \"settings\" is invalid: binaryData: Forbidden: field is immutable when `immutable` is set",
                "binaryData");
  Json unset = cm;
  unset["immutable"] = false;
  check_invalid(ssa(api, cm_url, unset, 422),
                "ConfigMap \"settings\" is invalid: immutable: Forbidden: field is immutable when `immutable` is set",
                "immutable");
  Json labelled = cm;
  labelled["metadata"]["labels"] = {{"team", "a"}};
  ssa(api, cm_url, labelled, 200);  // metadata still changes

  // A mutable ConfigMap may become immutable.
  std::string open_url = "/api/v1/namespaces/default/configmaps/open";
  Json open{{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", {{"name", "open"}}}, {"data", {{"a", "1"}}}};
  ssa(api, open_url, open, 201);
  open["immutable"] = true;
  open["data"]["a"] = "2";
  ssa(api, open_url, open, 200);

  std::string secret_url = "/api/v1/namespaces/default/secrets/creds";
  Json secret{{"apiVersion", "v1"}, {"kind", "Secret"}, {"metadata", {{"name", "creds"}}},
              {"stringData", {{"password", "one"}}}, {"immutable", true}};
  ssa(api, secret_url, secret, 201);
  Json rotated = secret;
  rotated["stringData"]["password"] = "two";
  check_invalid(ssa(api, secret_url, rotated, 422),
                "Secret \"creds\" is invalid: data: Forbidden: field is immutable when `immutable` is set", "data");
  Json retyped = call(api, "GET", secret_url).body;
  retyped["type"] = "kubernetes.io/basic-auth";
  auto type_change = call(api, "PUT", secret_url, retyped);
  CHECK(type_change.status == 422);
  CHECK(type_change.body["details"]["causes"][0]["field"] == "type");
}

TEST_CASE("a bound claim's spec is fixed except resources.requests", "[sandbox][immutable]") {
  ApiServer api(quiet());
  std::string url = "/api/v1/namespaces/default/persistentvolumeclaims/data";
  Json pvc{{"apiVersion", "v1"},
           {"kind", "PersistentVolumeClaim"},
           {"metadata", {{"name", "data"}}},
           {"spec", {{"accessModes", {"ReadWriteOnce"}}, {"resources", {{"requests", {{"storage", "1Gi"}}}}}}}};
  ssa(api, url, pvc, 201);
  // The binder sets volumeName once, then the claim is Bound.
  Json bind = call(api, "GET", url).body;
  bind["spec"]["volumeName"] = "pv-data";
  REQUIRE(call(api, "PUT", url, bind).status == 200);
  auto bound = call(api, "PATCH", url + "/status", Json{{"status", {{"phase", "Bound"}}}}, "application/merge-patch+json");
  REQUIRE(bound.status == 200);

  Json bigger = pvc;
  bigger["spec"]["resources"]["requests"]["storage"] = "2Gi";
  ssa(api, url, bigger, 200);
  Json other_class = bigger;
  other_class["spec"]["storageClassName"] = "fast";
  check_invalid(ssa(api, url, other_class, 422),
                "PersistentVolumeClaim \"data\" is invalid: spec: Forbidden: spec is immutable after creation except "
                "resources.requests and volumeAttributesClassName for bound claims",
                "spec");
}

TEST_CASE("dry run refuses an immutable change too", "[sandbox][immutable]") {
  ApiServer api(quiet());
  std::string url = "/apis/apps/v1/namespaces/default/deployments/web";
  ssa(api, url, workload("Deployment", "web", "web"), 201);
  auto dry = call(api, "PATCH", url + "?fieldManager=gitmoor&dryRun=All", workload("Deployment", "web", "web2"),
                  "application/apply-patch+yaml");
  CHECK(dry.status == 422);
}

TEST_CASE("immutable specs compare quantities by value, as kube's semantic equality does", "[sandbox][immutable]") {
  ApiServer api(quiet());
  // An unbound claim: any spec change is refused, but 1024Mi is the same request as 1Gi.
  std::string url = "/api/v1/namespaces/default/persistentvolumeclaims/cache";
  Json pvc{{"apiVersion", "v1"},
           {"kind", "PersistentVolumeClaim"},
           {"metadata", {{"name", "cache"}}},
           {"spec", {{"accessModes", {"ReadWriteOnce"}}, {"resources", {{"requests", {{"storage", "1Gi"}}}}}}}};
  ssa(api, url, pvc, 201);
  Json same = pvc;
  same["spec"]["resources"]["requests"]["storage"] = "1024Mi";
  ssa(api, url, same, 200);
  Json more = pvc;
  more["spec"]["resources"]["requests"]["storage"] = "2Gi";
  ssa(api, url, more, 422);

  // A Job's template with cpu 0.5 where 500m was stored is unchanged.
  std::string job_url = "/apis/batch/v1/namespaces/default/jobs/once";
  Json job{{"apiVersion", "batch/v1"},
           {"kind", "Job"},
           {"metadata", {{"name", "once"}}},
           {"spec",
            {{"template",
              {{"spec",
                {{"restartPolicy", "Never"},
                 {"containers", Json::array({{{"name", "m"}, {"image", "m:1"},
                                              {"resources", {{"requests", {{"cpu", "500m"}}}}}}})}}}}}}}};
  ssa(api, job_url, job, 201);
  Json half = job;
  half["spec"]["template"]["spec"]["containers"][0]["resources"]["requests"]["cpu"] = "0.5";
  ssa(api, job_url, half, 200);
  Json more_cpu = job;
  more_cpu["spec"]["template"]["spec"]["containers"][0]["resources"]["requests"]["cpu"] = "1";
  ssa(api, job_url, more_cpu, 422);
}
