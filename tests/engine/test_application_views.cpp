// The Controller's read-only views of one app, in-process against a sandbox with its controllers: the resource
// tree through the owner index (fed by watches), managed-resources of a drifted Secret, events, pod logs (whole and
// followed) and revision metadata from the Git mirror.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>

#include "eventually.hpp"
#include "git_fixtures.hpp"
#include "gitmoor/applier/kubeconfig.hpp"
#include "gitmoor/differ/normalize.hpp"
#include "gitmoor/engine/controller.hpp"
#include "gitmoor/sandbox/sandbox.hpp"

using namespace gitmoor;
using core::Json;
namespace fs = std::filesystem;
using namespace std::chrono_literals;
using gitmoor::test::eventually;

namespace {

const std::string kManifests = R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: "nginx:1.27", ports: [{containerPort: 80}]}]}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  replicas: 1
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: postgres, image: "postgres:16"}]}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {selector: {app: web}, ports: [{port: 80}]}
---
apiVersion: v1
kind: Secret
metadata: {name: db}
type: Opaque
stringData: {password: change-me, user: admin}
)";

class ViewsEnv {
 public:
  ViewsEnv() : sandbox_(sandbox::Sandbox::start({.controllers = true, .pod_ready_delay = 30ms})) {
    std::random_device rd;
    dir_ = fs::temp_directory_path() / ("gitmoor-views-" + std::to_string(rd()));
    fs::create_directories(dir_ / "served");
    fs::create_directories(dir_ / "apps");
    remote_ = std::make_unique<test::GitRemote>(dir_ / "served", "deploy");
    client_ = std::make_unique<applier::Client>(
        applier::load_kubeconfig({.paths = {sandbox_->write_kubeconfig(dir_ / "kubeconfig")}, .context = {}}));
  }
  ~ViewsEnv() {
    if (controller_) controller_->stop();
    controller_.reset();
    sandbox_->stop();
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }

  test::GitRemote& repo() { return *remote_; }
  applier::Client& client() { return *client_; }

  engine::Controller& start() {
    // Automated without selfHeal: drift stays for the views to show.
    std::ofstream(dir_ / "apps" / "shop.yaml")
        << "apiVersion: gitmoor.dev/v1alpha1\nkind: Application\nmetadata:\n  name: shop\nspec:\n  source:\n"
        << "    repoURL: " << remote_->file_url() << "\n    targetRevision: main\n    path: shop\n"
        << "  destination:\n    server: https://kubernetes.default.svc\n    namespace: shop\n"
        << "  syncPolicy:\n    automated: {prune: true}\n    syncOptions: [CreateNamespace=true]\n";
    controller_ = std::make_unique<engine::Controller>(
        *client_, engine::ControllerOptions{.cluster_applications = false,
                                            .app_paths = {dir_ / "apps"},
                                            .poll_interval = 60s,
                                            .files_interval = 100ms,
                                            .workers = 2,
                                            .cache_dir = dir_ / "cache"});
    controller_->start();
    return *controller_;
  }

  Json status() {
    auto app = controller_->get_application("shop");
    return app ? app->value("status", Json::object()) : Json::object();
  }

 private:
  std::unique_ptr<sandbox::Sandbox> sandbox_;
  fs::path dir_;
  std::unique_ptr<test::GitRemote> remote_;
  std::unique_ptr<applier::Client> client_;
  std::unique_ptr<engine::Controller> controller_;
};

std::map<std::string, Json> nodes_by_kind_name(const Json& tree) {
  std::map<std::string, Json> out;
  for (const auto& node : tree["nodes"]) out[node.value("kind", "") + "/" + node.value("name", "")] = node;
  return out;
}

std::vector<Json> children_of(const Json& tree, const std::string& uid) {
  std::vector<Json> out;
  for (const auto& node : tree["nodes"]) {
    for (const auto& parent : node["parentRefs"]) {
      if (parent.value("uid", "") == uid) out.push_back(node);
    }
  }
  return out;
}

std::string info(const Json& node, const std::string& name) {
  for (const auto& item : node["info"]) {
    if (item["name"] == name) return item["value"];
  }
  return "<none>";
}

}  // namespace

