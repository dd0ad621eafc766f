#include <catch2/catch.hpp>

#include "differ_support.hpp"
#include "gitmoor/differ/normalize.hpp"
#include "gitmoor/differ/schema.hpp"

using namespace gitmoor;
using differ::Json;

TEST_CASE("normalize drops what the API server populates", "[differ][normalize]") {
  auto live = core::parse_yaml(R"(
apiVersion: v1
kind: ConfigMap
metadata:
  name: a
  namespace: game
  uid: 1234
  resourceVersion: "9"
  generation: 2
  creationTimestamp: "2026-01-01T00:00:00Z"
  selfLink: /api/v1/x
  managedFields: [{manager: gitmoor}]
  annotations:
    kubectl.kubernetes.io/last-applied-configuration: '{}'
data: {a: b}
status: {phase: x}
)");
  auto out = differ::normalize(live);
  CHECK(out == core::parse_yaml("{apiVersion: v1, kind: ConfigMap, metadata: {name: a, namespace: game}, data: {a: b}}"));
}

TEST_CASE("Secret stringData folds into base64 data", "[differ][normalize]") {
  auto secret = core::parse_yaml("{apiVersion: v1, kind: Secret, metadata: {name: s}, data: {x: eA==, y: b2xk}, "
                                 "stringData: {y: new, z: hello}}");
  auto out = differ::normalize(secret);
  CHECK_FALSE(out.contains("stringData"));
  CHECK(out["data"] == core::parse_yaml("{x: eA==, y: bmV3, z: aGVsbG8=}"));
}

TEST_CASE("base64 matches RFC 4648 test vectors", "[differ][normalize]") {
  CHECK(differ::base64_encode("") == "");
  CHECK(differ::base64_encode("f") == "Zg==");
  CHECK(differ::base64_encode("fo") == "Zm8=");
  CHECK(differ::base64_encode("foo") == "Zm9v");
  CHECK(differ::base64_encode("foob") == "Zm9vYg==");
  CHECK(differ::base64_encode("fooba") == "Zm9vYmE=");
  CHECK(differ::base64_encode("foobar") == "Zm9vYmFy");
}

TEST_CASE("quantities compare by value only in quantity fields", "[differ][normalize]") {
  const std::vector<std::string> cpu{"spec", "template", "spec", "containers", "resources", "limits", "cpu"};
  CHECK(differ::is_quantity_field(cpu));
  CHECK(differ::scalars_equal("500m", "0.5", cpu));
  CHECK(differ::scalars_equal(Json(0.5), "500m", cpu));
  CHECK(differ::scalars_equal("1Gi", "1073741824", cpu));
  CHECK(differ::scalars_equal(Json(1), "1", cpu));
  CHECK(differ::scalars_equal("1000M", "1G", cpu));
  CHECK_FALSE(differ::scalars_equal("1G", "1Gi", cpu));
  CHECK_FALSE(differ::scalars_equal("500m", "0.5", {"data", "cpu"}));
  CHECK(differ::is_quantity_field({"spec", "hard", "requests.cpu"}));
  CHECK(differ::is_quantity_field({"spec", "limits", "default", "memory"}));
  CHECK(differ::is_quantity_field({"spec", "metrics", "resource", "target", "averageValue"}));
  CHECK(differ::is_quantity_field({"spec", "overhead", "cpu"}));
  CHECK(differ::is_quantity_field({"spec", "resources", "requests", "storage"}));
}

TEST_CASE("integers and floats of equal value are equal", "[differ][normalize]") {
  CHECK(differ::scalars_equal(Json(3), Json(3.0), {}));
  CHECK_FALSE(differ::scalars_equal(Json(3), Json(3.5), {}));
  CHECK_FALSE(differ::scalars_equal(Json(3), Json("3"), {}));
}

TEST_CASE("values the API server drops stand for absent fields", "[differ][normalize]") {
  CHECK(differ::dropped_by_server(Json::object()));
  CHECK(differ::dropped_by_server(Json::array()));
  CHECK(differ::dropped_by_server(""));
  CHECK(differ::dropped_by_server(false));
  CHECK(differ::dropped_by_server(nullptr));
  CHECK_FALSE(differ::dropped_by_server(0));
  CHECK_FALSE(differ::dropped_by_server("x"));
}
