// Many Applications on one monorepo: the cost of a poll, counted at the git server, in the source and in helm runs.
#include <catch2/catch.hpp>

#include "git_fixtures.hpp"
#include "gitmoor/engine/manifest_poller.hpp"

using namespace gitmoor;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

std::string app_name(int i) { return "app-" + std::string(i < 10 ? "0" : "") + std::to_string(i); }

void write_chart(test::GitRemote& remote, int i, const std::string& tag) {
  const std::string dir = "apps/" + app_name(i) + "/";
  remote.write(dir + "Chart.yaml", "apiVersion: v2\nname: " + app_name(i) + "\nversion: 0.1.0\n");
  remote.write(dir + "values.yaml", "tag: \"" + tag + "\"\n");
  remote.write(dir + "templates/cm.yaml",
               "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\ndata:\n"
               "  tag: {{ .Values.tag | quote }}\n");
}

}  // namespace

TEST_CASE("50 apps on 50 paths of one monorepo: one remote check, at most one fetch, no render when unchanged",
          "[engine][poller]") {
  constexpr int kApps = 50;
  test::ScratchDir dir;
  test::GitRemote remote(dir.path() / "served", "monorepo.git");
  for (int i = 0; i < kApps; ++i) write_chart(remote, i, "v1");
  const std::string first = remote.commit("50 apps");
  test::GitDaemon daemon(dir.path() / "served");

  engine::GitSource source({.cache_dir = dir.path() / "cache"});
  renderer::RenderCache cache;
  engine::ManifestPoller poller(source, cache);
  std::vector<engine::AppSource> apps;
  for (int i = 0; i < kApps; ++i) {
    apps.push_back({.app = app_name(i),
                    .repository = {.url = daemon.url("monorepo.git"), .credentials = {}},
                    .target_revision = "main",
                    .path = "apps/" + app_name(i),
                    .render = {.helm = {.release_name = app_name(i), .ns = "game"}}});
  }

  // First poll: a clone, and every app rendered once.
  auto runs = renderer::tool_runs();
  auto results = poller.poll(apps);
  auto message = [](const engine::AppManifests& r) {
    try {
      std::rethrow_exception(r.error);
    } catch (const std::exception& e) {
      return std::string(e.what());
    }
  };
  for (const auto& r : results) {
    INFO(r.app);
    INFO((r.ok() ? std::string() : message(r)));
    REQUIRE(r.ok());
    CHECK(r.commit == first);
    CHECK(r.rendered);
    CHECK(r.manifests->objects.at(0).json()["data"]["tag"] == "v1");
  }
  CHECK(source.counters().remote_checks == 1);
  CHECK(source.counters().fetches == 1);
  CHECK(daemon.connections() == 2);
  CHECK(renderer::tool_runs() - runs == kApps);
  CHECK(source.counters().checkouts == 1);  // one checkout serves the 50 apps at that commit

  // Unchanged: one ls-remote, no fetch, no checkout, no helm.
  runs = renderer::tool_runs();
  results = poller.poll(apps);
  for (const auto& r : results) CHECK((r.ok() && !r.rendered && r.commit == first));
  CHECK(source.counters().remote_checks == 2);
  CHECK(source.counters().fetches == 1);
  CHECK(daemon.connections() == 3);
  CHECK(renderer::tool_runs() == runs);
  CHECK(source.counters().checkouts == 1);

  // CI bumps one app's tag: one ls-remote and one fetch for all 50 apps.
  write_chart(remote, 7, "v2");
  const std::string second = remote.commit("CI: bump app-07");
  results = poller.poll(apps);
  CHECK(source.counters().remote_checks == 3);
  CHECK(source.counters().fetches == 2);
  CHECK(daemon.connections() == 5);
  CHECK(results[7].commit == second);
  CHECK(results[7].manifests->objects.at(0).json()["data"]["tag"] == "v2");
  CHECK(results[8].manifests->objects.at(0).json()["data"]["tag"] == "v1");
  // Only the app whose folder the commit changed is rendered again.
  CHECK(renderer::tool_runs() == runs + 1);
  for (int i = 0; i < kApps; ++i) CHECK(results[i].rendered == (i == 7));
  for (const auto& r : results) CHECK(r.commit == second);
}