TEST_CASE("views: the tree reaches ReplicaSets and Pods through the owner index, and follows a scale", "[controller][views]") {
  ViewsEnv env;
  env.repo().write("shop/all.yaml", kManifests);
  env.repo().commit("shop");
  auto& controller = env.start();
  REQUIRE(eventually([&] {
    const auto status = env.status();
    return status.value("sync", Json::object()).value("status", "") == "Synced" &&
           status.value("health", Json::object()).value("status", "") == "Healthy";
  }));

  Json tree;
  REQUIRE(eventually([&] {
    tree = controller.resource_tree("shop");
    auto nodes = nodes_by_kind_name(tree);
    if (!nodes.count("Deployment/web") || !nodes.count("StatefulSet/db")) return false;
    const auto sets = children_of(tree, nodes["Deployment/web"]["uid"]);
    return sets.size() == 1 && children_of(tree, sets[0]["uid"]).size() == 2 &&
           children_of(tree, nodes["StatefulSet/db"]["uid"]).size() == 1;
  }));
  auto nodes = nodes_by_kind_name(tree);
  const auto rs = children_of(tree, nodes["Deployment/web"]["uid"])[0];
  CHECK(rs["kind"] == "ReplicaSet");
  CHECK(rs["group"] == "apps");
  for (const auto& pod : children_of(tree, rs["uid"])) {
    CHECK(pod["kind"] == "Pod");
    CHECK(pod["images"] == Json::array({"nginx:1.27"}));
    CHECK(info(pod, "Containers") == "1/1");
    CHECK(info(pod, "Status Reason") == "Running");
    CHECK(pod["health"]["status"] == "Healthy");
  }
  CHECK(children_of(tree, nodes["StatefulSet/db"]["uid"])[0]["name"] == "db-0");
  CHECK(nodes.count("Service/web") == 1);
  CHECK(nodes.count("Secret/db") == 1);
  for (const auto& node : tree["nodes"]) CHECK_FALSE(node["health"].value("status", "").empty());

  // Scaled by hand (no selfHeal): the third Pod arrives through the watch.
  env.client().send({.method = "PATCH",
                     .path = "/apis/apps/v1/namespaces/shop/deployments/web",
                     .body = R"({"spec":{"replicas":3}})",
                     .content_type = "application/merge-patch+json"});
  CHECK(eventually([&] {
    const auto t = controller.resource_tree("shop");
    const auto sets = children_of(t, nodes_by_kind_name(t)["Deployment/web"]["uid"]);
    return sets.size() == 1 && children_of(t, sets[0]["uid"]).size() == 3;
  }));
  CHECK_THROWS_AS(controller.resource_tree("nope"), engine::ApplicationNotFound);
}

