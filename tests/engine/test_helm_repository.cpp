// Helm chart repositories as Application sources: a repository made with `helm package` and `helm repo index`, served
// over HTTP on loopback (basic auth where the test says so); the index read once per poll for every app, charts
// cached by name and version, dependencies and CRDs rendered, and clear errors that lose nothing.
#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <set>

#include "chart_repository_server.hpp"
#include "git_fixtures.hpp"
#include "gitmoor/core/yaml.hpp"
#include "chart_version.hpp"
#include "gitmoor/engine/application_files.hpp"
#include "gitmoor/engine/helm_repository.hpp"
#include "gitmoor/engine/manifest_poller.hpp"
#include "gitmoor/renderer/render.hpp"
#include "test_paths.hpp"

using namespace gitmoor;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

std::string message_of(const engine::AppManifests& result) {
  if (!result.error) return {};
  try {
    std::rethrow_exception(result.error);
  } catch (const std::exception& e) {
    return e.what();
  }
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// "Kind/name" of every rendered object.
std::vector<std::string> objects_of(const engine::AppManifests& result) {
  std::vector<std::string> out;
  for (const auto& object : result.manifests->objects) out.push_back(object.kind() + "/" + object.name());
  std::sort(out.begin(), out.end());
  return out;
}

std::string data_of(const engine::AppManifests& result, const std::string& name, const std::string& key) {
  for (const auto& object : result.manifests->objects) {
    if (object.name() == name) return object.json()["data"].value(key, "");
  }
  return "";
}

// The unpacked chart folders ("demo-1.0.0") under a charts cache.
std::vector<std::string> unpacked_charts(const fs::path& cache) {
  std::vector<std::string> out;
  if (!fs::exists(cache)) return out;
  for (const auto& repository : fs::directory_iterator(cache)) {
    for (const auto& entry : fs::directory_iterator(repository.path())) out.push_back(entry.path().filename().string());
  }
  return out;
}

engine::AppSource chart_app(const std::string& name, const std::string& url, const std::string& chart,
                            const std::string& constraint, engine::RepositoryCredentials credentials = {}) {
  return {.app = name,
          .repository = {.url = url, .credentials = std::move(credentials)},
          .target_revision = constraint,
          .chart = chart,
          .render = {.helm = {.release_name = name, .ns = "apps"}}};
}

}  // namespace

TEST_CASE("helm repository: an index's entries for one chart, read in place or from the whole index",
          "[engine][helm-repo]") {
  test::ScratchDir dir;
  test::ChartRepositoryServer repo(dir.path());
  repo.add_chart(test::write_test_chart(dir.path() / "src", {.name = "demo", .version = "1.0.0"}));
  repo.add_chart(test::write_test_chart(dir.path() / "src", {.name = "demo", .version = "1.1.0"}));
  repo.add_chart(test::write_test_chart(dir.path() / "src", {.name = "other", .version = "3.0.0"}));
  const auto index = read_file(repo.served() / "index.yaml");

  const auto demo = engine::chart_entries(index, "demo", "repo");
  REQUIRE(demo.size() == 2);
  std::set<std::string> versions{demo[0].version, demo[1].version};
  CHECK(versions == std::set<std::string>{"1.0.0", "1.1.0"});
  for (const auto& entry : demo) {
    CHECK(entry.digest.size() == 64);
    REQUIRE(entry.urls.size() == 1);
    CHECK_THAT(entry.urls[0], Contains("/charts/demo-" + entry.version + ".tgz"));
  }
  // The same index as JSON (valid YAML, not laid out as helm writes it): the whole index is read, same answer.
  const auto as_json = core::parse_yaml(index).dump(2);
  const auto from_json = engine::chart_entries(as_json, "demo", "repo");
  REQUIRE(from_json.size() == 2);
  CHECK(std::set<std::string>{from_json[0].version, from_json[1].version} == versions);
  CHECK(engine::chart_entries(index, "other", "repo").size() == 1);
  CHECK(engine::chart_entries(index, "absent", "repo").empty());
  CHECK_THROWS_WITH(engine::chart_entries("kind: ConfigMap\n", "demo", "Helm repository r"),
                    Contains("Helm repository r") && Contains("not a Helm chart repository"));
  CHECK_THROWS_WITH(engine::chart_entries("entries: [\n", "demo", "Helm repository r"),
                    Contains("Helm repository r: index.yaml"));

  CHECK(engine::pick_chart_version(demo, "demo", "^1.0.0", "repo").version == "1.1.0");
  CHECK(engine::pick_chart_version(demo, "demo", "~1.0.0", "repo").version == "1.0.0");
  CHECK_THROWS_WITH(engine::pick_chart_version(demo, "demo", ">=2.0.0", "Helm repository r"),
                    Contains("Helm repository r: no version of chart \"demo\" matches \">=2.0.0\" (newest: 1.1.0, 1.0.0)"));
  CHECK_THROWS_WITH(engine::pick_chart_version({}, "absent", "*", "Helm repository r"),
                    Contains("the repository has no chart \"absent\""));
  CHECK_THROWS_WITH(engine::pick_chart_version(demo, "demo", "newest", "Helm repository r"),
                    Contains("targetRevision") && Contains("\"newest\""));
}

