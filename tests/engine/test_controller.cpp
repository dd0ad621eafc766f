// The Controller in-process against a sandbox and a local Git repository: the Operations API (manual sync, sync to a
// revision, terminate, refresh), the retry policy, and spec errors. End-to-end behaviour through `gitmoor serve` is in
// tests/serve.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "eventually.hpp"
#include "git_fixtures.hpp"
#include "gitmoor/applier/kubeconfig.hpp"
#include "gitmoor/engine/controller.hpp"
#include "gitmoor/sandbox/sandbox.hpp"

using namespace gitmoor;
using core::Json;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

using gitmoor::test::eventually;

namespace {

const std::string kConfigMap = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  level: \"1\"\n";

class ControllerEnv {
 public:
  explicit ControllerEnv(std::chrono::milliseconds pod_ready_delay = 30ms)
      : sandbox_(sandbox::Sandbox::start({.controllers = true, .pod_ready_delay = pod_ready_delay})) {
    std::random_device rd;
    dir_ = fs::temp_directory_path() / ("gitmoor-controller-" + std::to_string(rd()));
    fs::create_directories(dir_ / "served");
    fs::create_directories(dir_ / "apps");
    remote_ = std::make_unique<test::GitRemote>(dir_ / "served", "deploy");
    client_ = std::make_unique<applier::Client>(
        applier::load_kubeconfig({.paths = {sandbox_->write_kubeconfig(dir_ / "kubeconfig")}, .context = {}}));
  }
  ~ControllerEnv() {
    if (controller_) controller_->stop();
    controller_.reset();
    sandbox_->stop();
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }

  test::GitRemote& repo() { return *remote_; }
  applier::Client& client() { return *client_; }

  void app_file(const std::string& name, const std::string& path, const std::string& ns, const std::string& policy,
                const std::string& destination = "server: https://kubernetes.default.svc") {
    std::ofstream(dir_ / "apps" / (name + ".yaml"))
        << "apiVersion: gitmoor.dev/v1alpha1\nkind: Application\nmetadata:\n  name: " << name
        << "\nspec:\n  source:\n    repoURL: " << remote_->file_url() << "\n    targetRevision: main\n    path: " << path
        << "\n  destination:\n    " << destination << "\n    namespace: " << ns << "\n" << policy;
  }

