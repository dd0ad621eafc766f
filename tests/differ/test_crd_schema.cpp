#include <catch2/catch.hpp>

#include "differ_support.hpp"
#include "gitmoor/differ/crd_schema.hpp"
#include "gitmoor/differ/diff.hpp"
#include "test_paths.hpp"

using namespace gitmoor;
using test::object_of;

namespace {

differ::CustomResourceSchemas gateway_schemas() {
  return differ::CustomResourceSchemas::from_objects(
      test::objects_in(test::testdata_dir() / "crd-schema" / "gateway-crd.yaml"));
}

const char* kDesired = R"(
apiVersion: net.example.io/v1
kind: Gateway
metadata: {name: edge, namespace: game}
spec:
  listeners:
  - {name: web, port: 80, protocol: HTTP, hostnames: [tetris.example.com]}
  routes:
  - {path: /}
)";

// What the API server returns after gitmoor's apply of kDesired, with a listener added by another manager
// (a controller) and the schema default timeoutSeconds filled in.
const char* kLive = R"(
apiVersion: net.example.io/v1
kind: Gateway
metadata:
  name: edge
  namespace: game
  managedFields:
  - manager: gitmoor
    operation: Apply
    apiVersion: net.example.io/v1
    fieldsType: FieldsV1
    fieldsV1:
      f:spec:
        f:listeners:
          k:{"port":80,"protocol":"HTTP"}:
            .: {}
            f:name: {}
            f:port: {}
            f:protocol: {}
            f:hostnames: {v:"tetris.example.com": {}}
        f:routes: {}
  - manager: edge-controller
    operation: Apply
    apiVersion: net.example.io/v1
    fieldsType: FieldsV1
    fieldsV1:
      f:spec:
        f:listeners:
          k:{"port":15021,"protocol":"HTTP"}: {.: {}, f:name: {}, f:port: {}, f:protocol: {}}
        f:routes: {}
spec:
  listeners:
  - {name: status, port: 15021, protocol: HTTP, timeoutSeconds: 30}
  - {name: web, port: 80, protocol: HTTP, timeoutSeconds: 30, hostnames: [tetris.example.com]}
  routes:
  - {path: /}
)";

differ::ResourceDiff diff_with(const core::Object& desired, const core::Object& live,
                               const differ::CustomResourceSchemas* schemas) {
  differ::DiffOptions options;
  options.custom_resource_schemas = schemas;
  return differ::diff_resource(&desired, &live, options);
}

}  // namespace

TEST_CASE("CRD schema: list types are read from x-kubernetes-list-type and list-map-keys", "[differ][crd]") {
  const auto schemas = gateway_schemas();
  const auto* lists = schemas.lists_of("net.example.io", "Gateway");
  REQUIRE(lists != nullptr);
  REQUIRE(lists->count("spec.listeners") == 1);
  CHECK(lists->at("spec.listeners").type == differ::ListType::Map);
  CHECK(lists->at("spec.listeners").keys == std::vector<std::string>{"port", "protocol"});
  REQUIRE(lists->count("spec.listeners.hostnames") == 1);
  CHECK(lists->at("spec.listeners.hostnames").type == differ::ListType::Set);
  CHECK(lists->at("status.conditions").keys == std::vector<std::string>{"type"});
  CHECK(lists->count("spec.routes") == 0);  // no list type declared: atomic
  CHECK(schemas.lists_of("net.example.io", "Route") == nullptr);
  CHECK(schemas.lists_of("other.example.io", "Gateway") == nullptr);
}

TEST_CASE("CRD schema: objects that are not CRDs are ignored", "[differ][crd]") {
  auto schemas = differ::CustomResourceSchemas::from_objects({object_of(kDesired)});
  CHECK(schemas.empty());
}

TEST_CASE("CRD schema: a custom list-map is walked by its keys, so another manager's element is not drift",
          "[differ][crd]") {
  const auto schemas = gateway_schemas();
  const auto desired = object_of(kDesired);
  const auto live = object_of(kLive);

  // Without the CRD the list is atomic: the extra listener looks like drift (the known limit this lifts).
  CHECK(diff_with(desired, live, nullptr).status == differ::SyncStatus::OutOfSync);
  CHECK(diff_with(desired, live, &schemas).status == differ::SyncStatus::Synced);
}

TEST_CASE("CRD schema: a changed field of a custom list-map element is drift at the live element", "[differ][crd]") {
  const auto schemas = gateway_schemas();
  auto desired = object_of(kDesired);
  desired.json()["spec"]["listeners"][0]["name"] = "http";
  desired.json()["spec"]["listeners"][0]["hostnames"].push_back("www.example.com");
  const auto result = diff_with(desired, object_of(kLive), &schemas);
  REQUIRE(result.status == differ::SyncStatus::OutOfSync);
  REQUIRE(result.changes.size() == 2);
  CHECK(result.changes[0].path == "/spec/listeners/1/hostnames/1");  // set: the new value, by its desired index
  CHECK(result.changes[0].op == differ::ChangeOp::Add);
  CHECK(result.changes[1].path == "/spec/listeners/1/name");  // the element's index in live
  CHECK(result.changes[1].op == differ::ChangeOp::Replace);
  // The prediction merges by key: the other manager's listener stays, ours is updated in place.
  const auto& listeners = result.predicted["spec"]["listeners"];
  REQUIRE(listeners.size() == 2);
  CHECK(listeners[0]["name"] == "status");
  CHECK(listeners[1]["name"] == "http");
  CHECK(listeners[1]["timeoutSeconds"] == 30);
  CHECK(listeners[1]["hostnames"] == core::Json::array({"tetris.example.com", "www.example.com"}));
}

TEST_CASE("CRD schema: a listener gitmoor applied and Git dropped is removed, found by its keys", "[differ][crd]") {
  const auto schemas = gateway_schemas();
  auto desired = object_of(kDesired);
  desired.json()["spec"]["listeners"] = core::Json::array();
  desired.json()["spec"]["listeners"].push_back({{"name", "tls"}, {"port", 443}, {"protocol", "HTTPS"}});
  const auto result = diff_with(desired, object_of(kLive), &schemas);
  REQUIRE(result.status == differ::SyncStatus::OutOfSync);
  REQUIRE(result.changes.size() == 2);
  CHECK(result.changes[0].path == "/spec/listeners/0");  // tls: new, by its index in desired
  CHECK(result.changes[0].op == differ::ChangeOp::Add);
  CHECK(result.changes[1].path == "/spec/listeners/1");  // web: owned by gitmoor, gone from Git, by live index
  CHECK(result.changes[1].op == differ::ChangeOp::Remove);
  const auto& listeners = result.predicted["spec"]["listeners"];
  REQUIRE(listeners.size() == 2);
  CHECK(listeners[0]["name"] == "status");  // the controller's listener is not ours to remove
  CHECK(listeners[1]["name"] == "tls");
}