TEST_CASE("helm repository: a chart with a dependency and a CRD rendered from a basic-auth repository, the index "
          "fetched once per poll for all apps and charts cached by name and version",
          "[engine][helm-repo]") {
  test::ScratchDir dir;
  test::ChartRepositoryServer repo(dir.path(), "charts-user", "charts-password");
  repo.add_chart(test::write_test_chart(dir.path() / "src",
                                        {.name = "demo", .version = "1.0.0", .with_crd = true, .with_dependency = true}));
  engine::GitSource source({.cache_dir = dir.path() / "cache"});
  renderer::RenderCache cache;
  engine::ManifestPoller poller(source, cache);
  const engine::RepositoryCredentials credentials{.username = "charts-user", .password = "charts-password",
                                                  .source = "Secret gitmoor/charts"};
  std::vector<engine::AppSource> apps{chart_app("one", repo.url(), "demo", "^1.0.0", credentials),
                                      chart_app("two", repo.url(), "demo", "1.0.0", credentials)};

  auto results = poller.poll(apps);
  for (const auto& result : results) {
    INFO(result.app << ": " << message_of(result));
    REQUIRE(result.ok());
    CHECK(result.commit == "1.0.0");
  }
  CHECK(objects_of(results[0]) == std::vector<std::string>{"ConfigMap/one-settings", "ConfigMap/one-sub",
                                                          "CustomResourceDefinition/gadgets.example.com"});
  CHECK(data_of(results[1], "two-settings", "message") == "hello");
  CHECK(repo.downloads("/charts/index.yaml") == 1);  // once for both apps
  CHECK(repo.downloads("/charts/demo-1.0.0.tgz") == 1);  // once for both apps
  CHECK(poller.helm_repositories().downloads() == 2);  // the index and the archive
  CHECK(unpacked_charts(source.options().cache_dir / "charts") == std::vector<std::string>{"demo-1.0.0"});

  // An unchanged repository: the index answers 304, nothing is downloaded or rendered.
  const auto runs = renderer::tool_runs();
  results = poller.poll(apps);
  CHECK(results[0].ok());
  CHECK_FALSE(results[0].rendered);
  CHECK(renderer::tool_runs() == runs);
  CHECK(repo.not_modified("/charts/index.yaml") == 1);
  CHECK(repo.downloads("/charts/index.yaml") == 1);

  // A new version: the range follows it, the pinned app stays.
  repo.add_chart(test::write_test_chart(dir.path() / "src", {.name = "demo", .version = "1.2.0", .message = "newer",
                                                              .with_crd = true, .with_dependency = true}));
  results = poller.poll(apps);
  REQUIRE(results[0].ok());
  CHECK(results[0].commit == "1.2.0");
  CHECK(data_of(results[0], "one-settings", "message") == "newer");
  CHECK(data_of(results[0], "one-settings", "chartVersion") == "1.2.0");
  CHECK(results[1].commit == "1.0.0");
  CHECK(data_of(results[1], "two-settings", "message") == "hello");
  CHECK(repo.downloads("/charts/index.yaml") == 2);
  CHECK(repo.downloads("/charts/demo-1.0.0.tgz") == 1);
  CHECK(repo.downloads("/charts/demo-1.2.0.tgz") == 1);

  // A restart (a new poller and render cache, the same cache folder): the unpacked charts are used again.
  renderer::RenderCache fresh;
  engine::ManifestPoller cold(source, fresh);
  results = cold.poll(apps);
  REQUIRE(results[0].ok());
  CHECK(results[0].rendered);
  CHECK(repo.downloads("/charts/demo-1.2.0.tgz") == 1);
}

