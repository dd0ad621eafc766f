// `gitmoor apply` end to end: the example chart into an empty sandbox, re-run, an image bump, a template removed.
#include <catch2/catch.hpp>

#include "applier_fixture.hpp"
#include "gitmoor/core/subprocess.hpp"
#include "test_paths.hpp"

using namespace gitmoor;

namespace {

core::SubprocessResult gitmoor_run(std::vector<std::string> args) {
  args.insert(args.begin(), test::gitmoor_binary().string());
  return core::run_subprocess(args, {.timeout = std::chrono::seconds(120)});
}

std::vector<std::string> apply_args(const test::ApplierEnv& env, const std::string& dir) {
  return {"apply", "--app", "tetris", "--dir", dir, "--kubeconfig", env.kubeconfig, "-n", "tetris"};
}

bool row(const std::string& out, const std::string& kind, const std::string& name, const std::string& action) {
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string k, n, a;
    fields >> k >> n >> a;
    if (k == kind && n == name && a == action) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("gitmoor apply: the example chart, a no-op re-run, an image bump, prune", "[apply][cli]") {
  test::ApplierEnv env;
  test::TempDir work;
  // A copy of the chart we can edit.
  const auto chart = work.path() / "tetris";
  std::filesystem::copy(test::source_dir() / "examples/tetris/helm/tetris", chart,
                        std::filesystem::copy_options::recursive);

  auto first = gitmoor_run(apply_args(env, chart.string()));
  INFO(first.stdout_data << first.stderr_data);
  REQUIRE(first.exit_code == 0);
  CHECK(row(first.stdout_data, "Deployment", "tetris/game-backend", "created"));
  CHECK(row(first.stdout_data, "Namespace", "tetris", "created"));
  CHECK(first.stdout_data.find("failed") == std::string::npos);

  const auto writes = test::write_count(*env.sb);
  auto second = gitmoor_run(apply_args(env, chart.string()));
  INFO(second.stdout_data << second.stderr_data);
  CHECK(second.exit_code == 0);
  CHECK(second.stdout_data.find("created") == std::string::npos);
  CHECK(second.stdout_data.find("configured") == std::string::npos);
  CHECK(row(second.stdout_data, "Deployment", "tetris/game-backend", "unchanged"));
  CHECK(test::write_count(*env.sb) == writes);

  auto args = apply_args(env, chart.string());
  args.insert(args.end(), {"--set", "image.tag=0.2.0", "--set", "backend.image.tag=0.2.0"});
  auto bumped = gitmoor_run(args);
  INFO(bumped.stdout_data << bumped.stderr_data);
  CHECK(bumped.exit_code == 0);
  CHECK(row(bumped.stdout_data, "Deployment", "tetris/game-backend", "configured"));
  CHECK(row(bumped.stdout_data, "Deployment", "tetris/game-frontend", "unchanged"));
  CHECK(test::write_count(*env.sb) == writes + 1);

  std::filesystem::remove(chart / "templates/frontend-service.yaml");
  auto without = gitmoor_run(args);
  CHECK(without.stdout_data.find("pruned") == std::string::npos);
  args.push_back("--prune");
  auto pruned = gitmoor_run(args);
  INFO(pruned.stdout_data << pruned.stderr_data);
  CHECK(pruned.exit_code == 0);
  CHECK(row(pruned.stdout_data, "Service", "tetris/game-frontend", "pruned"));

  // gitmoor diff --app against the cluster: in sync now.
  auto diff = gitmoor_run({"diff", "--app", "tetris", "--dir", chart.string(), "--kubeconfig", env.kubeconfig, "-n",
                           "tetris", "--set", "image.tag=0.2.0", "--set", "backend.image.tag=0.2.0"});
  INFO(diff.stdout_data << diff.stderr_data);
  CHECK(diff.exit_code == 0);
}

TEST_CASE("gitmoor apply: usage errors exit 2", "[apply][cli]") {
  CHECK(gitmoor_run({"apply", "--dir", "."}).exit_code == 2);  // no --app
  CHECK(gitmoor_run({"apply", "--app", "x", "--dir", ".", "--kubeconfig", "/nonexistent/kc"}).exit_code == 2);
}
