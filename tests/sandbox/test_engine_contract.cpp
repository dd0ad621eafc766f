// What the engine (issue 7) relies on from the API, checked as a real API server behaves: a custom resource's status
// subresource, optimistic concurrency (409 Conflict / AlreadyExists) on any object, leases included, and watching
// custom resources by label selector in one namespace.
#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

#include "api_client.hpp"

using gitmoor::sandbox::ApiOptions;
using gitmoor::sandbox::ApiServer;
using gitmoor::sandbox::WatchStream;
using gitmoor::test::call;
using gitmoor::test::quiet;
using Json = nlohmann::json;

namespace {


// An Application-like CRD with a status subresource, as the engine installs it.
void install_crd(ApiServer& api) {
  Json crd = Json::parse(R"({"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition",
    "metadata":{"name":"applications.gitmoor.dev"},
    "spec":{"group":"gitmoor.dev","scope":"Namespaced",
      "names":{"plural":"applications","singular":"application","kind":"Application","shortNames":["app"]},
      "versions":[{"name":"v1alpha1","served":true,"storage":true,"subresources":{"status":{}},
                   "schema":{"openAPIV3Schema":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}}]}})");
  REQUIRE(call(api, "POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd).status == 201);
  for (const char* ns : {"argo", "other"}) {
    REQUIRE(call(api, "POST", "/api/v1/namespaces", Json{{"metadata", {{"name", ns}}}}).status == 201);
  }
}

const std::string kApps = "/apis/gitmoor.dev/v1alpha1/namespaces/argo/applications";

Json application(const std::string& name, const Json& labels = Json::object()) {
  return {{"apiVersion", "gitmoor.dev/v1alpha1"},
          {"kind", "Application"},
          {"metadata", {{"name", name}, {"labels", labels}}},
          {"spec", {{"source", {{"path", "apps/web"}}}}},
          {"status", {{"sync", {{"status", "Synced"}}}}}};
}

std::vector<Json> drain(WatchStream& w, std::size_t max_lines) {
  std::vector<Json> events;
  std::string line;
  while (events.size() < max_lines) {
    if (w.next(line, std::chrono::milliseconds(300)) != WatchStream::Next::Data) break;
    Json e = Json::parse(line);
    if (e["type"] != "BOOKMARK") events.push_back(e);
  }
  return events;
}

const char* kModified = "the object has been modified; please apply your changes to the latest version and try again";

}  // namespace

TEST_CASE("custom resource status subresource: the main resource ignores status, /status ignores the rest",
          "[sandbox][engine-contract]") {
  ApiServer api(quiet());
  install_crd(api);
  auto created = call(api, "POST", kApps, application("web"));
  REQUIRE(created.status == 201);
  CHECK_FALSE(created.body.contains("status"));  // status is not settable on create
  CHECK(created.body["metadata"]["generation"] == 1);

  // /status: only status changes; spec and labels in the body are ignored; generation stays.
  Json status_put = created.body;
  status_put["status"] = {{"sync", {{"status", "OutOfSync"}}}, {"health", {{"status", "Healthy"}}}};
  status_put["spec"]["source"]["path"] = "apps/ignored";
  status_put["metadata"]["labels"] = {{"ignored", "yes"}};
  auto status = call(api, "PUT", kApps + "/web/status", status_put);
  REQUIRE(status.status == 200);
  CHECK(status.body["status"]["sync"]["status"] == "OutOfSync");
  CHECK(status.body["spec"]["source"]["path"] == "apps/web");
  CHECK_FALSE(status.body["metadata"]["labels"].contains("ignored"));
  CHECK(status.body["metadata"]["generation"] == 1);

  // Merge patch on /status merges into status.
  auto merged = call(api, "PATCH", kApps + "/web/status",
                     Json{{"status", {{"operationState", {{"phase", "Running"}}}}}, {"spec", {{"x", 1}}}},
                     "application/merge-patch+json");
  REQUIRE(merged.status == 200);
  CHECK(merged.body["status"]["operationState"]["phase"] == "Running");
  CHECK(merged.body["status"]["sync"]["status"] == "OutOfSync");
  CHECK_FALSE(merged.body["spec"].contains("x"));
  CHECK(merged.body["metadata"]["generation"] == 1);

  // PUT and PATCH on the main resource: status changes are dropped; a spec change bumps generation...
  Json main_put = merged.body;
  main_put["spec"]["source"]["path"] = "apps/web2";
  main_put["status"] = {{"sync", {{"status", "Unknown"}}}};
  auto updated = call(api, "PUT", kApps + "/web", main_put);
  REQUIRE(updated.status == 200);
  CHECK(updated.body["spec"]["source"]["path"] == "apps/web2");
  CHECK(updated.body["status"]["sync"]["status"] == "OutOfSync");
  CHECK(updated.body["metadata"]["generation"] == 2);
  auto patched = call(api, "PATCH", kApps + "/web", Json{{"status", {{"sync", {{"status", "Unknown"}}}}}},
                      "application/merge-patch+json");
  REQUIRE(patched.status == 200);
  CHECK(patched.body["status"]["sync"]["status"] == "OutOfSync");
  CHECK(patched.body["metadata"]["generation"] == 2);
  // ...a metadata-only change does not.
  auto labelled = call(api, "PATCH", kApps + "/web", Json{{"metadata", {{"labels", {{"team", "a"}}}}}},
                       "application/merge-patch+json");
  REQUIRE(labelled.status == 200);
  CHECK(labelled.body["metadata"]["labels"]["team"] == "a");
  CHECK(labelled.body["metadata"]["generation"] == 2);
  // A status write does not bump generation either, and keeps the spec generation-tracked separately.
  auto status_again = call(api, "PATCH", kApps + "/web/status", Json{{"status", {{"observedGeneration", 2}}}},
                           "application/merge-patch+json");
  REQUIRE(status_again.status == 200);
  CHECK(status_again.body["metadata"]["generation"] == 2);
  CHECK(status_again.body["spec"]["source"]["path"] == "apps/web2");
}

TEST_CASE("a stale resourceVersion is 409 Conflict on any object, leases included, POST of an existing name is "
          "409 AlreadyExists",
          "[sandbox][engine-contract]") {
  ApiServer api(quiet());
  install_crd(api);
  const std::string leases = "/apis/coordination.k8s.io/v1/namespaces/argo/leases";
  Json lease{{"apiVersion", "coordination.k8s.io/v1"},
             {"kind", "Lease"},
             {"metadata", {{"name", "gitmoor-controller"}}},
             {"spec", {{"holderIdentity", "replica-a"}, {"leaseDurationSeconds", 15}}}};
  auto created = call(api, "POST", leases, lease);
  REQUIRE(created.status == 201);

  auto again = call(api, "POST", leases, lease);
  CHECK(again.status == 409);
  CHECK(again.body["reason"] == "AlreadyExists");
  CHECK(again.body["message"] == "leases.coordination.k8s.io \"gitmoor-controller\" already exists");
  CHECK(again.body["details"]["group"] == "coordination.k8s.io");

  // Replica A renews with the version it read; replica B then writes with the same, now stale, version.
  Json renew_a = created.body;
  renew_a["spec"]["renewTime"] = "2026-11-26T18:00:00.000000Z";
  auto renewed = call(api, "PUT", leases + "/gitmoor-controller", renew_a);
  REQUIRE(renewed.status == 200);
  CHECK(renewed.body["metadata"]["resourceVersion"] != created.body["metadata"]["resourceVersion"]);
  Json take_b = created.body;
  take_b["spec"]["holderIdentity"] = "replica-b";
  auto stale = call(api, "PUT", leases + "/gitmoor-controller", take_b);
  CHECK(stale.status == 409);
  CHECK(stale.body["reason"] == "Conflict");
  CHECK(stale.body["message"] ==
        std::string("Operation cannot be fulfilled on leases.coordination.k8s.io \"gitmoor-controller\": ") +
            kModified);
  CHECK(call(api, "GET", leases + "/gitmoor-controller").body["spec"]["holderIdentity"] == "replica-a");

  // The same on a custom resource, on its /status, and for a merge patch that carries a resourceVersion.
  auto app = call(api, "POST", kApps, application("web"));
  REQUIRE(app.status == 201);
  REQUIRE(call(api, "PATCH", kApps + "/web", Json{{"metadata", {{"labels", {{"a", "b"}}}}}},
               "application/merge-patch+json")
              .status == 200);
  auto stale_app = call(api, "PUT", kApps + "/web", app.body);
  CHECK(stale_app.status == 409);
  CHECK(stale_app.body["message"] ==
        std::string("Operation cannot be fulfilled on applications.gitmoor.dev \"web\": ") + kModified);
  auto stale_status = call(api, "PUT", kApps + "/web/status", app.body);
  CHECK(stale_status.status == 409);
  CHECK(stale_status.body["reason"] == "Conflict");
  auto stale_patch =
      call(api, "PATCH", kApps + "/web/status",
           Json{{"metadata", {{"resourceVersion", app.body["metadata"]["resourceVersion"]}}},
                {"status", {{"sync", {{"status", "OutOfSync"}}}}}},
           "application/merge-patch+json");
  CHECK(stale_patch.status == 409);
  CHECK(stale_patch.body["reason"] == "Conflict");
  auto app_again = call(api, "POST", kApps, application("web"));
  CHECK(app_again.status == 409);
  CHECK(app_again.body["reason"] == "AlreadyExists");
  CHECK(app_again.body["message"] == "applications.gitmoor.dev \"web\" already exists");
}

TEST_CASE("a watch of custom resources by label selector in one namespace sees only those",
          "[sandbox][engine-contract]") {
  ApiServer api(quiet());
  install_crd(api);
  REQUIRE(call(api, "POST", kApps, application("before", {{"team", "a"}})).status == 201);
  auto w = call(api, "GET", kApps + "?watch=true&labelSelector=team%3Da&allowWatchBookmarks=true");
  REQUIRE(w.status == 200);
  REQUIRE(w.raw.watch);
  auto initial = drain(*w.raw.watch, 1);
  REQUIRE(initial.size() == 1);
  CHECK(initial[0]["type"] == "ADDED");
  CHECK(initial[0]["object"]["metadata"]["name"] == "before");

  REQUIRE(call(api, "POST", "/apis/gitmoor.dev/v1alpha1/namespaces/other/applications",
               application("elsewhere", {{"team", "a"}}))
              .status == 201);
  REQUIRE(call(api, "POST", kApps, application("unlabelled")).status == 201);
  REQUIRE(call(api, "POST", kApps, application("b-team", {{"team", "b"}})).status == 201);
  REQUIRE(call(api, "POST", kApps, application("mine", {{"team", "a"}})).status == 201);
  REQUIRE(call(api, "PATCH", kApps + "/mine/status", Json{{"status", {{"health", {{"status", "Healthy"}}}}}},
               "application/merge-patch+json")
              .status == 200);
  REQUIRE(call(api, "PATCH", kApps + "/b-team", Json{{"metadata", {{"labels", {{"team", "a"}}}}}},
               "application/merge-patch+json")
              .status == 200);
  REQUIRE(call(api, "DELETE", kApps + "/before").status == 200);

  auto events = drain(*w.raw.watch, 10);
  std::vector<std::string> seen;
  for (const auto& e : events) {
    CHECK(e["object"]["kind"] == "Application");
    CHECK(e["object"]["metadata"]["namespace"] == "argo");
    seen.push_back(e["type"].get<std::string>() + " " + e["object"]["metadata"]["name"].get<std::string>());
  }
  // b-team enters the selection by its label change: ADDED for this watch, as a real API server sends it.
  CHECK(seen == std::vector<std::string>{"ADDED mine", "MODIFIED mine", "ADDED b-team", "DELETED before"});
  REQUIRE(events.size() >= 2);
  CHECK(events[1]["object"]["status"]["health"]["status"] == "Healthy");
  w.raw.watch->cancel();
}

TEST_CASE("a CRD's conditions keep their transition times across updates", "[sandbox][engine-contract]") {
  ApiServer api(quiet());
  install_crd(api);
  const std::string url = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/applications.gitmoor.dev";
  Json before = call(api, "GET", url).body;
  // Let the clock pass a second boundary, so a rewritten time would show.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  auto labelled = call(api, "PATCH", url, Json{{"metadata", {{"labels", {{"a", "b"}}}}}}, "application/merge-patch+json");
  REQUIRE(labelled.status == 200);
  CHECK(labelled.body["status"]["conditions"] == before["status"]["conditions"]);
  // An unchanged re-apply of the CRD is a no-op: the same resourceVersion.
  auto again = call(api, "PATCH", url, Json{{"metadata", {{"labels", {{"a", "b"}}}}}}, "application/merge-patch+json");
  CHECK(again.body["metadata"]["resourceVersion"] == labelled.body["metadata"]["resourceVersion"]);
}