TEST_CASE("helm repository: authentication, missing charts and versions, and a tampered archive are errors naming "
          "the repository and chart, with no secret in them",
          "[engine][helm-repo]") {
  test::ScratchDir dir;
  test::ChartRepositoryServer repo(dir.path(), "charts-user", "charts-password");
  repo.add_chart(test::write_test_chart(dir.path() / "src", {.name = "demo", .version = "1.0.0"}));
  engine::GitSource source({.cache_dir = dir.path() / "cache"});
  renderer::RenderCache cache;
  engine::ManifestPoller poller(source, cache);

  const engine::RepositoryCredentials wrong{.username = "charts-user", .password = "wrong-password-value",
                                            .source = "Secret gitmoor/charts"};
  const engine::RepositoryCredentials right{.username = "charts-user", .password = "charts-password"};
  auto results = poller.poll({chart_app("anonymous", repo.url(), "demo", "*"),
                              chart_app("wrong", repo.url() + "/", "demo", "*", wrong)});
  CHECK_THAT(message_of(results[0]), Contains("Helm repository " + repo.url()) &&
                                         Contains("authentication failed (HTTP 401)") &&
                                         Contains("none are configured for this repository"));
  CHECK_THAT(message_of(results[1]), Contains("rejected the configured credentials from Secret gitmoor/charts"));
  CHECK(message_of(results[1]).find("wrong-password-value") == std::string::npos);

  results = poller.poll({chart_app("absent", repo.url(), "nothing", "*", right),
                         chart_app("too-new", repo.url(), "demo", ">=2", right),
                         chart_app("path", repo.url(), "../demo", "*", right)});
  CHECK_THAT(message_of(results[0]), Contains("has no chart \"nothing\""));
  CHECK_THAT(message_of(results[1]), Contains("no version of chart \"demo\" matches \">=2\" (newest: 1.0.0)"));
  CHECK_THAT(message_of(results[2]), Contains("\"../demo\" is not a chart name"));

  // The archive replaced after indexing: its digest no longer matches, nothing is unpacked or rendered.
  const auto archive = repo.served() / "demo-1.0.0.tgz";
  { std::ofstream(archive, std::ios::binary | std::ios::trunc) << "not the chart"; }
  results = poller.poll({chart_app("tampered", repo.url(), "demo", "1.0.0", right)});
  CHECK_THAT(message_of(results[0]), Contains("chart demo 1.0.0") && Contains("sha256 is not the index's digest"));
  CHECK_FALSE(results[0].manifests);
  CHECK(unpacked_charts(source.options().cache_dir / "charts").empty());

  // A server that is not there.
  results = poller.poll({chart_app("down", "http://127.0.0.1:" + std::to_string(test::closed_port()) + "/charts",
                                   "demo", "*")});
  CHECK_THAT(message_of(results[0]), Contains("Helm repository http://127.0.0.1:") && Contains("index.yaml"));
}

TEST_CASE("helm repository: the example's Applications load, the monitoring one a kube-prometheus-stack chart source "
          "with the reference user's values",
          "[engine][helm-repo]") {
  const auto loaded = engine::load_application_files(test::source_dir() / "examples/tetris/apps");
  for (const auto& error : loaded.errors) FAIL_CHECK(error.message);
  REQUIRE(loaded.applications.size() == 2);
  std::map<std::string, const engine::Application*> by_name;
  for (const auto& app : loaded.applications) {
    for (const auto& error : app.spec_errors) FAIL_CHECK(app.name + ": " + error);
    by_name[app.name] = &app;
  }
  REQUIRE(by_name.count("monitoring") == 1);
  const auto& monitoring = *by_name["monitoring"];
  CHECK(monitoring.source.chart == "kube-prometheus-stack");
  CHECK(monitoring.source.repo_url == "https://prometheus-community.github.io/helm-charts");
  CHECK_NOTHROW(engine::VersionConstraint::parse(monitoring.source.target_revision));
  const auto& values = monitoring.source.helm.values_object;
  CHECK(values["grafana"]["admin"].value("existingSecret", "") == "grafana-admin");
  CHECK(values["grafana"]["persistence"].value("storageClassName", "") == "local-path");
  CHECK(values["prometheus"]["prometheusSpec"].value("retention", "") == "15d");
  CHECK(values["prometheus"]["prometheusSpec"]["storageSpec"]["volumeClaimTemplate"]["spec"]["resources"]["requests"]
            .value("storage", "") == "20Gi");
  CHECK(values["alertmanager"]["alertmanagerSpec"]["storage"]["volumeClaimTemplate"]["spec"]["resources"]["requests"]
            .value("storage", "") == "5Gi");
  CHECK(values.dump().find("adminPassword") == std::string::npos);  // credentials from the Secret only
  REQUIRE(by_name.count("tetris") == 1);
  CHECK(by_name["tetris"]->source.path == "helm/tetris");
  CHECK(by_name["tetris"]->destination.ns == "game");
}