  engine::Controller& start() {
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

  Json app(const std::string& name) {
    auto json = controller_->get_application(name);
    return json ? *json : Json(nullptr);
  }
  Json status(const std::string& name) { return app(name).value("status", Json::object()); }
  std::string sync(const std::string& name) { return status(name).value("sync", Json::object()).value("status", ""); }
  std::string revision(const std::string& name) {
    return status(name).value("sync", Json::object()).value("revision", "");
  }
  Json operation(const std::string& name) { return status(name).value("operationState", Json::object()); }

  std::optional<Json> get(const std::string& path) {
    auto response = client_->send({.method = "GET", .path = path});
    if (response.status != 200) return std::nullopt;
    return response.json();
  }

 private:
  std::unique_ptr<sandbox::Sandbox> sandbox_;
  fs::path dir_;
  std::unique_ptr<test::GitRemote> remote_;
  std::unique_ptr<applier::Client> client_;
  std::unique_ptr<engine::Controller> controller_;
};

const std::string kCreateNamespace = "  syncPolicy:\n    syncOptions: [CreateNamespace=true]\n";

}  // namespace

TEST_CASE("controller: an app without automated sync waits for sync(), a second sync while one runs is refused",
          "[controller]") {
  ControllerEnv env;
  env.repo().write("config/cm.yaml", kConfigMap);
  const auto commit = env.repo().commit("config");
  env.app_file("manual", "config", "manual", kCreateNamespace);
  auto& controller = env.start();
  REQUIRE(eventually([&] { return env.sync("manual") == "OutOfSync" && env.revision("manual") == commit; }));
  CHECK_FALSE(env.get("/api/v1/namespaces/manual/configmaps/settings"));

  controller.sync("manual", {.initiated_by = "alice"});
  CHECK_THROWS_AS(controller.sync("manual", {}), core::InvalidInput);
  REQUIRE(eventually([&] { return env.sync("manual") == "Synced"; }));
  CHECK(env.get("/api/v1/namespaces/manual/configmaps/settings"));
  const auto op = env.operation("manual");
  CHECK(op.value("phase", "") == "Succeeded");
  CHECK(op["operation"]["initiatedBy"].value("username", "") == "alice");
  CHECK(env.status("manual")["history"].size() == 1);

  CHECK_THROWS_AS(controller.sync("nope", {}), engine::ApplicationNotFound);
  CHECK_THROWS_AS(controller.refresh("nope", false), engine::ApplicationNotFound);
  CHECK_THROWS_AS(controller.terminate("manual"), core::InvalidInput);  // nothing runs
}

TEST_CASE("controller: a sync to another revision deploys that commit, the next compare shows the difference",
          "[controller]") {
  ControllerEnv env;
  env.repo().write("config/cm.yaml", kConfigMap);
  const auto old_commit = env.repo().commit("level 1");
  env.repo().write("config/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  level: \"2\"\n");
  const auto new_commit = env.repo().commit("level 2");
  env.app_file("pinned", "config", "pinned", kCreateNamespace);
  auto& controller = env.start();
  REQUIRE(eventually([&] { return env.revision("pinned") == new_commit; }));

  controller.sync("pinned", {.revision = old_commit});
  REQUIRE(eventually([&] { return env.operation("pinned").value("phase", "") == "Succeeded"; }));
  auto cm = env.get("/api/v1/namespaces/pinned/configmaps/settings");
  REQUIRE(cm);
  CHECK((*cm)["data"].value("level", "") == "1");
  CHECK(env.operation("pinned")["syncResult"].value("revision", "") == old_commit);
  CHECK(eventually([&] { return env.sync("pinned") == "OutOfSync"; }));  // targetRevision main says level 2
}

TEST_CASE("controller: a failing automated sync is retried with the retry policy's backoff, up to its limit",
          "[controller]") {
  ControllerEnv env;
  // A Service whose name the API server refuses: every sync fails the same way.
  env.repo().write("bad/svc.yaml", "apiVersion: v1\nkind: Service\nmetadata:\n  name: Not_A_Valid_Name\nspec:\n"
                                   "  ports: [{port: 80}]\n");
  env.repo().commit("a bad service");
  env.app_file("retried", "bad", "retried",
               "  syncPolicy:\n    automated: {prune: true}\n    syncOptions: [CreateNamespace=true]\n"
               "    retry:\n      limit: 2\n      backoff: {duration: 100ms, factor: 2, maxDuration: 1s}\n");
  env.start();
  REQUIRE(eventually([&] {
    const auto op = env.operation("retried");
    return op.value("phase", "") == "Failed" && op.value("retryCount", 0) == 2;
  }));
  auto status = env.status("retried");
  bool sync_error = false;
  for (const auto& c : status["conditions"]) {
    if (c.value("type", "") == "SyncError") sync_error = c.value("message", "").find("Not_A_Valid_Name") != std::string::npos;
  }
  CHECK(sync_error);
  // The limit holds: well past two more backoffs, still two retries.
  std::this_thread::sleep_for(700ms);
  CHECK(env.operation("retried").value("retryCount", 0) == 2);
}

TEST_CASE("controller: a spec the engine cannot honour is an InvalidSpecError and syncs nothing", "[controller]") {
  ControllerEnv env;
  env.repo().write("config/cm.yaml", kConfigMap);
  env.repo().commit("config");
  env.app_file("elsewhere", "config", "elsewhere",
               "  syncPolicy:\n    automated: {prune: true}\n    syncOptions: [CreateNamespace=true]\n",
               "server: https://other-cluster.example.com");
  env.start();
  REQUIRE(eventually([&] {
    for (const auto& c : env.status("elsewhere").value("conditions", Json::array())) {
      if (c.value("type", "") == "InvalidSpecError") return c.value("message", "").find("other-cluster") != std::string::npos;
    }
    return false;
  }));
  CHECK(env.sync("elsewhere") == "Unknown");
  CHECK_FALSE(env.get("/api/v1/namespaces/elsewhere"));
}

TEST_CASE("controller: terminate stops a sync that waits for health", "[controller]") {
  ControllerEnv env(10min);  // Pods never become ready while the test runs
  env.repo().write("web/deploy.yaml",
                   "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 1\n"
                   "  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n"
                   "    spec: {containers: [{name: web, image: \"nginx:1.27\"}]}\n---\n"
                   "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: after\n  annotations:\n"
                   "    argocd.argoproj.io/sync-wave: \"1\"\ndata: {a: b}\n");
  env.repo().commit("web");
  env.app_file("stuck", "web", "stuck", "  syncPolicy:\n    automated: {prune: true}\n    syncOptions: [CreateNamespace=true]\n");
  auto& controller = env.start();
  REQUIRE(eventually([&] { return env.operation("stuck").value("phase", "") == "Running" &&
                                  env.get("/apis/apps/v1/namespaces/stuck/deployments/web"); }));
  controller.terminate("stuck");
  REQUIRE(eventually([&] { return env.operation("stuck").value("phase", "") == "Failed"; }));
  CHECK_THAT(env.operation("stuck").value("message", ""), Catch::Contains("terminated"));
  CHECK_FALSE(env.get("/api/v1/namespaces/stuck/configmaps/after"));  // the next wave never ran
}

TEST_CASE("controller: an object that keeps drifting is healed at once the first time, then backs off and says so",
          "[controller]") {
  ControllerEnv env;
  env.repo().write("config/cm.yaml", kConfigMap);
  env.repo().commit("config");
  env.app_file("fought", "config", "fought",
               "  syncPolicy:\n    automated: {prune: true, selfHeal: true}\n    syncOptions: [CreateNamespace=true]\n");
  env.start();
  REQUIRE(eventually([&] { return env.sync("fought") == "Synced"; }));
  const auto level = [&] {
    auto cm = env.get("/api/v1/namespaces/fought/configmaps/settings");
    return cm ? (*cm)["data"].value("level", "") : "";
  };
  const auto drift = [&] {
    env.client().request_json({.method = "PATCH",
                               .path = "/api/v1/namespaces/fought/configmaps/settings?fieldManager=other-tool",
                               .body = R"({"data":{"level":"9"}})",
                               .content_type = "application/merge-patch+json"});
  };
  drift();
  REQUIRE(eventually([&] { return level() == "1"; }));  // healed at once
  drift();  // again, right away: another tool is fighting gitmoor
  REQUIRE(eventually([&] {
    for (const auto& c : env.status("fought").value("conditions", Json::array())) {
      if (c.value("type", "") == "SelfHealBackoff") return c.value("message", "").find("keeps drifting") != std::string::npos;
    }
    return false;
  }));
  CHECK(level() == "9");  // not yet: the backoff holds the second heal
  CHECK(eventually([&] { return level() == "1"; }));  // healed when the 2 s backoff has passed
}
