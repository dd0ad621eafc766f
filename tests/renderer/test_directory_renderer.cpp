#include <catch2/catch.hpp>
#include <fstream>

#include "gitmoor/renderer/render.hpp"
#include "render_fixtures.hpp"

using namespace gitmoor;
using Catch::Matchers::Contains;

namespace {
renderer::RenderResult render_dir(const std::string& path, renderer::DirectoryOptions directory = {}) {
  return renderer::render({.repo_root = test::render_fixtures(), .app_path = path, .directory = directory});
}

std::vector<std::string> names(const renderer::RenderResult& result) {
  std::vector<std::string> out;
  for (const auto& o : result.objects) out.push_back(o.name());
  return out;
}
}  // namespace

TEST_CASE("a directory renders its .yaml, .yml and .json files in path order and ignores the rest", "[renderer]") {
  const auto result = render_dir("directory/plain");
  CHECK(result.type == renderer::SourceType::Directory);
  CHECK(names(result) == std::vector<std::string>{"a", "a2", "b", "skipped"});
  CHECK(result.objects[1].source().file == "directory/plain/a.yaml");
  CHECK(result.objects[1].source().document == 1);
  CHECK(result.objects[1].source().line == 6);
  CHECK(result.objects[2].json()["stringData"]["k"] == "v");
}

TEST_CASE("a directory recurses only when asked", "[renderer]") {
  CHECK(names(render_dir("directory/nested")) == std::vector<std::string>{"top"});
  CHECK(names(render_dir("directory/nested", {.recurse = true})) == std::vector<std::string>{"deep", "top"});
}

TEST_CASE("include and exclude globs filter a directory's files", "[renderer]") {
  CHECK(names(render_dir("directory/plain", {.include = "*.json"})) == std::vector<std::string>{"b"});
  CHECK(names(render_dir("directory/plain", {.include = "{a.yaml,b.json}"})) ==
        std::vector<std::string>{"a", "a2", "b"});
  CHECK(names(render_dir("directory/plain", {.exclude = "skip-*"})) == std::vector<std::string>{"a", "a2", "b"});
  CHECK(names(render_dir("directory/nested", {.recurse = true, .include = "sub/*"})) ==
        std::vector<std::string>{"deep"});
}

TEST_CASE("malformed YAML in a directory names its file and line", "[renderer]") {
  CHECK_THROWS_AS(render_dir("directory/malformed"), renderer::RenderError);
  CHECK_THROWS_WITH(render_dir("directory/malformed"), Contains("directory/malformed/broken.yaml:"));
}

TEST_CASE("a missing path or one that is not a directory is a clear render error", "[renderer]") {
  CHECK_THROWS_WITH(render_dir("no/such/app"), Contains("path no/such/app does not exist"));
  CHECK_THROWS_WITH(render_dir("directory/plain/a.yaml"), Contains("not a directory"));
}

TEST_CASE("an app path escaping the repository is rejected", "[renderer]") {
  CHECK_THROWS_AS(render_dir("../.."), renderer::PathEscapesRepository);
  CHECK_THROWS_AS(render_dir("directory/../../yaml"), renderer::PathEscapesRepository);
  CHECK_THROWS_AS(render_dir("/etc"), renderer::PathEscapesRepository);
  CHECK_NOTHROW(render_dir("directory/nested/../plain"));
}

TEST_CASE("symlinks leaving the repository are rejected, for the path and for a manifest", "[renderer]") {
  test::ScratchDir outside;
  test::ScratchDir repo;
  std::ofstream(outside.path() / "secret.yaml") << "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: secret}\n";
  std::filesystem::create_directory_symlink(outside.path(), repo.path() / "linked-app");
  std::filesystem::create_directories(repo.path() / "app");
  std::filesystem::create_symlink(outside.path() / "secret.yaml", repo.path() / "app" / "cm.yaml");

  CHECK_THROWS_AS(renderer::render({.repo_root = repo.path(), .app_path = "linked-app"}),
                  renderer::PathEscapesRepository);
  CHECK_THROWS_AS(renderer::render({.repo_root = repo.path(), .app_path = "app"}), renderer::PathEscapesRepository);
  CHECK_THROWS_WITH(renderer::render({.repo_root = repo.path(), .app_path = "app"}),
                    Contains("app/cm.yaml is a symlink"));
}

TEST_CASE("a directory over the output or object cap fails clearly", "[renderer]") {
  CHECK_THROWS_AS(renderer::render({.repo_root = test::render_fixtures(), .app_path = "directory/plain",
                                    .limits = {.max_output_bytes = 64}}),
                  renderer::RenderLimitExceeded);
  CHECK_THROWS_WITH(renderer::render({.repo_root = test::render_fixtures(), .app_path = "directory/plain",
                                      .limits = {.max_objects = 2}}),
                    Contains("more than 2 objects"));
}
