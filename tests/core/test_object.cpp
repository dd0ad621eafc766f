#include <unordered_set>
#include <set>

#include <catch2/catch.hpp>

#include "gitmoor/core/object.hpp"

using gitmoor::core::GroupVersionKind;
using gitmoor::core::Json;
using gitmoor::core::Object;
using gitmoor::core::ResourceKey;
using gitmoor::core::SourceLocation;

TEST_CASE("GroupVersionKind is parsed from apiVersion", "[object]") {
  auto apps = GroupVersionKind::from("apps/v1", "Deployment");
  CHECK(apps.group == "apps");
  CHECK(apps.version == "v1");
  CHECK(apps.kind == "Deployment");
  CHECK(apps.api_version() == "apps/v1");
  CHECK(apps.to_string() == "apps/v1, Kind=Deployment");

  auto core = GroupVersionKind::from("v1", "Service");
  CHECK(core.group.empty());
  CHECK(core.version == "v1");
  CHECK(core.api_version() == "v1");

  auto crd = GroupVersionKind::from("gitmoor.dev/v1alpha1", "Application");
  CHECK(crd.group == "gitmoor.dev");
  CHECK(crd.version == "v1alpha1");
}

TEST_CASE("ResourceKey prints the message form", "[object]") {
  CHECK(ResourceKey{"apps", "Deployment", "game", "backend"}.to_string() == "apps/Deployment game/backend");
  CHECK(ResourceKey{"", "Service", "game", "backend"}.to_string() == "/Service game/backend");
  CHECK(ResourceKey{"", "Namespace", "", "game"}.to_string() == "/Namespace game");
}

TEST_CASE("ResourceKey orders and hashes by all four fields", "[object]") {
  ResourceKey a{"apps", "Deployment", "game", "backend"};
  ResourceKey b{"apps", "Deployment", "game", "frontend"};
  ResourceKey c{"", "Service", "game", "backend"};
  CHECK(a < b);
  CHECK(c < a);  // "" sorts before "apps"
  CHECK(a == ResourceKey{"apps", "Deployment", "game", "backend"});
  CHECK_FALSE(a == ResourceKey{"apps", "Deployment", "other", "backend"});

  std::unordered_set<ResourceKey> set{a, b, c, a};
  CHECK(set.size() == 3);
  CHECK(set.count(ResourceKey{"apps", "Deployment", "game", "frontend"}) == 1);
  CHECK(std::hash<ResourceKey>{}(a) != std::hash<ResourceKey>{}(b));
  std::set<ResourceKey> ordered{b, c, a};
  CHECK(*ordered.begin() == c);
}

TEST_CASE("Object accessors read the fields every module uses", "[object]") {
  Object obj(Json::parse(R"({
    "apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": {"name": "game-backend", "namespace": "game",
                 "labels": {"app": "backend"}, "annotations": {"argocd.argoproj.io/sync-wave": "1"}}
  })"));
  CHECK(obj.api_version() == "apps/v1");
  CHECK(obj.kind() == "Deployment");
  CHECK(obj.name() == "game-backend");
  CHECK(obj.ns() == "game");
  CHECK(obj.key() == ResourceKey{"apps", "Deployment", "game", "game-backend"});
  CHECK(obj.label("app") == "backend");
  CHECK_FALSE(obj.label("missing").has_value());
  CHECK(obj.annotation("argocd.argoproj.io/sync-wave") == "1");
  CHECK(obj.labels().size() == 1);
}

TEST_CASE("Object accessors tolerate missing and mistyped fields", "[object]") {
  Object empty;
  CHECK(empty.name().empty());
  CHECK(empty.labels().is_object());
  CHECK(empty.annotations().empty());

  Object odd(Json::parse(R"({"kind": 7, "metadata": {"labels": "not-a-map", "name": ["x"]}})"));
  CHECK(odd.kind().empty());
  CHECK(odd.name().empty());
  CHECK(odd.labels().empty());

  Object scalar(Json(42));
  CHECK(scalar.kind().empty());
  CHECK(scalar.metadata().empty());
}

TEST_CASE("Object setters create metadata as needed", "[object]") {
  Object obj(Json::parse(R"({"apiVersion": "v1", "kind": "ConfigMap"})"));
  obj.set_name("settings");
  obj.set_ns("game");
  obj.set_label("gitmoor.dev/app", "tetris");
  obj.set_annotation("gitmoor.dev/tracking-id", "tetris:/ConfigMap:game/settings");
  CHECK(obj.json()["metadata"]["name"] == "settings");
  CHECK(obj.label("gitmoor.dev/app") == "tetris");
  CHECK(obj.annotation("gitmoor.dev/tracking-id") == "tetris:/ConfigMap:game/settings");
  obj.set_ns("");
  CHECK_FALSE(obj.json()["metadata"].contains("namespace"));
}

TEST_CASE("Object describes itself with its source", "[object]") {
  Object obj(Json::parse(R"({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "game"}})"),
             SourceLocation{"helm/tetris/templates/svc.yaml", 2, 14});
  CHECK(obj.describe() == "/Service game/web (helm/tetris/templates/svc.yaml:14 (document 3))");
  obj.set_source({});
  CHECK(obj.describe() == "/Service game/web");
}
