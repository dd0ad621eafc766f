// The API as a plain function: CRUD, errors, lists, watches, subresources and garbage collection, no sockets.
#include <catch2/catch.hpp>

#include <set>

#include "api_client.hpp"

using gitmoor::sandbox::ApiOptions;
using gitmoor::sandbox::ApiServer;
using gitmoor::sandbox::WatchStream;
using gitmoor::test::call;
using gitmoor::test::quiet;
using gitmoor::test::configmap;
using Json = nlohmann::json;

namespace {

std::vector<Json> drain(WatchStream& w, std::size_t max_lines) {
  std::vector<Json> events;
  std::string line;
  while (events.size() < max_lines) {
    auto next = w.next(line, std::chrono::milliseconds(200));
    if (next != WatchStream::Next::Data) break;
    events.push_back(Json::parse(line));
  }
  return events;
}

const char* kCms = "/api/v1/namespaces/default/configmaps";
}  // namespace

TEST_CASE("discovery documents list groups, resources, verbs and short names", "[sandbox]") {
  ApiServer api(quiet());
  auto core = call(api, "GET", "/api/v1");
  REQUIRE(core.status == 200);
  CHECK(core.body["kind"] == "APIResourceList");
  bool found = false;
  for (const auto& r : core.body["resources"]) {
    if (r["name"] == "namespaces") {
      found = true;
      CHECK(r["shortNames"] == Json::array({"ns"}));
      CHECK(r["namespaced"] == false);
    }
  }
  CHECK(found);
  auto groups = call(api, "GET", "/apis");
  REQUIRE(groups.status == 200);
  std::set<std::string> names;
  for (const auto& g : groups.body["groups"]) names.insert(g["name"].get<std::string>());
  for (const char* g : {"apps", "batch", "autoscaling", "networking.k8s.io", "rbac.authorization.k8s.io", "policy",
                        "coordination.k8s.io", "storage.k8s.io", "apiextensions.k8s.io"}) {
    CHECK(names.count(g) == 1);
  }
  auto apps = call(api, "GET", "/apis/apps/v1");
  bool scale = false;
  for (const auto& r : apps.body["resources"]) {
    if (r["name"] == "deployments/scale") scale = r["kind"] == "Scale" && r["group"] == "autoscaling";
  }
  CHECK(scale);
  CHECK(call(api, "GET", "/apis/nope/v1").status == 404);
  auto openapi = call(api, "GET", "/openapi/v2");
  CHECK(openapi.status == 200);
  CHECK(openapi.raw.body.empty());
  CHECK(call(api, "GET", "/openapi/v3").status == 404);
}

TEST_CASE("create, get, update with a stale resourceVersion, delete", "[sandbox]") {
  ApiServer api(quiet());
  auto created = call(api, "POST", kCms, configmap("app"));
  REQUIRE(created.status == 201);
  const Json& md = created.body["metadata"];
  CHECK(md["uid"].get<std::string>().size() == 36);
  CHECK_FALSE(md["resourceVersion"].get<std::string>().empty());
  CHECK(md.contains("creationTimestamp"));

  CHECK(call(api, "POST", kCms, configmap("app")).body["reason"] == "AlreadyExists");

  Json update = created.body;
  update["data"]["a"] = "2";
  auto updated = call(api, "PUT", std::string(kCms) + "/app", update);
  REQUIRE(updated.status == 200);
  CHECK(std::stoull(updated.body["metadata"]["resourceVersion"].get<std::string>()) >
        std::stoull(md["resourceVersion"].get<std::string>()));

  auto stale = call(api, "PUT", std::string(kCms) + "/app", update);  // carries the old resourceVersion
  CHECK(stale.status == 409);
  CHECK(stale.body["reason"] == "Conflict");
  CHECK(stale.body["message"].get<std::string>().find("the object has been modified") != std::string::npos);

  auto got = call(api, "GET", std::string(kCms) + "/app");
  CHECK(got.body["data"]["a"] == "2");

  auto deleted = call(api, "DELETE", std::string(kCms) + "/app");
  CHECK(deleted.status == 200);
  auto missing = call(api, "GET", std::string(kCms) + "/app");
  CHECK(missing.status == 404);
  CHECK(missing.body["message"] == "configmaps \"app\" not found");
  CHECK(missing.body["details"]["kind"] == "configmaps");
}

