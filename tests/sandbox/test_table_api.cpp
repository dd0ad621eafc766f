// GET lists, single objects and watches answered as meta.k8s.io/v1 Tables when the Accept header asks (kubectl get),
// through the in-process API.
#include <catch2/catch.hpp>

#include "api_client.hpp"

using gitmoor::sandbox::ApiServer;
using gitmoor::sandbox::WatchStream;
using gitmoor::test::call;
using gitmoor::test::configmap;
using gitmoor::test::quiet;
using Json = nlohmann::json;

namespace {

const char* kTableAccept =
    "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,"
    "application/json";

gitmoor::sandbox::Response get(ApiServer& api, const std::string& target, const std::string& accept = kTableAccept) {
  gitmoor::sandbox::Request r;
  r.method = "GET";
  r.target = target;
  r.headers["accept"] = accept;
  return api.handle(r);
}

Json get_json(ApiServer& api, const std::string& target, const std::string& accept = kTableAccept) {
  auto r = get(api, target, accept);
  INFO(r.body);
  REQUIRE(r.status == 200);
  return Json::parse(r.body);
}

std::vector<std::string> column_names(const Json& table) {
  std::vector<std::string> out;
  for (const auto& c : table["columnDefinitions"]) out.push_back(c["name"]);
  return out;
}

const char* kCms = "/api/v1/namespaces/default/configmaps";

}  // namespace

TEST_CASE("list and get answer a Table only when the Accept asks for one", "[sandbox][printers]") {
  ApiServer api(quiet());
  REQUIRE(call(api, "POST", kCms, configmap("a", {{"k", "v"}}, {{"tier", "web"}})).status == 201);
  REQUIRE(call(api, "POST", kCms, configmap("b")).status == 201);

  Json plain = get_json(api, kCms, "application/json");
  CHECK(plain["kind"] == "ConfigMapList");

  Json table = get_json(api, kCms);
  CHECK(table["kind"] == "Table");
  CHECK(table["apiVersion"] == "meta.k8s.io/v1");
  CHECK(table["metadata"]["resourceVersion"] == plain["metadata"]["resourceVersion"]);
  CHECK(column_names(table) == std::vector<std::string>{"Name", "Data", "Age"});
  REQUIRE(table["rows"].size() == 2);
  CHECK(table["rows"][0]["cells"][0] == "a");
  CHECK(table["rows"][0]["cells"][1] == 1);
  CHECK(table["rows"][0]["cells"][2] == "0s");
  // Metadata by default: kubectl's --show-labels and -A read the row object's labels and namespace.
  CHECK(table["rows"][0]["object"]["kind"] == "PartialObjectMetadata");
  CHECK(table["rows"][0]["object"]["metadata"]["labels"]["tier"] == "web");
  CHECK(table["rows"][0]["object"]["metadata"]["namespace"] == "default");

  Json full = get_json(api, std::string(kCms) + "?includeObject=Object");
  CHECK(full["rows"][0]["object"]["kind"] == "ConfigMap");
  CHECK(full["rows"][0]["object"]["data"]["k"] == "v");
  CHECK(get_json(api, std::string(kCms) + "?includeObject=None")["rows"][0]["object"].is_null());
  CHECK(get(api, std::string(kCms) + "?includeObject=All").status == 400);

  // Paging: continue and remainingItemCount as for lists.
  Json page = get_json(api, std::string(kCms) + "?limit=1");
  CHECK(page["rows"].size() == 1);
  CHECK(page["metadata"]["remainingItemCount"] == 1);
  Json rest = get_json(api, std::string(kCms) + "?limit=1&continue=" + page["metadata"]["continue"].get<std::string>());
  CHECK(rest["rows"][0]["cells"][0] == "b");

  // One object: a one-row Table with the object's resourceVersion.
  Json one = get_json(api, std::string(kCms) + "/a");
  CHECK(one["kind"] == "Table");
  REQUIRE(one["rows"].size() == 1);
  CHECK(one["metadata"]["resourceVersion"] == one["rows"][0]["object"]["metadata"]["resourceVersion"]);
  // Table v1beta1 alone is not served: plain JSON.
  CHECK(get_json(api, std::string(kCms) + "/a", "application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json")[
            "kind"] == "ConfigMap");
  // Errors stay Status objects.
  CHECK(get(api, std::string(kCms) + "/missing").status == 404);
}

