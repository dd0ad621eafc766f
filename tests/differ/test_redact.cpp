#include <catch2/catch.hpp>

#include "differ_support.hpp"
#include "gitmoor/differ/diff.hpp"
#include "gitmoor/differ/output.hpp"
#include "gitmoor/differ/redact.hpp"

using namespace gitmoor;
using test::object_of;

TEST_CASE("a changed Secret key is shown changed without its value", "[differ][redact]") {
  // c2VjcmV0LW9sZA== is "secret-old"; the desired value comes as stringData.
  auto desired = object_of(R"(
apiVersion: v1
kind: Secret
metadata: {name: db, namespace: game}
type: Opaque
stringData: {password: hunter2-new, user: admin}
)");
  auto live = object_of(R"(
apiVersion: v1
kind: Secret
metadata:
  name: db
  namespace: game
  annotations:
    kubectl.kubernetes.io/last-applied-configuration: '{"stringData":{"password":"hunter2-old"}}'
type: Opaque
data: {password: aHVudGVyMi1vbGQ=, user: YWRtaW4=}
)");
  auto app = differ::diff_app({desired}, {live});
  REQUIRE(app.resources.size() == 1);
  const auto& r = app.resources[0];
  REQUIRE(r.status == differ::SyncStatus::OutOfSync);
  REQUIRE(r.changes.size() == 1);
  CHECK(r.changes[0].path == "/data/password");
  CHECK(r.changes[0].desired == differ::kRedacted);
  CHECK(r.changes[0].live == differ::kRedacted);

  const std::string text = differ::format_text(app);
  const std::string json = differ::format_json(app).dump();
  for (std::string secret : {"hunter2-new", "hunter2-old", "aHVudGVyMi1vbGQ=", "aHVudGVyMi1uZXc=", "YWRtaW4="}) {
    INFO(secret);
    CHECK(text.find(secret) == std::string::npos);
    CHECK(json.find(secret) == std::string::npos);
  }
  CHECK(text.find("password: <redacted-changed>") != std::string::npos);
  CHECK(text.find("+  password") != std::string::npos);
}

TEST_CASE("a missing Secret shows its keys but no values", "[differ][redact]") {
  auto desired = object_of("{apiVersion: v1, kind: Secret, metadata: {name: s, namespace: a}, data: {token: dG9rZW4=}}");
  auto text = differ::format_text(differ::diff_app({desired}, {}));
  CHECK(text.find("dG9rZW4=") == std::string::npos);
  CHECK(text.find("token: <redacted>") != std::string::npos);
}

TEST_CASE("other kinds are not redacted", "[differ][redact]") {
  auto cm = core::parse_yaml("{apiVersion: v1, kind: ConfigMap, metadata: {name: c}, data: {a: b}}");
  CHECK(differ::redact_secret(cm) == cm);
}