TEST_CASE("namespaced objects need their namespace", "[sandbox]") {
  ApiServer api(quiet());
  auto r = call(api, "POST", "/api/v1/namespaces/nowhere/configmaps", configmap("x"));
  CHECK(r.status == 404);
  CHECK(r.body["message"] == "namespaces \"nowhere\" not found");
}

TEST_CASE("lists carry kind, apiVersion and resourceVersion, limit and continue page through", "[sandbox]") {
  ApiServer api(quiet());
  for (const char* n : {"a", "b", "c", "d", "e"}) REQUIRE(call(api, "POST", kCms, configmap(n)).status == 201);
  auto all = call(api, "GET", kCms);
  CHECK(all.body["kind"] == "ConfigMapList");
  CHECK(all.body["apiVersion"] == "v1");
  CHECK_FALSE(all.body["metadata"]["resourceVersion"].get<std::string>().empty());
  CHECK(all.body["items"].size() == 5);

  std::vector<std::string> names;
  std::string token;
  int pages = 0;
  do {
    auto page = call(api, "GET", std::string(kCms) + "?limit=2" + (token.empty() ? "" : "&continue=" + token));
    REQUIRE(page.status == 200);
    for (const auto& i : page.body["items"]) names.push_back(i["metadata"]["name"]);
    token = page.body["metadata"].value("continue", "");
    ++pages;
  } while (!token.empty() && pages < 10);
  CHECK(pages == 3);
  CHECK(names == std::vector<std::string>{"a", "b", "c", "d", "e"});
  CHECK(call(api, "GET", std::string(kCms) + "?limit=2&continue=zz").status == 400);
}

TEST_CASE("label selectors with every operator, and field selectors", "[sandbox]") {
  ApiServer api(quiet());
  REQUIRE(call(api, "POST", kCms, configmap("a", {}, {{"tier", "web"}, {"n", "5"}})).status == 201);
  REQUIRE(call(api, "POST", kCms, configmap("b", {}, {{"tier", "db"}})).status == 201);
  REQUIRE(call(api, "POST", kCms, configmap("c", {}, Json::object())).status == 201);
  auto names = [&](const std::string& query) {
    std::vector<std::string> out;
    auto r = call(api, "GET", std::string(kCms) + "?" + query);
    for (const auto& i : r.body["items"]) out.push_back(i["metadata"]["name"]);
    return out;
  };
  using V = std::vector<std::string>;
  CHECK(names("labelSelector=tier%3Dweb") == V{"a"});
  CHECK(names("labelSelector=tier%3D%3Dweb") == V{"a"});
  CHECK(names("labelSelector=tier!%3Dweb") == V{"b", "c"});
  CHECK(names("labelSelector=tier%20in%20(web,db)") == V{"a", "b"});
  CHECK(names("labelSelector=tier%20notin%20(web)") == V{"b", "c"});
  CHECK(names("labelSelector=tier") == V{"a", "b"});
  CHECK(names("labelSelector=!tier") == V{"c"});
  CHECK(names("labelSelector=n>3") == V{"a"});
  CHECK(names("labelSelector=tier,!n") == V{"b"});
  CHECK(names("fieldSelector=metadata.name%3Db") == V{"b"});
  CHECK(names("fieldSelector=metadata.name!%3Db") == V{"a", "c"});
  CHECK(names("fieldSelector=metadata.namespace%3Ddefault") == V{"a", "b", "c"});
  CHECK(call(api, "GET", std::string(kCms) + "?labelSelector=a%20in%20b").status == 400);
}