TEST_CASE("a Table watch sends one-row Tables, column definitions with the first event only",
          "[sandbox][printers]") {
  ApiServer api(quiet());
  REQUIRE(call(api, "POST", kCms, configmap("a")).status == 201);
  auto w = get(api, std::string(kCms) + "?watch=true");
  REQUIRE(w.watch);
  std::string line;
  REQUIRE(w.watch->next(line, std::chrono::milliseconds(1000)) == WatchStream::Next::Data);
  Json first = Json::parse(line);
  CHECK(first["type"] == "ADDED");
  CHECK(first["object"]["kind"] == "Table");
  CHECK(column_names(first["object"]) == std::vector<std::string>{"Name", "Data", "Age"});
  CHECK(first["object"]["rows"][0]["cells"][0] == "a");

  REQUIRE(call(api, "PATCH", std::string(kCms) + "/a", Json{{"data", {{"x", "1"}, {"y", "2"}}}},
               "application/merge-patch+json")
              .status == 200);
  REQUIRE(w.watch->next(line, std::chrono::milliseconds(1000)) == WatchStream::Next::Data);
  Json second = Json::parse(line);
  CHECK(second["type"] == "MODIFIED");
  CHECK(second["object"]["columnDefinitions"].is_null());
  CHECK(second["object"]["rows"][0]["cells"][1] == 3);
  CHECK(second["object"]["metadata"]["resourceVersion"] ==
        second["object"]["rows"][0]["object"]["metadata"]["resourceVersion"]);
  w.watch->cancel();

  // Without the Accept, the same watch is plain JSON.
  auto plain = get(api, std::string(kCms) + "?watch=true", "application/json");
  REQUIRE(plain.watch->next(line, std::chrono::milliseconds(1000)) == WatchStream::Next::Data);
  CHECK(Json::parse(line)["object"]["kind"] == "ConfigMap");
  plain.watch->cancel();
}

TEST_CASE("custom resources print their CRD's additionalPrinterColumns for the version asked",
          "[sandbox][printers]") {
  ApiServer api(quiet());
  Json crd = Json::parse(R"({"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition",
    "metadata":{"name":"widgets.example.com"},
    "spec":{"group":"example.com","scope":"Namespaced",
      "names":{"plural":"widgets","singular":"widget","kind":"Widget"},
      "versions":[
        {"name":"v1","served":true,"storage":true,"schema":{"openAPIV3Schema":{"type":"object"}},
         "additionalPrinterColumns":[{"name":"Size","type":"integer","jsonPath":".spec.size"},
                                     {"name":"Phase","type":"string","jsonPath":".status.phase"}]},
        {"name":"v2","served":true,"storage":false,"schema":{"openAPIV3Schema":{"type":"object"}}}]}})");
  REQUIRE(call(api, "POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd).status == 201);
  Json widget{{"apiVersion", "example.com/v1"},
              {"kind", "Widget"},
              {"metadata", {{"name", "w1"}}},
              {"spec", {{"size", 3}}},
              {"status", {{"phase", "Ready"}}}};
  auto created = call(api, "POST", "/apis/example.com/v1/namespaces/default/widgets", widget);
  INFO(created.body.dump());
  REQUIRE(created.status == 201);

  Json v1 = get_json(api, "/apis/example.com/v1/namespaces/default/widgets");
  CHECK(column_names(v1) == std::vector<std::string>{"Name", "Size", "Phase"});
  CHECK(v1["rows"][0]["cells"] == Json::array({"w1", 3, "Ready"}));
  Json v2 = get_json(api, "/apis/example.com/v2/namespaces/default/widgets?includeObject=Object");
  CHECK(column_names(v2) == std::vector<std::string>{"Name", "Age"});
  CHECK(v2["rows"][0]["object"]["apiVersion"] == "example.com/v2");
  // The CRD itself prints with kube's default table.
  Json crds = get_json(api, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions");
  CHECK(column_names(crds) == std::vector<std::string>{"Name", "Created At"});
}
