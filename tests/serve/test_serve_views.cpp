// The read-only views of the tetris app through `gitmoor serve`'s API: the resource tree down to Pods, a drifted
// Secret in managed-resources (its changed key shown, its value nowhere), events, logs and revision metadata.
#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <sstream>

#include "serve_env.hpp"

using namespace gitmoor::test;

namespace {

std::map<std::string, Json> by_kind_name(const Json& tree) {
  std::map<std::string, Json> out;
  for (const auto& node : tree["nodes"]) out[node.value("kind", "") + "/" + node.value("name", "")] = node;
  return out;
}

std::vector<Json> children(const Json& tree, const std::string& uid) {
  std::vector<Json> out;
  for (const auto& node : tree["nodes"]) {
    for (const auto& parent : node["parentRefs"]) {
      if (parent.value("uid", "") == uid) out.push_back(node);
    }
  }
  return out;
}

std::string base64(const std::string& text) {
  static const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < text.size(); i += 3) {
    const unsigned n = (static_cast<unsigned char>(text[i]) << 16) | (static_cast<unsigned char>(text[i + 1]) << 8) |
                       static_cast<unsigned char>(text[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out += alphabet[(n >> s) & 63];
  }
  if (i + 1 == text.size()) {
    const unsigned n = static_cast<unsigned char>(text[i]) << 16;
    out += alphabet[(n >> 18) & 63];
    out += alphabet[(n >> 12) & 63];
    out += "==";
  } else if (i + 2 == text.size()) {
    const unsigned n = (static_cast<unsigned char>(text[i]) << 16) | (static_cast<unsigned char>(text[i + 1]) << 8);
    out += alphabet[(n >> 18) & 63];
    out += alphabet[(n >> 12) & 63];
    out += alphabet[(n >> 6) & 63];
    out += '=';
  }
  return out;
}

}  // namespace

TEST_CASE("the tetris tree, a drifted Secret, events, logs and revision metadata through the API", "[serve]") {
  ServeEnv env;
  env.kubectl({"create", "namespace", "game"});
  const std::string commit = env.commit_example();
  const auto apps = env.dir() / "apps";
  std::filesystem::create_directories(apps);
  // Automated without selfHeal: the drift made below stays.
  std::ofstream(apps / "tetris.yaml") << application_yaml("tetris", env.repo_url(), "helm/tetris", "game",
                                                           "    automated:\n      prune: true\n");
  env.start_serve({"--apps", apps.string(), "--cluster-apps=false"});
  env.wait_app("tetris", [&](const Json& a) {
    return sync_status(a) == "Synced" && health_status(a) == "Healthy" && revision(a) == commit;
  });
  const std::string base = "/api/v1/applications/tetris";

  // Deployment → ReplicaSet → 2 Pods, StatefulSet → Pod, the Services and the HPA, each with health.
  Json tree;
  const bool complete = eventually([&] {
    auto reply = http_request(env.api(), "GET", base + "/resource-tree");
    if (reply.status != 200) return false;
    tree = reply.json();
    auto nodes = by_kind_name(tree);
    if (!nodes.count("Deployment/game-frontend") || !nodes.count("StatefulSet/game-postgres")) return false;
    const auto sets = children(tree, nodes["Deployment/game-frontend"]["uid"]);
    return sets.size() == 1 && children(tree, sets[0]["uid"]).size() == 2 &&
           children(tree, nodes["StatefulSet/game-postgres"]["uid"]).size() == 1;
  });
  INFO(tree.dump(1));
  REQUIRE(complete);
  auto nodes = by_kind_name(tree);
  const auto rs = children(tree, nodes["Deployment/game-frontend"]["uid"])[0];
  CHECK(rs["kind"] == "ReplicaSet");
  CHECK(rs["health"]["status"] == "Healthy");
  for (const auto& pod : children(tree, rs["uid"])) {
    CHECK(pod["kind"] == "Pod");
    CHECK(pod["health"]["status"] == "Healthy");
    CHECK(pod["images"] == Json::array({"docker.io/tetris/game-frontend:0.1.0"}));
    bool containers = false;
    for (const auto& item : pod["info"]) containers = containers || (item["name"] == "Containers" && item["value"] == "1/1");
    CHECK(containers);
  }
  CHECK(children(tree, nodes["StatefulSet/game-postgres"]["uid"])[0]["name"] == "game-postgres-0");
  for (const auto* key : {"Service/game-frontend", "Service/game-backend", "Service/game-postgres",
                          "HorizontalPodAutoscaler/game-backend-hpa", "Deployment/game-backend"}) {
    INFO(key);
    REQUIRE(nodes.count(key) == 1);
    CHECK_FALSE(nodes[key]["health"].value("status", "").empty());
  }
  for (const auto& node : tree["nodes"]) CHECK(node["health"].contains("status"));

  // A pod outside the app is refused, naming it; one of the app's has its log.
  const std::string pod = children(tree, rs["uid"])[0]["name"];
  auto logs = http_request(env.api(), "GET", base + "/logs?podName=" + pod + "&tailLines=3");
  REQUIRE(logs.status == 200);
  std::istringstream lines(logs.body);
  std::string first;
  std::getline(lines, first);
  CHECK(Json::parse(first)["result"]["podName"] == pod);
  auto foreign = http_request(env.api(), "GET", base + "/logs?podName=not-ours-0");
  CHECK(foreign.status == 404);
  CHECK(foreign.body.find("not-ours-0") != std::string::npos);

  // Revision metadata from the mirror.
  auto metadata = http_request(env.api(), "GET", base + "/revisions/" + commit + "/metadata");
  REQUIRE(metadata.status == 200);
  CHECK(metadata.json()["message"].get<std::string>().find("tetris") != std::string::npos);
  auto unknown = http_request(env.api(), "GET", base + "/revisions/no-such-tag/metadata");
  CHECK(unknown.status == 404);
  CHECK(unknown.body.find("no-such-tag") != std::string::npos);

  // Events of the app's objects.
  auto events = http_request(env.api(), "GET", base + "/events");
  REQUIRE(events.status == 200);
  CHECK(events.json()["items"].is_array());

  // A Secret value changed by hand: managed-resources shows the key as different, never a value.
  env.kubectl({"patch", "secret", "game-postgres", "-n", "game", "--type=merge", "-p",
               Json{{"data", {{"password", base64("hunter2-drift")}}}}.dump()});
  env.wait_app("tetris", [](const Json& a) { return sync_status(a) == "OutOfSync"; });
  auto managed = http_request(env.api(), "GET", base + "/managed-resources");
  REQUIRE(managed.status == 200);
  Json secret;
  const auto items = managed.json()["items"];
  for (const auto& item : items) {
    if (item["kind"] == "Secret" && item["name"] == "game-postgres") secret = item;
  }
  REQUIRE(secret.is_object());
  CHECK(secret["modified"] == true);
  const auto normalized = Json::parse(secret["normalizedLiveState"].get<std::string>());
  const auto predicted = Json::parse(secret["predictedLiveState"].get<std::string>());
  CHECK(normalized["data"]["password"] != predicted["data"]["password"]);
  CHECK(Json::parse(secret["diff"].get<std::string>())[0]["path"] == "/data/password");
  for (const std::string value : {"change-me", "hunter2-drift"}) {
    CHECK(managed.body.find(value) == std::string::npos);
    CHECK(managed.body.find(base64(value)) == std::string::npos);
  }
}