TEST_CASE("watch replays from a resourceVersion, sends bookmarks, and answers 410 for expired versions", "[sandbox]") {
  ApiOptions options = quiet();
  options.event_history = 5;
  options.bookmark_interval = std::chrono::milliseconds(0);
  ApiServer api(options);
  auto first = call(api, "POST", kCms, configmap("a"));
  std::string rv = first.body["metadata"]["resourceVersion"];

  auto w = call(api, "GET", std::string(kCms) + "?watch=true&resourceVersion=" + rv);
  REQUIRE(w.raw.watch);
  REQUIRE(call(api, "POST", kCms, configmap("b", {}, {{"x", "1"}})).status == 201);
  REQUIRE(call(api, "DELETE", std::string(kCms) + "/a").status == 200);
  auto events = drain(*w.raw.watch, 2);
  REQUIRE(events.size() == 2);
  CHECK(events[0]["type"] == "ADDED");
  CHECK(events[0]["object"]["metadata"]["name"] == "b");
  CHECK(events[1]["type"] == "DELETED");
  CHECK(events[1]["object"]["metadata"]["name"] == "a");
  w.raw.watch->cancel();

  // A selector-filtered watch: an object leaving the selection is DELETED for it.
  auto selected = call(api, "GET", std::string(kCms) + "?watch=1&labelSelector=x%3D1&allowWatchBookmarks=true");
  REQUIRE(selected.raw.watch);
  auto initial = drain(*selected.raw.watch, 1);
  REQUIRE(initial.size() == 1);
  CHECK(initial[0]["type"] == "ADDED");
  REQUIRE(call(api, "PATCH", std::string(kCms) + "/b", Json{{"metadata", {{"labels", {{"x", "2"}}}}}},
               "application/merge-patch+json")
              .status == 200);
  auto left = drain(*selected.raw.watch, 2);
  REQUIRE(left.size() >= 1);
  CHECK(left[0]["type"] == "DELETED");
  if (left.size() > 1) CHECK(left[1]["type"] == "BOOKMARK");

  // Push the history past its bound; resuming from the first version is too old.
  for (int i = 0; i < 10; ++i) REQUIRE(call(api, "POST", kCms, configmap("n" + std::to_string(i))).status == 201);
  auto gone = call(api, "GET", std::string(kCms) + "?watch=true&resourceVersion=" + rv);
  REQUIRE(gone.raw.watch);
  auto error = drain(*gone.raw.watch, 1);
  REQUIRE(error.size() == 1);
  CHECK(error[0]["type"] == "ERROR");
  CHECK(error[0]["object"]["code"] == 410);
  CHECK(error[0]["object"]["reason"] == "Expired");
}

TEST_CASE("watch timeoutSeconds ends the stream", "[sandbox]") {
  ApiServer api(quiet());
  auto w = call(api, "GET", std::string(kCms) + "?watch=true&timeoutSeconds=1");
  REQUIRE(w.raw.watch);
  std::string line;
  auto next = WatchStream::Next::Idle;
  for (int i = 0; i < 100 && next != WatchStream::Next::End; ++i) next = w.raw.watch->next(line, std::chrono::milliseconds(100));
  CHECK(next == WatchStream::Next::End);
}

TEST_CASE("errors: unknown resource 404, malformed body 400, unsupported patch 415, invalid names 422", "[sandbox]") {
  ApiServer api(quiet());
  auto unknown = call(api, "GET", "/api/v1/namespaces/default/flurbs");
  CHECK(unknown.status == 404);
  CHECK(unknown.body["reason"] == "NotFound");
  auto malformed = call(api, "POST", kCms, Json("{not json"));
  CHECK(malformed.status == 400);
  CHECK(malformed.body["reason"] == "BadRequest");
  REQUIRE(call(api, "POST", kCms, configmap("app")).status == 201);
  auto unsupported = call(api, "PATCH", std::string(kCms) + "/app", Json{{"data", {{"a", "2"}}}}, "text/plain");
  CHECK(unsupported.status == 415);
  CHECK(unsupported.body["reason"] == "UnsupportedMediaType");
  auto bad_name = call(api, "POST", kCms, configmap("Bad_Name"));
  CHECK(bad_name.status == 422);
  CHECK(bad_name.body["reason"] == "Invalid");
  CHECK(bad_name.body["details"]["causes"][0]["field"] == "metadata.name");
  CHECK(bad_name.body["message"].get<std::string>().find("a lowercase RFC 1123 subdomain") != std::string::npos);
  Json big = configmap("big");
  big["metadata"]["annotations"]["blob"] = std::string(262145, 'x');
  auto too_big = call(api, "POST", kCms, big);
  CHECK(too_big.status == 422);
  CHECK(too_big.body["message"].get<std::string>().find("metadata.annotations: Too long") != std::string::npos);
  auto ns = call(api, "POST", "/api/v1/namespaces", Json{{"apiVersion", "v1"}, {"kind", "Namespace"},
                                                          {"metadata", {{"name", "a.b"}}}});
  CHECK(ns.status == 422);
  CHECK(ns.body["message"].get<std::string>().find("RFC 1123 label") != std::string::npos);
  auto no_manager = call(api, "PATCH", std::string(kCms) + "/app", configmap("app"), "application/apply-patch+yaml");
  CHECK(no_manager.status == 422);
}

