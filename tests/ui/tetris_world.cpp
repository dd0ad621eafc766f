// See tetris_world.hpp.
#include "tetris_world.hpp"

#include <catch2/catch.hpp>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>

#include "gitmoor/core/tools.hpp"
#include "test_paths.hpp"

namespace gitmoor::test {

namespace fs = std::filesystem;

namespace {

std::string random_hex(std::size_t length) {
  std::random_device rd;
  std::string out;
  while (out.size() < length) {
    static constexpr char kDigits[] = "0123456789abcdef";
    out.push_back(kDigits[rd() % 16]);
  }
  return out;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string secret_value(ServeEnv& env, const std::string& ns, const std::string& secret, const std::string& key) {
  return env.kubectl({"-n", ns, "get", "secret", secret, "-o",
                      "go-template={{index .data \"" + key + "\" | base64decode}}"});
}

}  // namespace

TetrisWorld::TetrisWorld() {
  const auto started = std::chrono::steady_clock::now();
  env.install_crd();
  // examples/tetris with the postgres password set in values.yaml (the chart's default is "change-me", too common
  // a string to search a page for).
  postgres_secret = "ui-" + random_hex(24);
  fs::copy(source_dir() / "examples/tetris", env.repo().work(),
           fs::copy_options::recursive | fs::copy_options::overwrite_existing);
  auto values = read_file(env.repo().work() / "helm/tetris/values.yaml");
  const std::string user = "  user: tetris\n";
  const auto at = values.find(user);
  REQUIRE(at != std::string::npos);
  values.insert(at + user.size(), "  password: \"" + postgres_secret + "\"\n");
  env.repo().write("helm/tetris/values.yaml", values);
  commit = env.repo().commit("tetris: app and chart");

  env.start_serve({"--auth", "builtin"});
  REQUIRE(eventually([&] {
    password = secret_value(env, "gitmoor", "gitmoor-initial-admin-secret", "password");
    return !password.empty();
  }));
  std::string token;
  REQUIRE(eventually([&] {
    const auto reply = http_request(env.api(), "POST", "/api/v1/session",
                                    Json{{"username", "admin"}, {"password", password}}.dump());
    if (reply.status != 200) return false;
    token = reply.json()["token"];
    return true;
  }));
  env.kubectl_apply(application_yaml("tetris", env.repo_url(), "helm/tetris", "game",
                                     "    automated:\n      prune: true\n"
                                     "    syncOptions:\n      - CreateNamespace=true\n"));
  Json last;
  const bool synced = eventually([&] {
    const auto reply = http_request(env.api(), "GET", "/api/v1/applications/tetris", {},
                                    {{"Authorization", "Bearer " + token}});
    if (reply.status != 200) return false;
    last = reply.json();
    return sync_status(last) == "Synced" && health_status(last) == "Healthy" && revision(last) == commit;
  }, std::chrono::seconds(90));
  INFO("tetris: " << last.dump(2) << "\n" << env.logs());
  REQUIRE(synced);
  REQUIRE(secret_value(env, "game", "game-postgres", "password") == postgres_secret);
  ui = std::make_unique<UiFrontend>(env.api());
  std::cout << "the tetris world is up in "
            << std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count()
            << " ms\n";
}

ScenarioRun TetrisWorld::run(const std::vector<std::string>& scenarios) {
  std::string names;
  for (const auto& s : scenarios) names += (names.empty() ? "" : " ") + s;
  const auto started = std::chrono::steady_clock::now();
  auto result = run_scenarios(scenarios, {{"GITMOOR_UI_URL", ui->url()},
                                        {"GITMOOR_UI_PASSWORD", password},
                                        {"GITMOOR_UI_SECRET", postgres_secret},
                                        {"GITMOOR_UI_APP", "tetris"},
                                        {"GITMOOR_UI_NAMESPACE", "game"},
                                        {"GITMOOR_UI_REPO", env.repo().work().string()},
                                        {"GITMOOR_KUBECTL", core::tool_path(core::Tool::Kubectl).string()},
                                        {"KUBECONFIG", env.kubeconfig()}});
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  std::cout << "---- scenarios " << names << " (" << result.outcome << ", " << ms.count() << " ms)\n"
            << result.output << std::flush;
  INFO("scenarios " << names << ": " << result.outcome << "\n" << result.output << "\n" << env.logs());
  REQUIRE(result.exit_code == 0);
  return result;
}

}  // namespace gitmoor::test
