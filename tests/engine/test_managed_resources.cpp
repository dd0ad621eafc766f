// managed-resources: the four states per resource with Secret values masked alike on every side, so a changed key
// shows and no value does.
#include <catch2/catch.hpp>

#include "gitmoor/differ/diff.hpp"
#include "gitmoor/differ/normalize.hpp"
#include "gitmoor/core/yaml.hpp"
#include "managed_resources.hpp"
#include "secret_masks.hpp"

using namespace gitmoor;
using core::Json;

namespace {

core::Object yaml_object(const std::string& text) { return core::Object(core::parse_yaml(text)); }

}  // namespace

TEST_CASE("Secret masks: equal values share a mask, a changed value gets another, no value survives", "[engine][redact]") {
  Json target{{"apiVersion", "v1"}, {"kind", "Secret"}, {"metadata", {{"name", "db"}}},
              {"stringData", {{"password", "hunter2-new"}, {"user", "admin"}}}};
  Json live{{"apiVersion", "v1"},
            {"kind", "Secret"},
            {"metadata",
             {{"name", "db"},
              {"annotations",
               {{"kubectl.kubernetes.io/last-applied-configuration",
                 R"({"apiVersion":"v1","kind":"Secret","stringData":{"password":"hunter2-old"}})"}}}}},
            {"data", {{"password", differ::base64_encode("hunter2-old")}, {"user", differ::base64_encode("admin")},
                      {"extra", differ::base64_encode("only-live")}}}};
  Json other{{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"data", {{"password", "not-a-secret"}}}};
  Json absent;
  engine::mask_secret_values({&target, &live, &other, &absent});

  CHECK_FALSE(target.contains("stringData"));
  CHECK(target["data"]["user"] == live["data"]["user"]);
  CHECK(target["data"]["password"] != live["data"]["password"]);
  CHECK(live["data"]["extra"].get<std::string>().find_first_not_of('+') == std::string::npos);
  for (const auto& [key, value] : target["data"].items()) {
    CHECK(value.get<std::string>().size() >= 8);
    CHECK(value.get<std::string>().find_first_not_of('+') == std::string::npos);
  }
  CHECK(other["data"]["password"] == "not-a-secret");  // only Secrets
  CHECK(absent.is_null());
  const std::string all = target.dump() + live.dump();
  for (const std::string secret : {"hunter2-new", "hunter2-old", "admin", "only-live"}) {
    CHECK(all.find(secret) == std::string::npos);
    CHECK(all.find(differ::base64_encode(secret)) == std::string::npos);
  }
  // The annotation's earlier value is masked like the others: the same key, its own value's mask.
  const auto applied = Json::parse(live["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"].get<std::string>());
  CHECK(applied["data"]["password"] == live["data"]["password"]);  // both "hunter2-old"
}

TEST_CASE("managed-resources shows a drifted Secret's changed key in all four states, never its value", "[engine][redact]") {
  auto desired = yaml_object(R"(
apiVersion: v1
kind: Secret
metadata: {name: db, namespace: game, annotations: {gitmoor.dev/tracking-id: "app:/Secret:game/db"}}
type: Opaque
stringData: {password: change-me, user: admin}
)");
  auto live = yaml_object(R"(
apiVersion: v1
kind: Secret
metadata:
  name: db
  namespace: game
  resourceVersion: "42"
  annotations: {gitmoor.dev/tracking-id: "app:/Secret:game/db"}
type: Opaque
data: {password: aHVudGVyMi1kcmlmdA==, user: YWRtaW4=}
)");
  auto config = yaml_object("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: game}\ndata: {level: '1'}\n");
  auto config_live = config;
  config_live.json()["data"]["level"] = "2";
  const auto diff = differ::diff_app({desired, config}, {live, config_live});
  const auto out = engine::managed_resources_json({desired, config}, {live, config_live}, diff);
  REQUIRE(out["items"].size() == 2);
  const auto& cm = out["items"][0];
  CHECK(cm["kind"] == "ConfigMap");
  CHECK(cm["modified"] == true);
  CHECK(Json::parse(cm["diff"].get<std::string>()) ==
        Json::parse(R"([{"op":"replace","path":"/data/level","value":"1"}])"));
  const auto& secret = out["items"][1];
  CHECK(secret["kind"] == "Secret");
  CHECK(secret["group"] == "");
  CHECK(secret["namespace"] == "game");
  CHECK(secret["resourceVersion"] == "42");
  CHECK(secret["modified"] == true);
  CHECK(secret["hook"] == false);
  const auto target = Json::parse(secret["targetState"].get<std::string>());
  const auto live_state = Json::parse(secret["liveState"].get<std::string>());
  const auto normalized = Json::parse(secret["normalizedLiveState"].get<std::string>());
  const auto predicted = Json::parse(secret["predictedLiveState"].get<std::string>());
  CHECK(target["data"]["password"] == predicted["data"]["password"]);
  CHECK(live_state["data"]["password"] == normalized["data"]["password"]);
  CHECK(predicted["data"]["password"] != normalized["data"]["password"]);  // the changed key shows
  CHECK(predicted["data"]["user"] == normalized["data"]["user"]);          // the unchanged one does not
  const auto patch = Json::parse(secret["diff"].get<std::string>());
  REQUIRE(patch.size() == 1);
  CHECK(patch[0]["path"] == "/data/password");
  const std::string body = out.dump();
  for (const std::string value : {"change-me", "hunter2-drift", "admin"}) {
    CHECK(body.find(value) == std::string::npos);
    CHECK(body.find(differ::base64_encode(value)) == std::string::npos);
  }
}

TEST_CASE("managed-resources gives a missing resource's live states as null", "[engine][redact]") {
  auto desired = yaml_object("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: game}\ndata: {a: b}\n");
  const auto diff = differ::diff_app({desired}, {});
  const auto out = engine::managed_resources_json({desired}, {}, diff);
  REQUIRE(out["items"].size() == 1);
  CHECK(out["items"][0]["liveState"] == "null");
  CHECK(out["items"][0]["normalizedLiveState"] == "null");
  CHECK(out["items"][0]["predictedLiveState"] != "null");
  CHECK_FALSE(out["items"][0].contains("diff"));
}

TEST_CASE("managed-resources gives an in-sync resource its states, equal on both sides, though the quick check kept none",
          "[engine][managed]") {
  const auto desired = yaml_object(R"(
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: game, annotations: {gitmoor.dev/tracking-id: "app:/ConfigMap:game/settings"}}
data: {level: "3"}
)");
  auto live_json = desired.json();
  live_json["metadata"]["uid"] = "u-1";
  live_json["metadata"]["resourceVersion"] = "7";
  const core::Object live(live_json);
  // What the engine's packed comparison reports for a pair in sync: the status, no states.
  differ::AppDiff diff;
  diff.resources.push_back({desired.key(), differ::SyncStatus::Synced, {}, Json(), Json()});

  const auto items = engine::managed_resources_json({desired}, {live}, diff)["items"];
  REQUIRE(items.size() == 1);
  const auto normalized = Json::parse(items[0]["normalizedLiveState"].get<std::string>());
  const auto predicted = Json::parse(items[0]["predictedLiveState"].get<std::string>());
  CHECK(normalized["data"]["level"] == "3");
  CHECK(normalized == predicted);
  CHECK(Json::parse(items[0]["liveState"].get<std::string>())["metadata"]["resourceVersion"] == "7");
  CHECK(items[0]["modified"] == false);
}
