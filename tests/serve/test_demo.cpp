// `gitmoor demo`, the README's main command: it comes up with the example Application synced and healthy, its four
// suggestions work as printed, and Ctrl-C stops it cleanly.
#include <catch2/catch.hpp>

#include <signal.h>

#include <fstream>
#include <random>
#include <sstream>

#include "git_fixtures.hpp"
#include "gitmoor/core/subprocess.hpp"
#include "gitmoor/core/tools.hpp"
#include "serve_env.hpp"
#include "test_paths.hpp"

using namespace gitmoor::test;
namespace fs = std::filesystem;

TEST_CASE("gitmoor demo syncs the example, heals drift, rolls an image bump, prunes, and stops on Ctrl-C", "[serve]") {
  const auto dir = fs::temp_directory_path() / ("gitmoor-demo-" + std::to_string(std::random_device{}()));
  fs::create_directories(dir);
  ChildProcess demo({gitmoor_binary().string(), "demo", "--workdir", (dir / "work").string(), "--listen",
                     "127.0.0.1:0", "--poll-interval", "500ms", "--pod-ready-delay", "100ms"},
                    dir / "demo.log");
  const auto api_line = demo.wait_for_line("  engine API    ");
  const std::string api = api_line.substr(0, api_line.find("/api/"));
  // The web UI's address comes first, and it serves the page (whose scripts then need the login).
  CHECK(demo.wait_for_line("  web UI        ") == api + "/  (user admin, password below)");
  const auto page = http_request(api, "GET", "/");
  CHECK(page.status == 200);
  CHECK(page.body.find("src=\"/assets/") != std::string::npos);
  const auto kubeconfig = demo.wait_for_line("  kubeconfig    ");
  const auto repo = fs::path(dir / "work" / "tetris");
  // The printed admin password logs in; the API needs the token.
  const auto password_line = demo.wait_for_line("  admin password ");
  const std::string password = password_line.substr(0, password_line.find(' '));
  const auto session = http_request(api, "POST", "/api/v1/session",
                                    Json{{"username", "admin"}, {"password", password}}.dump(), {});
  INFO(session.body);
  REQUIRE(session.status == 200);
  const std::vector<std::pair<std::string, std::string>> auth{
      {"Authorization", "Bearer " + session.json()["token"].get<std::string>()}};
  CHECK(http_request(api, "GET", "/api/v1/applications/tetris").status == 401);

  const auto app = [&] {
    auto reply = http_request(api, "GET", "/api/v1/applications/tetris", {}, auth);
    return reply.status == 200 ? reply.json() : Json(nullptr);
  };
  const auto kubectl_json = [&](const std::vector<std::string>& args) -> std::optional<Json> {
    std::vector<std::string> argv{gitmoor::core::tool_path(gitmoor::core::Tool::Kubectl).string(), "--kubeconfig",
                                  kubeconfig};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.end(), {"-o", "json"});
    gitmoor::core::SubprocessOptions options;
    options.environment = {{"HOME", dir.string()}};
    auto result = gitmoor::core::run_subprocess(argv, options);
    if (!result.ok()) return std::nullopt;
    return Json::parse(result.stdout_data);
  };
  const auto frontend_replicas = [&] {
    auto d = kubectl_json({"-n", "game", "get", "deployment", "game-frontend"});
    return d ? (*d)["spec"].value("replicas", -1L) : -1;
  };
  INFO(demo.output());
  REQUIRE(eventually([&] {
    auto a = app();
    return sync_status(a) == "Synced" && health_status(a) == "Healthy";
  }));

  // 1. Drift and self-heal.
  {
    std::vector<std::string> argv{gitmoor::core::tool_path(gitmoor::core::Tool::Kubectl).string(), "--kubeconfig",
                                  kubeconfig, "-n", "game", "scale", "deployment", "game-frontend", "--replicas=5"};
    gitmoor::core::SubprocessOptions options;
    options.environment = {{"HOME", dir.string()}};
    REQUIRE(gitmoor::core::run_subprocess(argv, options).ok());
  }
  CHECK(eventually([&] { return frontend_replicas() == 2; }));

  // 2. The image bump, as the printed sed does it.
  std::stringstream values;
  values << std::ifstream(repo / "helm/tetris/values.yaml").rdbuf();
  std::string text = values.str();
  for (auto at = text.find("tag: \"0.1.0\""); at != std::string::npos; at = text.find("tag: \"0.1.0\"")) {
    text.replace(at, 12, "tag: \"0.2.0\"");
  }
  std::ofstream(repo / "helm/tetris/values.yaml") << text;
  git(repo, {"-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qam", "ci: image.tag 0.2.0"});
  CHECK(eventually([&] {
    auto d = kubectl_json({"-n", "game", "get", "deployment", "game-backend"});
    return d && (*d)["spec"]["template"]["spec"]["containers"][0].value("image", "") ==
                    "docker.io/tetris/game-backend:0.2.0";
  }));

  // 3. Prune.
  git(repo, {"rm", "-q", "helm/tetris/templates/redis.yaml"});
  git(repo, {"-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "drop redis"});
  CHECK(eventually([&] { return !kubectl_json({"-n", "game", "get", "deployment", "game-redis"}); }));

  // 4. The backend runs its HPA's minReplicas; the printed `gitmoor sandbox load` loads its Pods (kubectl top shows
  // it). The scale-out itself is the HPA tests' (tests/e2e, tests/engine): the demo syncs HPAs every 15 s.
  CHECK(eventually([&] {
    auto d = kubectl_json({"-n", "game", "get", "deployment", "game-backend"});
    return d && (*d)["spec"].value("replicas", 0) == 2;
  }));
  {
    gitmoor::core::SubprocessOptions options;
    options.environment = {{"HOME", dir.string()}, {"KUBECONFIG", kubeconfig}};
    auto load = gitmoor::core::run_subprocess({gitmoor_binary().string(), "sandbox", "load", "-n", "game", "-l",
                                               "app.kubernetes.io/name=game-backend", "--cpu", "90%"},
                                              options);
    INFO(load.stderr_data);
    CHECK(load.ok());
    auto top = gitmoor::core::run_subprocess({gitmoor::core::tool_path(gitmoor::core::Tool::Kubectl).string(), "-n",
                                              "game", "top", "pods", "-l", "app.kubernetes.io/name=game-backend"},
                                             options);
    INFO(top.stdout_data << top.stderr_data);
    CHECK(top.stdout_data.find("180m") != std::string::npos);
  }
  CHECK(demo.output().find("sandbox load -n game -l app.kubernetes.io/name=game-backend --cpu 90%") !=
        std::string::npos);

  demo.signal(SIGINT);
  CHECK(demo.wait() == 0);
  std::error_code ignored;
  fs::remove_all(dir, ignored);
}
