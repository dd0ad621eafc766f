#include <catch2/catch.hpp>

#include "gitmoor/renderer/render.hpp"
#include "render_fixtures.hpp"

using namespace gitmoor;
using Catch::Matchers::Contains;

TEST_CASE("a kustomization renders through kubectl kustomize", "[renderer][kustomize]") {
  const auto result = renderer::render({.repo_root = test::render_fixtures(), .app_path = "kustomize/base"});
  CHECK(result.type == renderer::SourceType::Kustomize);
  REQUIRE(result.objects.size() == 1);
  CHECK(result.objects[0].name() == "from-kustomize");
  CHECK(result.objects[0].ns() == "kusto");
  CHECK(result.objects[0].source().file == "kustomize/base (kustomize output)");
}

TEST_CASE("the type can be forced: a kustomization folder rendered as a plain directory", "[renderer][kustomize]") {
  const auto result = renderer::render({.repo_root = test::render_fixtures(), .app_path = "kustomize/base",
                                        .type = renderer::SourceType::Directory});
  CHECK(result.type == renderer::SourceType::Directory);
  // kustomization.yaml itself is a YAML file without apiVersion/kind: the directory renderer takes both files.
  CHECK(result.objects.size() == 2);
}