TEST_CASE("server-side apply creates with 201, conflicts name the manager, force takes over", "[sandbox]") {
  ApiServer api(quiet());
  std::string url = std::string(kCms) + "/app?fieldManager=alice";
  auto created = call(api, "PATCH", url, configmap("app", {{"k", "1"}}), "application/apply-patch+yaml");
  REQUIRE(created.status == 201);
  CHECK(created.body["metadata"]["managedFields"][0]["manager"] == "alice");
  CHECK(created.body["metadata"]["managedFields"][0]["operation"] == "Apply");
  CHECK(created.body["metadata"]["managedFields"][0]["fieldsV1"] == Json{{"f:data", {{"f:k", Json::object()}}}});
  auto again = call(api, "PATCH", url, configmap("app", {{"k", "1"}}), "application/apply-patch+yaml");
  CHECK(again.status == 200);
  CHECK(again.body["metadata"]["resourceVersion"] == created.body["metadata"]["resourceVersion"]);

  std::string bob = std::string(kCms) + "/app?fieldManager=bob";
  auto conflict = call(api, "PATCH", bob, configmap("app", {{"k", "2"}}), "application/apply-patch+yaml");
  CHECK(conflict.status == 409);
  CHECK(conflict.body["message"] == "Apply failed with 1 conflict: conflict with \"alice\" using v1: .data.k");
  CHECK(conflict.body["details"]["causes"][0]["field"] == ".data.k");
  // The same value is shared ownership, not a conflict.
  CHECK(call(api, "PATCH", bob, configmap("app", {{"k", "1"}}), "application/apply-patch+yaml").status == 200);
  auto forced = call(api, "PATCH", bob + "&force=true", configmap("app", {{"k", "3"}}), "application/apply-patch+yaml");
  REQUIRE(forced.status == 200);
  CHECK(forced.body["data"]["k"] == "3");
  // alice no longer owns k: her next apply without it does not remove it.
  auto alice = call(api, "PATCH", url, configmap("app", Json::object()), "application/apply-patch+yaml");
  REQUIRE(alice.status == 200);
  CHECK(alice.body["data"]["k"] == "3");
  // YAML bodies work too.
  auto yaml = call(api, "PATCH", std::string(kCms) + "/yml?fieldManager=alice",
                   Json("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: yml\ndata:\n  a: 'yes'\n"),
                   "application/apply-patch+yaml");
  INFO(yaml.raw.body);
  REQUIRE(yaml.status == 201);
  CHECK(yaml.body["data"]["a"] == "yes");
  // A name YAML decodes to a boolean is a 400, as from a typed decoder.
  auto typed = call(api, "PATCH", std::string(kCms) + "/y?fieldManager=alice",
                    Json("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: y\n"), "application/apply-patch+yaml");
  CHECK(typed.status == 400);
}