TEST_CASE("views: managed-resources, events, logs and revision metadata of one app", "[controller][views]") {
  ViewsEnv env;
  env.repo().write("shop/all.yaml", kManifests);
  const auto commit = env.repo().commit("shop: web, db and a secret");
  env.repo().tag("v1.0.0", true);
  auto& controller = env.start();
  REQUIRE(eventually([&] {
    const auto status = env.status();
    return status.value("sync", Json::object()).value("status", "") == "Synced" &&
           status.value("health", Json::object()).value("status", "") == "Healthy";
  }));

  SECTION("managed-resources shows the drifted Secret key and no value") {
    const auto patch = env.client().send(
        {.method = "PATCH",
         .path = "/api/v1/namespaces/shop/secrets/db",
         .body = Json{{"data", {{"password", differ::base64_encode("hunter2-drift")}}}}.dump(),
         .content_type = "application/merge-patch+json"});
    REQUIRE(patch.status == 200);
    Json secret;
    REQUIRE(eventually([&] {
      const auto managed = controller.managed_resources("shop");  // named: a loop over a temporary's member dangles
      for (const auto& item : managed["items"]) {
        if (item["kind"] == "Secret" && item["modified"] == true) secret = item;
      }
      return !secret.is_null();
    }));
    const auto normalized = Json::parse(secret["normalizedLiveState"].get<std::string>());
    const auto predicted = Json::parse(secret["predictedLiveState"].get<std::string>());
    CHECK(normalized["data"]["password"] != predicted["data"]["password"]);
    CHECK(normalized["data"]["user"] == predicted["data"]["user"]);
    const std::string body = controller.managed_resources("shop").dump();
    for (const std::string value : {"change-me", "hunter2-drift", "admin"}) {
      CHECK(body.find(value) == std::string::npos);
      CHECK(body.find(differ::base64_encode(value)) == std::string::npos);
    }
  }

  SECTION("events are those of the app's objects") {
    Json events;
    REQUIRE(eventually([&] {
      events = controller.events("shop");
      return !events["items"].empty();
    }));
    std::set<std::string> ours;  // uids and kind/name of the tree's objects
    const auto tree = controller.resource_tree("shop");
    for (const auto& node : tree["nodes"]) {
      ours.insert(node.value("uid", ""));
      ours.insert(node.value("kind", "") + "/" + node.value("name", ""));
    }
    bool scaled = false;
    for (const auto& event : events["items"]) {
      const auto& involved = event["involvedObject"];
      CHECK((ours.count(involved.value("uid", "")) == 1 ||
             ours.count(involved.value("kind", "") + "/" + involved.value("name", "")) == 1));
      scaled = scaled || event.value("reason", "") == "ScalingReplicaSet";
    }
    CHECK(scaled);
  }

  SECTION("logs of a Pod of the app, whole and followed; a Pod of another namespace is refused") {
    std::string pod;
    REQUIRE(eventually([&] {
      const auto tree = controller.resource_tree("shop");
    for (const auto& node : tree["nodes"]) {
        if (node["kind"] == "Pod" && node["name"].get<std::string>().starts_with("web-")) pod = node["name"];
      }
      return !pod.empty();
    }));
    std::vector<engine::LogEntry> entries;
    controller.pod_logs("shop", {.pod_name = pod, .container = "", .tail_lines = 5, .since_seconds = {}, .follow = false},
                        [&](const engine::LogEntry& entry) {
                          entries.push_back(entry);
                          return true;
                        },
                        [] { return false; });
    REQUIRE_FALSE(entries.empty());
    CHECK(entries.size() <= 5);
    CHECK(entries[0].pod_name == pod);
    CHECK(entries[0].time_stamp.size() >= 20);
    CHECK(entries[0].content.find(entries[0].time_stamp) == std::string::npos);  // the prefix is split off

    // Followed: the first line arrives, then the consumer stops and the call returns.
    std::vector<engine::LogEntry> followed;
    controller.pod_logs("shop", {.pod_name = pod, .container = "", .tail_lines = 1, .since_seconds = {}, .follow = true},
                        [&](const engine::LogEntry& entry) {
                          followed.push_back(entry);
                          return false;
                        },
                        [] { return false; });
    CHECK(followed.size() == 1);

    CHECK_THROWS_AS(controller.check_pod_logs("shop", {.pod_name = "coredns-1"}), engine::ResourceNotFound);
    CHECK_THROWS_WITH(controller.check_pod_logs("shop", {.pod_name = "coredns-1"}), Catch::Contains("coredns-1"));
    CHECK_THROWS_AS(controller.pod_logs("shop", {.pod_name = pod, .container = "nope"},
                                        [](const engine::LogEntry&) { return true; }, [] { return false; }),
                    core::InvalidInput);
  }

  SECTION("revision metadata from the mirror: by SHA, by tag; an unknown revision is named") {
    const auto metadata = controller.revision_metadata("shop", commit);
    CHECK(metadata["message"].get<std::string>().find("shop: web, db and a secret") != std::string::npos);
    CHECK(metadata["author"].get<std::string>().find('<') != std::string::npos);
    CHECK(metadata["date"].get<std::string>().size() == 20);
    CHECK(metadata["tags"] == Json::array({"v1.0.0"}));
    CHECK(controller.revision_metadata("shop", "v1.0.0")["message"] == metadata["message"]);
    CHECK_THROWS_AS(controller.revision_metadata("shop", "no-such-branch"), engine::ResourceNotFound);
    CHECK_THROWS_WITH(controller.revision_metadata("shop", "0123456789abcdef0123456789abcdef01234567"),
                      Catch::Contains("0123456789abcdef0123456789abcdef01234567"));
    CHECK_THROWS_AS(controller.revision_metadata("nope", commit), engine::ApplicationNotFound);
  }
}
