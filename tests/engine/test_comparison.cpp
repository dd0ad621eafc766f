// Compare: desired against live → status.resources, sync, health and images; identity by the exact tracking id.
#include <catch2/catch.hpp>

#include "comparison.hpp"
#include "gitmoor/applier/tracking.hpp"
#include "gitmoor/core/yaml.hpp"

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