TEST_CASE("dryRun=All persists nothing on create, apply, update and delete", "[sandbox]") {
  ApiServer api(quiet());
  auto dry = call(api, "POST", std::string(kCms) + "?dryRun=All", configmap("dry"));
  CHECK(dry.status == 201);
  CHECK(dry.body["metadata"]["name"] == "dry");
  CHECK(call(api, "GET", std::string(kCms) + "/dry").status == 404);
  CHECK(call(api, "PATCH", std::string(kCms) + "/dry?dryRun=All&fieldManager=m", configmap("dry"),
             "application/apply-patch+yaml")
            .status == 201);
  CHECK(call(api, "GET", std::string(kCms) + "/dry").status == 404);
  REQUIRE(call(api, "POST", kCms, configmap("real")).status == 201);
  CHECK(call(api, "DELETE", std::string(kCms) + "/real", Json{{"dryRun", {"All"}}}).status == 200);
  CHECK(call(api, "GET", std::string(kCms) + "/real").status == 200);
}

TEST_CASE("finalizers hold deletion until they are removed", "[sandbox]") {
  ApiServer api(quiet());
  Json cm = configmap("held");
  cm["metadata"]["finalizers"] = {"example.com/hold"};
  REQUIRE(call(api, "POST", kCms, cm).status == 201);
  auto deleting = call(api, "DELETE", std::string(kCms) + "/held");
  CHECK(deleting.status == 200);
  CHECK(deleting.body["metadata"].contains("deletionTimestamp"));
  CHECK(call(api, "GET", std::string(kCms) + "/held").status == 200);
  auto released = call(api, "PATCH", std::string(kCms) + "/held", Json{{"metadata", {{"finalizers", nullptr}}}},
                       "application/merge-patch+json");
  CHECK(released.status == 200);
  CHECK(call(api, "GET", std::string(kCms) + "/held").status == 404);
}

TEST_CASE("ownerReferences: background, foreground and orphan deletion", "[sandbox]") {
  ApiServer api(quiet());
  auto owner_of = [&](const std::string& name) {
    auto owner = call(api, "POST", kCms, configmap(name));
    REQUIRE(owner.status == 201);
    Json child = configmap(name + "-child");
    child["metadata"]["ownerReferences"] = Json::array({Json{{"apiVersion", "v1"},
                                                             {"kind", "ConfigMap"},
                                                             {"name", name},
                                                             {"uid", owner.body["metadata"]["uid"]}}});
    REQUIRE(call(api, "POST", kCms, child).status == 201);
  };
  owner_of("bg");
  owner_of("fg");
  owner_of("or");
  REQUIRE(call(api, "DELETE", std::string(kCms) + "/bg", Json{{"propagationPolicy", "Background"}}).status == 200);
  CHECK(call(api, "GET", std::string(kCms) + "/bg-child").status == 404);
  REQUIRE(call(api, "DELETE", std::string(kCms) + "/fg", Json{{"propagationPolicy", "Foreground"}}).status == 200);
  CHECK(call(api, "GET", std::string(kCms) + "/fg").status == 404);
  CHECK(call(api, "GET", std::string(kCms) + "/fg-child").status == 404);
  REQUIRE(call(api, "DELETE", std::string(kCms) + "/or", Json{{"propagationPolicy", "Orphan"}}).status == 200);
  auto orphan = call(api, "GET", std::string(kCms) + "/or-child");
  REQUIRE(orphan.status == 200);
  CHECK_FALSE(orphan.body["metadata"].contains("ownerReferences"));
}

TEST_CASE("namespace deletion removes its contents, then the namespace", "[sandbox]") {
  ApiServer api(quiet());
  REQUIRE(call(api, "POST", "/api/v1/namespaces", Json{{"metadata", {{"name", "doomed"}}}}).status == 201);
  REQUIRE(call(api, "POST", "/api/v1/namespaces/doomed/configmaps", configmap("a")).status == 201);
  Json held = configmap("held");
  held["metadata"]["finalizers"] = {"example.com/hold"};
  REQUIRE(call(api, "POST", "/api/v1/namespaces/doomed/configmaps", held).status == 201);
  REQUIRE(call(api, "DELETE", "/api/v1/namespaces/doomed").status == 200);
  auto ns = call(api, "GET", "/api/v1/namespaces/doomed");
  REQUIRE(ns.status == 200);
  CHECK(ns.body["status"]["phase"] == "Terminating");
  CHECK(call(api, "GET", "/api/v1/namespaces/doomed/configmaps/a").status == 404);
  CHECK(call(api, "POST", "/api/v1/namespaces/doomed/configmaps", configmap("new")).status == 403);
  REQUIRE(call(api, "PATCH", "/api/v1/namespaces/doomed/configmaps/held", Json{{"metadata", {{"finalizers", nullptr}}}},
               "application/merge-patch+json")
              .status == 200);
  CHECK(call(api, "GET", "/api/v1/namespaces/doomed").status == 404);
}

