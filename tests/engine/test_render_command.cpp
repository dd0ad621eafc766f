// `gitmoor render` end to end: the binary, a real repository, and helm run directly as the referee.
#include <catch2/catch.hpp>

#include "git_fixtures.hpp"
#include "gitmoor/core/subprocess.hpp"

using namespace gitmoor;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

core::SubprocessResult gitmoor_cli(const std::vector<std::string>& args, const fs::path& cache) {
  std::vector<std::string> argv{test::gitmoor_binary().string()};
  argv.insert(argv.end(), args.begin(), args.end());
  core::SubprocessOptions options;
  options.environment = {{"GITMOOR_CACHE_DIR", cache.string()}};
  options.timeout = std::chrono::seconds(120);
  return core::run_subprocess(argv, options);
}

std::vector<core::Json> list_items(const std::string& json) {
  const auto list = core::Json::parse(json);
  REQUIRE(list["kind"] == "List");
  REQUIRE(list["apiVersion"] == "v1");
  return list["items"].get<std::vector<core::Json>>();
}

// A monorepo like the reference user's: the example app plus the renderer's test charts and values.
struct MonorepoFixture {
  test::ScratchDir dir;
  test::GitRemote remote{dir.path() / "served", "monorepo.git"};
  std::string commit;
  MonorepoFixture() {
    fs::copy(test::source_dir() / "examples/tetris", remote.work(), fs::copy_options::recursive);
    fs::copy(test::render_fixtures() / "charts", remote.work() / "charts", fs::copy_options::recursive);
    fs::copy(test::render_fixtures() / "values", remote.work() / "values", fs::copy_options::recursive);
    fs::copy(test::render_fixtures() / "helm-error", remote.work() / "helm-error", fs::copy_options::recursive);
    commit = remote.commit("monorepo");
  }
};

}  // namespace

TEST_CASE("gitmoor render --dir prints what helm template prints, object for object", "[engine][cli]") {
  test::ScratchDir cache;
  const fs::path chart = test::source_dir() / "examples/tetris/helm/tetris";
  const auto result =
      gitmoor_cli({"render", "--dir", chart.string(), "--release", "tetris", "--namespace", "game"}, cache.path());
  REQUIRE(result.exit_code == 0);
  const auto direct =
      test::parse_all(test::run_helm({"template", "tetris", chart.string(), "-n", "game", "--include-crds"}));
  CHECK(test::parse_all(result.stdout_data) == direct);
  CHECK_THAT(result.stderr_data, Contains("source type: Helm"));
}

TEST_CASE("gitmoor render --repo renders a path of a commit, equal to helm template on the same chart",
          "[engine][cli]") {
  MonorepoFixture f;
  test::ScratchDir cache;
  test::GitDaemon daemon(f.dir.path() / "served");

  SECTION("the example chart, as JSON, over git://") {
    const auto result = gitmoor_cli({"render", "--repo", daemon.url("monorepo.git"), "--revision", "main", "--path",
                                     "helm/tetris", "--release", "tetris", "-n", "game", "-o", "json"},
                                    cache.path());
    INFO(result.stderr_data);
    REQUIRE(result.exit_code == 0);
    const auto direct = test::parse_all(test::run_helm(
        {"template", "tetris", (test::source_dir() / "examples/tetris/helm/tetris").string(), "-n", "game",
         "--include-crds"}));
    CHECK(list_items(result.stdout_data) == direct);
    CHECK_THAT(result.stderr_data, Contains("commit: " + f.commit) && Contains("source type: Helm"));
  }
  SECTION("a chart with a local subchart, a file:// dependency, crds/, value files and parameters") {
    const auto result = gitmoor_cli(
        {"render", "--repo", f.remote.file_url(), "--revision", f.commit.substr(0, 10), "--path", "charts/app",
         "--release", "rel", "-n", "ns", "--values", "../../values/prod.yaml", "--set", "image.tag=2.0",
         "--set-string", "replicas=4", "--kube-version", "1.31.0", "--api-versions", "example.com/v1"},
        cache.path());
    INFO(result.stderr_data);
    REQUIRE(result.exit_code == 0);
    test::ScratchDir referee;
    fs::copy(test::render_fixtures() / "charts", referee.path() / "charts", fs::copy_options::recursive);
    (void)test::run_helm({"dependency", "build", (referee.path() / "charts/app").string()});
    const auto direct = test::parse_all(test::run_helm(
        {"template", "rel", (referee.path() / "charts/app").string(), "-n", "ns", "--values",
         (test::render_fixtures() / "values/prod.yaml").string(), "--set", "image.tag=2.0", "--set-string",
         "replicas=4", "--kube-version", "1.31.0", "--api-versions", "example.com/v1", "--include-crds"}));
    CHECK(test::parse_all(result.stdout_data) == direct);
  }
  SECTION("render errors exit 1 with the cause; usage errors exit 2") {
    auto result = gitmoor_cli({"render", "--repo", f.remote.file_url(), "--path", "helm-error"}, cache.path());
    CHECK(result.exit_code == 1);
    CHECK_THAT(result.stderr_data, Contains("a value for .Values.mustBeSet is required"));
    result = gitmoor_cli({"render", "--repo", f.remote.file_url(), "--path", "no/such/app"}, cache.path());
    CHECK(result.exit_code == 1);
    CHECK_THAT(result.stderr_data, Contains("path no/such/app does not exist"));
    result = gitmoor_cli({"render", "--repo", f.remote.file_url(), "--path", "../outside"}, cache.path());
    CHECK(result.exit_code == 1);
    CHECK_THAT(result.stderr_data, Contains("outside the repository"));
    result = gitmoor_cli({"render", "--repo", f.remote.file_url(), "--path", "charts/app", "--values",
                          "../../../etc/passwd"},
                         cache.path());
    CHECK(result.exit_code == 1);
    CHECK_THAT(result.stderr_data, Contains("value file ../../../etc/passwd resolves to"));
    result = gitmoor_cli({"render", "--repo", f.remote.file_url(), "--revision", "nope"}, cache.path());
    CHECK(result.exit_code == 1);
    CHECK_THAT(result.stderr_data, Contains("revision nope not found"));
    CHECK(gitmoor_cli({"render"}, cache.path()).exit_code == 2);
    CHECK(gitmoor_cli({"render", "--dir", ".", "--repo", "x"}, cache.path()).exit_code == 2);
    CHECK(gitmoor_cli({"render", "--dir", ".", "-o", "xml"}, cache.path()).exit_code == 2);
  }
}
