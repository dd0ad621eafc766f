#include <catch2/catch.hpp>
#include <fstream>
#include <map>
#include <sstream>

#include "gitmoor/renderer/render.hpp"
#include "render_fixtures.hpp"

using namespace gitmoor;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

renderer::RenderRequest fixture_chart(renderer::HelmOptions helm = {}) {
  if (helm.release_name.empty()) helm.release_name = "rel";
  if (helm.ns.empty()) helm.ns = "ns";
  return {.repo_root = test::render_fixtures(), .app_path = "charts/app", .helm = helm};
}

const core::Object* find(const renderer::RenderResult& result, const std::string& kind, const std::string& name) {
  for (const auto& o : result.objects) {
    if (o.kind() == kind && o.name() == name) return &o;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("the example chart renders exactly what helm template renders", "[renderer][helm]") {
  const fs::path repo = test::source_dir() / "examples/tetris";
  const auto result = renderer::render(
      {.repo_root = repo, .app_path = "helm/tetris", .helm = {.release_name = "tetris", .ns = "game"}});
  CHECK(result.type == renderer::SourceType::Helm);
  const auto direct = test::parse_all(test::run_helm(
      {"template", "tetris", (repo / "helm/tetris").string(), "--namespace", "game", "--include-crds"}));
  CHECK(test::as_json(result.objects) == direct);

  const auto* hpa = find(result, "HorizontalPodAutoscaler", "game-backend-hpa");
  REQUIRE(hpa != nullptr);
  CHECK(hpa->source().file == "helm/tetris/templates/backend-hpa.yaml");
  CHECK(hpa->json()["spec"]["minReplicas"] == 2);
  REQUIRE(find(result, "Deployment", "game-backend") != nullptr);
  REQUIRE(find(result, "StatefulSet", "game-postgres") != nullptr);
}

TEST_CASE("helm objects name their template and the line of their document in that template's output",
          "[renderer][helm]") {
  const fs::path repo = test::source_dir() / "examples/tetris";
  const fs::path chart = repo / "helm/tetris";
  const auto result = renderer::render(
      {.repo_root = repo, .app_path = "helm/tetris", .helm = {.release_name = "tetris", .ns = "game"}});
  REQUIRE(result.objects.size() > 5);
  std::map<std::string, std::size_t> objects_per_template;
  for (const auto& object : result.objects) {
    const std::string file = object.source().file;
    INFO(object.kind() << "/" << object.name() << " at " << object.source().to_string());
    REQUIRE(file.starts_with("helm/tetris/templates/"));
    ++objects_per_template[file];
    // What a user sees running helm for that template alone: the line must open this object's document.
    const std::string shown = test::run_helm({"template", "tetris", chart.string(), "--namespace", "game",
                                              "--show-only", file.substr(std::string("helm/tetris/").size())});
    std::vector<std::string> lines;
    std::istringstream in(shown);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    const std::size_t line = object.source().line;
    REQUIRE(line >= 3);  // after `---` and `# Source:`
    REQUIRE(line <= lines.size());
    CHECK(lines[line - 2].starts_with("# "));  // the document's header comments end just above it
    std::string document;
    for (std::size_t i = line - 1; i < lines.size() && lines[i] != "---"; ++i) document += lines[i] + "\n";
    CHECK_THAT(document, Contains("kind: " + object.kind()) && Contains("name: " + object.name()));
  }
  // postgresql.yaml renders several documents: lines and document indexes tell them apart.
  CHECK(objects_per_template["helm/tetris/templates/postgresql.yaml"] >= 2);
}

TEST_CASE("a chart with a local subchart, a file:// dependency and crds/ renders like helm after a dependency build",
          "[renderer][helm]") {
  // The referee: a copy where `helm dependency build` vendored the file:// chart, as a user would before helm template.
  test::ScratchDir scratch;
  fs::copy(test::render_fixtures() / "charts", scratch.path() / "charts", fs::copy_options::recursive);
  (void)test::run_helm({"dependency", "build", (scratch.path() / "charts/app").string()});
  const std::vector<std::string> flags{"--namespace",    "ns", "--values", "VALUES", "--set", "image.tag=2.0",
                                       "--set-string", "replicas=4", "--kube-version", "1.31.0",
                                       "--api-versions", "example.com/v1", "--include-crds"};
  std::vector<std::string> args{"template", "rel", (scratch.path() / "charts/app").string()};
  for (const auto& f : flags) {
    args.push_back(f == "VALUES" ? (test::render_fixtures() / "values/prod.yaml").string() : f);
  }
  const auto direct = test::parse_all(test::run_helm(args));

  const auto result = renderer::render(fixture_chart({.value_files = {"../../values/prod.yaml"},
                                                      .parameters = {{.name = "image.tag", .value = "2.0"},
                                                                     {.name = "replicas", .value = "4",
                                                                      .force_string = true}},
                                                      .kube_version = "1.31.0",
                                                      .api_versions = {"example.com/v1"}}));
  CHECK(test::as_json(result.objects) == direct);

  // The checkout stays untouched: dependencies are staged elsewhere.
  CHECK_FALSE(fs::exists(test::render_fixtures() / "charts/app/charts/common"));
  CHECK_FALSE(fs::exists(test::render_fixtures() / "charts/app/Chart.lock"));

  const auto* crd = find(result, "CustomResourceDefinition", "widgets.example.com");
  REQUIRE(crd != nullptr);
  CHECK(crd->source().file == "charts/app/crds/widgets.yaml");
  const auto* common = find(result, "ConfigMap", "rel-common");
  REQUIRE(common != nullptr);
  CHECK(common->source().file == "charts/common/templates/configmap.yaml");
  CHECK(common->json()["data"]["greeting"] == "hello");
  const auto* sidecar = find(result, "Service", "rel-sidecar");
  REQUIRE(sidecar != nullptr);
  CHECK(sidecar->source().file == "charts/app/charts/sidecar/templates/service.yaml");
  const auto* second = find(result, "ConfigMap", "rel-second");
  REQUIRE(second != nullptr);
  CHECK(second->source().document == 1);
  CHECK(second->json()["data"]["extra"] == "from-prod");
  const auto* first = find(result, "ConfigMap", "rel-first");
  REQUIRE(first != nullptr);
  CHECK(first->json()["data"]["kube"] == "v1.31.0");
  CHECK(first->json()["data"]["hasWidgets"] == "true");
  // --set-string makes the value a string, but the template prints it unquoted: YAML reads a number.
  CHECK(find(result, "Deployment", "rel-app")->json()["spec"]["replicas"] == 4);
}

TEST_CASE("skipCrds leaves the crds/ folder out", "[renderer][helm]") {
  const auto result = renderer::render(fixture_chart({.skip_crds = true}));
  CHECK(find(result, "CustomResourceDefinition", "widgets.example.com") == nullptr);
  CHECK(find(result, "Deployment", "rel-app") != nullptr);
}

TEST_CASE("inline values and valuesObject go through a file and win over value files", "[renderer][helm]") {
  auto result = renderer::render(fixture_chart({.value_files = {"../../values/prod.yaml"}, .values = "replicas: 7\n"}));
  CHECK(find(result, "Deployment", "rel-app")->json()["spec"]["replicas"] == 7);
  result = renderer::render(fixture_chart({.values = "replicas: 7\n", .values_object = {{"replicas", 9}}}));
  CHECK(find(result, "Deployment", "rel-app")->json()["spec"]["replicas"] == 9);
  CHECK(find(result, "Deployment", "rel-app")->ns() == "ns");
}

TEST_CASE("value files must stay inside the repository", "[renderer][helm]") {
  CHECK_THROWS_AS(renderer::render(fixture_chart({.value_files = {"/etc/passwd"}})), renderer::PathEscapesRepository);
  CHECK_THROWS_AS(renderer::render(fixture_chart({.value_files = {"../../../../values.yaml"}})),
                  renderer::PathEscapesRepository);
  CHECK_THROWS_WITH(renderer::render(fixture_chart({.value_files = {"missing.yaml"}})),
                    Contains("value file missing.yaml (charts/app/missing.yaml) does not exist"));
  CHECK_NOTHROW(renderer::render(fixture_chart({.value_files = {"missing.yaml"}, .ignore_missing_value_files = true})));
}

TEST_CASE("a value file symlinked out of the repository is rejected", "[renderer][helm]") {
  test::ScratchDir outside;
  test::ScratchDir repo;
  std::ofstream(outside.path() / "values.yaml") << "replicas: 5\n";
  fs::copy(test::render_fixtures() / "charts", repo.path() / "charts", fs::copy_options::recursive);
  fs::create_symlink(outside.path() / "values.yaml", repo.path() / "charts/app/linked.yaml");
  CHECK_THROWS_AS(renderer::render({.repo_root = repo.path(), .app_path = "charts/app",
                                    .helm = {.value_files = {"linked.yaml"}}}),
                  renderer::PathEscapesRepository);
}

TEST_CASE("a template symlinked out of the repository is rejected", "[renderer][helm]") {
  test::ScratchDir outside;
  test::ScratchDir repo;
  std::ofstream(outside.path() / "leak.yaml") << "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: leak}\n";
  fs::copy(test::render_fixtures() / "charts", repo.path() / "charts", fs::copy_options::recursive);
  fs::create_symlink(outside.path() / "leak.yaml", repo.path() / "charts/app/templates/leak.yaml");
  CHECK_THROWS_WITH(renderer::render({.repo_root = repo.path(), .app_path = "charts/app"}),
                    Contains("charts/app/templates/leak.yaml is a symlink"));
}

TEST_CASE("helm's own error message is surfaced, naming the chart", "[renderer][helm]") {
  const renderer::RenderRequest request{.repo_root = test::render_fixtures(), .app_path = "helm-error"};
  CHECK_THROWS_AS(renderer::render(request), renderer::RenderError);
  CHECK_THROWS_WITH(renderer::render(request), Contains("helm template broken helm-error failed") &&
                                                   Contains("a value for .Values.mustBeSet is required"));
}

TEST_CASE("a long helm error is shortened, saying how much was left out", "[renderer][helm]") {
  test::ScratchDir repo;
  fs::create_directories(repo.path() / "chart/templates");
  std::ofstream(repo.path() / "chart/Chart.yaml") << "apiVersion: v2\nname: noisy\nversion: 0.1.0\n";
  std::ofstream(repo.path() / "chart/templates/fail.yaml") << "{{ fail (repeat 20000 \"x\") }}\n";
  try {
    (void)renderer::render({.repo_root = repo.path(), .app_path = "chart"});
    FAIL("expected a render error");
  } catch (const renderer::RenderError& e) {
    const std::string message = e.what();
    CHECK(message.size() < 5000);
    CHECK_THAT(message, Contains("more bytes not shown"));
    CHECK_THAT(message, Contains("xxxx"));
  }
}

TEST_CASE("a chart whose remote dependency is not vendored fails saying so", "[renderer][helm]") {
  const renderer::RenderRequest request{.repo_root = test::render_fixtures(), .app_path = "remote-dep"};
  CHECK_THROWS_WITH(renderer::render(request),
                    Contains("dependency redis from https://charts.bitnami.com/bitnami is not vendored") &&
                        Contains("helm dependency build"));
}

TEST_CASE("helm output over the cap and over the object count are limit errors", "[renderer][helm]") {
  auto request = fixture_chart();
  request.limits.max_output_bytes = 256;
  CHECK_THROWS_AS(renderer::render(request), renderer::RenderLimitExceeded);
  CHECK_THROWS_WITH(renderer::render(request), Contains("output exceeds the cap of 256 bytes"));
  request.limits = {.max_objects = 3};
  CHECK_THROWS_WITH(renderer::render(request), Contains("more than the cap of 3"));
}

TEST_CASE("a helm run past the timeout is killed and reported", "[renderer][helm]") {
  auto request = fixture_chart();
  request.limits.timeout = std::chrono::milliseconds(1);
  CHECK_THROWS_AS(renderer::render(request), renderer::RenderLimitExceeded);
}