TEST_CASE("a CRD serves its resource at once, deleting it deletes the custom objects", "[sandbox]") {
  ApiServer api(quiet());
  Json crd = Json::parse(R"({"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition",
    "metadata":{"name":"widgets.example.com"},
    "spec":{"group":"example.com","scope":"Namespaced",
      "names":{"plural":"widgets","singular":"widget","kind":"Widget","shortNames":["wd"]},
      "versions":[{"name":"v1","served":true,"storage":true,"subresources":{"status":{}},
                   "schema":{"openAPIV3Schema":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}}]}})");
  auto created = call(api, "POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd);
  REQUIRE(created.status == 201);
  CHECK(created.body["status"]["conditions"][1]["type"] == "Established");
  auto discovery = call(api, "GET", "/apis/example.com/v1");
  REQUIRE(discovery.status == 200);
  CHECK(discovery.body["resources"][0]["shortNames"] == Json::array({"wd"}));
  Json widget{{"apiVersion", "example.com/v1"}, {"kind", "Widget"}, {"metadata", {{"name", "w1"}}},
              {"spec", {{"size", 3}}}, {"status", {{"ready", true}}}};
  auto w = call(api, "POST", "/apis/example.com/v1/namespaces/default/widgets", widget);
  REQUIRE(w.status == 201);
  CHECK_FALSE(w.body.contains("status"));  // status goes through the subresource
  CHECK(w.body["metadata"]["generation"] == 1);
  auto status = call(api, "PATCH", "/apis/example.com/v1/namespaces/default/widgets/w1/status",
                     Json{{"status", {{"ready", true}}}}, "application/merge-patch+json");
  REQUIRE(status.status == 200);
  CHECK(status.body["status"]["ready"] == true);
  CHECK(status.body["metadata"]["generation"] == 1);
  CHECK(call(api, "PATCH", "/apis/example.com/v1/namespaces/default/widgets/w1", Json{{"spec", {{"size", 4}}}},
             "application/strategic-merge-patch+json")
            .status == 415);
  REQUIRE(call(api, "DELETE", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com").status ==
          200);
  CHECK(call(api, "GET", "/apis/example.com/v1").status == 404);
  CHECK(call(api, "GET", "/apis/example.com/v1/namespaces/default/widgets/w1").status == 404);
}

TEST_CASE("scale subresource reads and writes replicas as an autoscaling/v1 Scale", "[sandbox]") {
  ApiServer api(quiet());
  Json deploy = Json::parse(R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},
    "spec":{"replicas":2,"selector":{"matchLabels":{"app":"d"}},
            "template":{"metadata":{"labels":{"app":"d"}},"spec":{"containers":[{"name":"c","image":"i:1"}]}}}})");
  REQUIRE(call(api, "POST", "/apis/apps/v1/namespaces/default/deployments", deploy).status == 201);
  auto scale = call(api, "GET", "/apis/apps/v1/namespaces/default/deployments/d/scale");
  REQUIRE(scale.status == 200);
  CHECK(scale.body["kind"] == "Scale");
  CHECK(scale.body["apiVersion"] == "autoscaling/v1");
  CHECK(scale.body["spec"]["replicas"] == 2);
  CHECK(scale.body["status"]["selector"] == "app=d");
  auto patched = call(api, "PATCH", "/apis/apps/v1/namespaces/default/deployments/d/scale",
                      Json{{"spec", {{"replicas", 6}}}}, "application/merge-patch+json");
  REQUIRE(patched.status == 200);
  CHECK(patched.body["spec"]["replicas"] == 6);
  auto d = call(api, "GET", "/apis/apps/v1/namespaces/default/deployments/d");
  CHECK(d.body["spec"]["replicas"] == 6);
  CHECK(d.body["metadata"]["generation"] == 2);
}
