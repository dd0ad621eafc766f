// Controller::refresh_for_push in-process against a sandbox and a git daemon, the poll at 1 h: a push refreshes only
// the apps on the pushed branch whose paths it touched, moves them to the new commit, and one remote check and one
// fetch serve every app of the repository. The webhook end to end is tests/serve/test_serve_webhook.cpp.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <random>

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

std::string config_map(const std::string& name, const std::string& level) {
  return "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: " + name + "\ndata:\n  level: \"" + level + "\"\n";
}

class PushEnv {
 public:
  PushEnv() : sandbox_(sandbox::Sandbox::start({.controllers = true, .pod_ready_delay = 30ms})) {
    std::random_device rd;
    dir_ = fs::temp_directory_path() / ("gitmoor-push-" + std::to_string(rd()));
    fs::create_directories(dir_ / "apps");
    remote_ = std::make_unique<test::GitRemote>(dir_ / "served", "deploy");
    daemon_ = std::make_unique<test::GitDaemon>(dir_ / "served");
    client_ = std::make_unique<applier::Client>(
        applier::load_kubeconfig({.paths = {sandbox_->write_kubeconfig(dir_ / "kubeconfig")}, .context = {}}));
  }
  ~PushEnv() {
    if (controller_) controller_->stop();
    controller_.reset();
    sandbox_->stop();
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }

  test::GitRemote& repo() { return *remote_; }
  test::GitDaemon& daemon() { return *daemon_; }
  std::string url() const { return daemon_->url("deploy"); }

  void app_file(const std::string& name, const std::string& path, const std::string& revision) {
    std::ofstream(dir_ / "apps" / (name + ".yaml"))
        << "apiVersion: gitmoor.dev/v1alpha1\nkind: Application\nmetadata:\n  name: " << name
        << "\nspec:\n  source:\n    repoURL: " << url() << "\n    targetRevision: " << revision
        << "\n    path: " << path << "\n  destination:\n    server: https://kubernetes.default.svc\n    namespace: "
        << name << "\n  syncPolicy:\n    syncOptions: [CreateNamespace=true]\n";
  }

  engine::Controller& start() {
    controller_ = std::make_unique<engine::Controller>(
        *client_, engine::ControllerOptions{.cluster_applications = false,
                                            .app_paths = {dir_ / "apps"},
                                            .poll_interval = 1h,
                                            .files_interval = 100ms,
                                            .workers = 2,
                                            .cache_dir = dir_ / "cache"});
    controller_->start();
    return *controller_;
  }

  std::string revision(const std::string& name) {
    auto json = controller_->get_application(name);
    if (!json) return {};
    return (*json)["status"].value("sync", Json::object()).value("revision", "");
  }

 private:
  std::unique_ptr<sandbox::Sandbox> sandbox_;
  fs::path dir_;
  std::unique_ptr<test::GitRemote> remote_;
  std::unique_ptr<test::GitDaemon> daemon_;
  std::unique_ptr<applier::Client> client_;
  std::unique_ptr<engine::Controller> controller_;
};

engine::GitPush push_of(const std::string& url, const std::string& ref,
                        std::optional<std::vector<std::string>> files) {
  engine::GitPush push;
  push.repository_urls = {url};
  push.ref = ref;
  push.default_branch = "main";
  push.changed_files = std::move(files);
  return push;
}

}  // namespace

TEST_CASE("push refresh: only the touched app on the pushed branch moves, one remote check and one fetch for all",
          "[push_refresh]") {
  PushEnv env;
  env.repo().write("apps/a/cm.yaml", config_map("a", "1"));
  env.repo().write("apps/b/cm.yaml", config_map("b", "1"));
  const auto first = env.repo().commit("a and b");
  env.app_file("a", "apps/a", "main");
  env.app_file("b", "apps/b", "HEAD");
  env.app_file("pinned", "apps/a", first);
  auto& controller = env.start();
  REQUIRE(eventually([&] {
    return env.revision("a") == first && env.revision("b") == first && env.revision("pinned") == first;
  }));

  // A commit touching only apps/a; the push names the repository another way (scheme case, .git, trailing slash).
  env.repo().write("apps/a/cm.yaml", config_map("a", "2"));
  const auto second = env.repo().commit("a: level 2");
  const std::string spelled = "GIT://127.0.0.1:" + env.url().substr(env.url().rfind(':') + 1) + ".git/";
  CHECK(controller.refresh_for_push(push_of(spelled, "refs/heads/develop", std::nullopt)).empty());
  CHECK(controller.refresh_for_push(push_of("https://github.com/org/other", "refs/heads/main", std::nullopt)).empty());
  CHECK(controller.refresh_for_push(push_of(spelled, "refs/heads/main", std::vector<std::string>{"docs/x.md"})).empty());
  CHECK(controller.refresh_for_push(push_of(spelled, "refs/heads/main", std::vector<std::string>{"apps/a/cm.yaml"})) ==
        std::vector<std::string>{"a"});
  REQUIRE(eventually([&] { return env.revision("a") == second; }));
  CHECK(env.revision("b") == first);       // HEAD of main, but its path was not touched: not polled
  CHECK(env.revision("pinned") == first);  // pinned to a commit

  // A push without file lists reaches both apps on main: one ls-remote and one fetch serve them.
  env.repo().write("apps/b/cm.yaml", config_map("b", "3"));
  const auto third = env.repo().commit("b: level 3");
  const auto connections = env.daemon().connections();
  CHECK(controller.refresh_for_push(push_of(spelled, "refs/heads/main", std::nullopt)) ==
        std::vector<std::string>{"a", "b"});
  REQUIRE(eventually([&] { return env.revision("a") == third && env.revision("b") == third; }));
  CHECK(env.daemon().connections() - connections == 2);  // ls-remote + fetch
  CHECK(env.revision("pinned") == first);
}