TEST_CASE("a commit that changes a value file outside the chart, or a file:// dependency, renders again",
          "[engine][poller]") {
  test::ScratchDir dir;
  test::GitRemote remote(dir.path() / "served", "repo.git");
  fs::copy(test::render_fixtures() / "charts", remote.work() / "charts", fs::copy_options::recursive);
  fs::copy(test::render_fixtures() / "values", remote.work() / "values", fs::copy_options::recursive);
  remote.write("directory/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: plain}\n");
  remote.commit("charts");
  engine::GitSource source({.cache_dir = dir.path() / "cache"});
  renderer::RenderCache cache;
  engine::ManifestPoller poller(source, cache);
  const engine::Repository repository{.url = remote.file_url(), .credentials = {}};
  engine::AppSource with_values{.app = "values", .repository = repository, .path = "charts/sidecar-only"};
  remote.write("charts/sidecar-only/Chart.yaml", "apiVersion: v2\nname: s\nversion: 0.1.0\n");
  remote.write("charts/sidecar-only/templates/cm.yaml",
               "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: s}\ndata: {extra: {{ .Values.extra | quote }}}\n");
  remote.commit("values app");
  with_values.render.helm.value_files = {"../../values/prod.yaml"};
  const engine::AppSource with_file_dependency{.app = "app", .repository = repository, .path = "charts/app"};
  const engine::AppSource directory{.app = "dir", .repository = repository, .path = "directory"};
  const std::vector<engine::AppSource> apps{with_values, with_file_dependency, directory};

  auto results = poller.poll(apps);
  for (const auto& r : results) REQUIRE(r.rendered);
  CHECK(results[0].manifests->objects.at(0).json()["data"]["extra"] == "from-prod");

  remote.write("values/prod.yaml", "replicas: 3\nextra: changed\n");
  remote.commit("change the shared values");
  results = poller.poll(apps);
  CHECK(results[0].rendered);  // its value file changed
  CHECK(results[0].manifests->objects.at(0).json()["data"]["extra"] == "changed");
  CHECK(results[1].rendered);  // a chart with a file:// dependency is keyed by the commit
  CHECK_FALSE(results[2].rendered);

  remote.write("charts/common/values.yaml", "greeting: changed\n");
  remote.commit("change the file:// dependency");
  results = poller.poll(apps);
  CHECK_FALSE(results[0].rendered);
  CHECK(results[1].rendered);
  CHECK_FALSE(results[2].rendered);
}

TEST_CASE("a poll's failures stay with their apps", "[engine][poller]") {
  test::ScratchDir dir;
  test::GitRemote remote(dir.path() / "served", "repo.git");
  remote.write("good/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: good}\n");
  remote.write("bad/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: [unclosed\n");
  remote.commit("mixed");
  engine::GitSource source({.cache_dir = dir.path() / "cache"});
  renderer::RenderCache cache;
  engine::ManifestPoller poller(source, cache);
  const engine::Repository repository{.url = remote.file_url(), .credentials = {}};
  const engine::Repository missing{.url = "file://" + (dir.path() / "missing.git").string(), .credentials = {}};
  const auto results = poller.poll({{.app = "good", .repository = repository, .path = "good"},
                                    {.app = "bad", .repository = repository, .path = "bad"},
                                    {.app = "no-branch", .repository = repository, .target_revision = "nope"},
                                    {.app = "no-repo", .repository = missing}});
  CHECK(results[0].ok());
  CHECK(results[0].manifests->objects.at(0).name() == "good");
  auto message = [](const engine::AppManifests& r) {
    try {
      std::rethrow_exception(r.error);
    } catch (const std::exception& e) {
      return std::string(e.what());
    }
  };
  REQUIRE_FALSE(results[1].ok());
  CHECK_THAT(message(results[1]), Contains("bad/cm.yaml:4"));
  REQUIRE_FALSE(results[2].ok());
  CHECK_THAT(message(results[2]), Contains("revision nope not found"));
  REQUIRE_FALSE(results[3].ok());
  CHECK_THAT(message(results[3]), Contains("repository not found"));
}
