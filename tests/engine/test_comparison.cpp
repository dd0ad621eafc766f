// Compare: desired against live → status.resources, sync, health and images; identity by the exact tracking id.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "comparison.hpp"
#include "gitmoor/applier/tracking.hpp"
#include "gitmoor/core/yaml.hpp"
#include "test_paths.hpp"

using namespace gitmoor;
using core::Json;
using core::Object;

namespace {

Object object(const std::string& yaml) { return Object(core::parse_yaml(yaml)); }

Object stamped(Object o, const std::string& app) {
  applier::stamp(o, app);
  return o;
}

const std::string kDeployment = R"(
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: game}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      initContainers: [{name: init, image: "busybox:1.36"}]
      containers: [{name: web, image: "nginx:1.27"}]
)";

const std::string kConfigMap = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: game}\n"
                               "data: {level: \"1\"}\n";
const std::string kHook = "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: migrate\n  namespace: game\n"
                          "  annotations: {argocd.argoproj.io/hook: PreSync}\nspec: {template: {spec: {containers: "
                          "[{name: m, image: \"migrate:1\"}]}}}\n";

}  // namespace

TEST_CASE("compare: a declared object missing live is OutOfSync and Missing, the app is OutOfSync", "[comparison]") {
  const std::vector<Object> desired{stamped(object(kDeployment), "tetris"), stamped(object(kConfigMap), "tetris")};
  auto live_cm = stamped(object(kConfigMap), "tetris");
  const auto c = engine::compare("tetris", desired, {live_cm}, {});
  CHECK(c.sync_status == "OutOfSync");
  REQUIRE(c.resources.size() == 2);
  const auto& deployment = c.resources[0].key.kind == "Deployment" ? c.resources[0] : c.resources[1];
  CHECK(deployment.status == "OutOfSync");
  CHECK(deployment.health.status == differ::HealthStatus::Missing);
  CHECK(deployment.version == "v1");
  CHECK(c.out_of_sync.size() == 1);
  CHECK(c.health.status == differ::HealthStatus::Missing);
  CHECK(c.images == std::vector<std::string>{"busybox:1.36", "nginx:1.27"});
}

TEST_CASE("compare: hooks are neither desired resources nor extraneous", "[comparison]") {
  const std::vector<Object> desired{stamped(object(kConfigMap), "tetris"), stamped(object(kHook), "tetris")};
  const std::vector<Object> live{stamped(object(kConfigMap), "tetris"), stamped(object(kHook), "tetris")};
  const auto c = engine::compare("tetris", desired, live, {});
  CHECK(c.sync_status == "Synced");
  CHECK(c.resources.size() == 1);
  CHECK(c.desired_count == 1);
  CHECK(c.extraneous.empty());
}

TEST_CASE("compare: only objects with exactly this app's tracking id can require pruning", "[comparison]") {
  const std::vector<Object> desired{stamped(object(kConfigMap), "tetris")};
  auto ours = stamped(object("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: old, namespace: game}\n"), "tetris");
  // Copies our label but belongs to another app (its tracking id says so): never ours to prune.
  auto copied = stamped(object("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: theirs, namespace: game}\n"), "other");
  copied.set_label("gitmoor.dev/app", "tetris");
  // A tracking id naming another object (copied annotations) is not ours either.
  auto moved = stamped(object("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: moved, namespace: game}\n"), "tetris");
  moved.set_annotation("gitmoor.dev/tracking-id", "tetris:/ConfigMap:game/elsewhere");
  const auto c = engine::compare("tetris", desired, {stamped(object(kConfigMap), "tetris"), ours, copied, moved}, {});
  REQUIRE(c.extraneous.size() == 1);
  CHECK(c.extraneous[0].name == "old");
  CHECK(c.sync_status == "OutOfSync");
  bool old_requires_pruning = false;
  for (const auto& r : c.resources) {
    CHECK(r.key.name != "theirs");
    CHECK(r.key.name != "moved");
    if (r.key.name == "old") old_requires_pruning = r.requires_pruning;
  }
  CHECK(old_requires_pruning);
  CHECK(c.health.status == differ::HealthStatus::Healthy);  // extraneous objects do not count for health
}

TEST_CASE("compare: a custom resource whose CRD the app declares is compared by the CRD's list keys",
          "[comparison]") {
  std::ifstream in(test::testdata_dir() / "crd-schema" / "gateway-crd.yaml");
  std::stringstream text;
  text << in.rdbuf();
  auto crd = stamped(Object(core::parse_yaml(text.str())), "tetris");
  auto desired_gateway = stamped(object(R"(
apiVersion: net.example.io/v1
kind: Gateway
metadata: {name: edge, namespace: game}
spec:
  listeners:
  - {name: web, port: 80, protocol: HTTP}
)"), "tetris");
  // Live: gitmoor's listener plus one another manager (a controller) added, as server-side apply merges them.
  auto live_gateway = desired_gateway;
  live_gateway.json()["spec"]["listeners"] = core::parse_yaml(
      "[{name: status, port: 15021, protocol: HTTP}, {name: web, port: 80, protocol: HTTP}]");
  live_gateway.json()["metadata"]["managedFields"] = core::parse_yaml(R"(
- manager: gitmoor
  operation: Apply
  apiVersion: net.example.io/v1
  fieldsType: FieldsV1
  fieldsV1:
    f:metadata: {f:annotations: {f:gitmoor.dev/tracking-id: {}}, f:labels: {f:gitmoor.dev/app: {}}}
    f:spec: {f:listeners: {'k:{"port":80,"protocol":"HTTP"}': {.: {}, f:name: {}, f:port: {}, f:protocol: {}}}}
- manager: edge-controller
  operation: Apply
  apiVersion: net.example.io/v1
  fieldsType: FieldsV1
  fieldsV1:
    f:spec: {f:listeners: {'k:{"port":15021,"protocol":"HTTP"}': {.: {}, f:name: {}, f:port: {}, f:protocol: {}}}}
)");
  const auto with_crd = engine::compare("tetris", {crd, desired_gateway}, {crd, live_gateway}, {});
  CHECK(with_crd.sync_status == "Synced");
  // Without the CRD the list is atomic and the controller's listener looks like drift.
  const auto without = engine::compare("tetris", {desired_gateway}, {live_gateway}, {});
  CHECK(without.sync_status == "OutOfSync");
}
