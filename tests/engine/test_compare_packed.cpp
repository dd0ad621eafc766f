// Compare over the LiveCache's packed bytes (applier::PackedLive → differ::diff_packed): server defaults are not
// drift, a changed field is, with its path. The live side reaches compare() only as core::pack bytes.
#include <catch2/catch.hpp>

#include "comparison.hpp"
#include "gitmoor/applier/tracking.hpp"
#include "gitmoor/core/packed.hpp"
#include "gitmoor/core/yaml.hpp"

using namespace gitmoor;
using core::Object;

namespace {

Object stamped(const std::string& yaml) {
  Object o(core::parse_yaml(yaml));
  applier::stamp(o, "tetris");
  return o;
}

applier::PackedLive packed(const Object& o) { return {o.key(), core::pack(o.json())}; }

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
      containers: [{name: web, image: "nginx:1.27"}]
)";

// The same Deployment as the API server returns it after gitmoor's apply: defaults, server metadata, status, and
// managedFields in which gitmoor owns only what it declared.
Object live_deployment() {
  auto live = stamped(kDeployment);
  auto& json = live.json();
  json["metadata"]["uid"] = "0b7f3c1e-0000-4000-8000-000000000001";
  json["metadata"]["resourceVersion"] = "4711";
  json["metadata"]["generation"] = 1;
  json["spec"]["revisionHistoryLimit"] = 10;
  json["spec"]["progressDeadlineSeconds"] = 600;
  json["spec"]["strategy"] = core::parse_yaml("{type: RollingUpdate, rollingUpdate: {maxSurge: 25%, maxUnavailable: 25%}}");
  auto& container = json["spec"]["template"]["spec"]["containers"][0];
  container["imagePullPolicy"] = "IfNotPresent";
  container["terminationMessagePath"] = "/dev/termination-log";
  json["spec"]["template"]["spec"]["restartPolicy"] = "Always";
  json["status"] = core::parse_yaml("{observedGeneration: 1, replicas: 2, readyReplicas: 2, updatedReplicas: 2, "
                                    "availableReplicas: 2}");
  json["metadata"]["managedFields"] = core::parse_yaml(R"(
- manager: gitmoor
  operation: Apply
  apiVersion: apps/v1
  fieldsType: FieldsV1
  fieldsV1:
    f:metadata: {f:annotations: {f:gitmoor.dev/tracking-id: {}}, f:labels: {f:gitmoor.dev/app: {}}}
    f:spec:
      f:replicas: {}
      f:selector: {}
      f:template:
        f:metadata: {f:labels: {f:app: {}}}
        f:spec: {f:containers: {'k:{"name":"web"}': {.: {}, f:image: {}, f:name: {}}}}
)");
  return live;
}

}  // namespace

TEST_CASE("compare over packed live objects: server defaults are Synced, a changed field is OutOfSync at its path",
          "[comparison][packed]") {
  const std::vector<Object> desired{stamped(kDeployment)};
  const auto live = live_deployment();

  const auto in_sync = engine::compare("tetris", desired, std::vector<applier::PackedLive>{packed(live)}, {});
  CHECK(in_sync.sync_status == "Synced");
  REQUIRE(in_sync.resources.size() == 1);
  CHECK(in_sync.resources[0].status == "Synced");
  CHECK(in_sync.resources[0].health.status == differ::HealthStatus::Healthy);  // from the decoded live object
  CHECK(in_sync.out_of_sync.empty());

  // Someone scaled it by hand: the live bytes differ in a field gitmoor declares.
  auto drifted = live;
  drifted.json()["spec"]["replicas"] = 5;
  const auto drift = engine::compare("tetris", desired, std::vector<applier::PackedLive>{packed(drifted)}, {});
  CHECK(drift.sync_status == "OutOfSync");
  REQUIRE(drift.out_of_sync.size() == 1);
  CHECK(drift.out_of_sync[0].name == "web");
  REQUIRE(drift.diff.resources.size() == 1);
  const auto& changes = drift.diff.resources[0].changes;
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].path == "/spec/replicas");
  CHECK(changes[0].desired == 2);
  CHECK(changes[0].live == 5);

  // A field gitmoor owns live but no longer declares: apply would remove it, so it is drift too.
  auto owned_extra = live;
  owned_extra.json()["spec"]["minReadySeconds"] = 5;
  owned_extra.json()["metadata"]["managedFields"][0]["fieldsV1"]["f:spec"]["f:minReadySeconds"] = core::Json::object();
  const auto removed = engine::compare("tetris", desired, std::vector<applier::PackedLive>{packed(owned_extra)}, {});
  CHECK(removed.sync_status == "OutOfSync");
}
