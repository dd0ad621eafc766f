#include <catch2/catch.hpp>
#include <fstream>

#include "gitmoor/renderer/source_type.hpp"
#include "render_fixtures.hpp"

using namespace gitmoor;
using renderer::SourceType;

TEST_CASE("a Chart.yaml means Helm, a kustomization file Kustomize, anything else a directory", "[renderer]") {
  CHECK(renderer::detect_source_type(test::source_dir() / "examples/tetris/helm/tetris") == SourceType::Helm);
  CHECK(renderer::detect_source_type(test::render_fixtures() / "kustomize/base") == SourceType::Kustomize);
  CHECK(renderer::detect_source_type(test::render_fixtures() / "directory/plain") == SourceType::Directory);

  test::ScratchDir dir;
  for (const char* name : {"kustomization.yml", "Kustomization"}) {
    std::filesystem::remove_all(dir.path() / "k");
    std::filesystem::create_directories(dir.path() / "k");
    std::ofstream(dir.path() / "k" / name) << "resources: []\n";
    CHECK(renderer::detect_source_type(dir.path() / "k") == SourceType::Kustomize);
  }
}

TEST_CASE("source types parse from their names, case-insensitively", "[renderer]") {
  CHECK(renderer::parse_source_type("helm") == SourceType::Helm);
  CHECK(renderer::parse_source_type("Kustomize") == SourceType::Kustomize);
  CHECK(renderer::parse_source_type("DIRECTORY") == SourceType::Directory);
  CHECK_FALSE(renderer::parse_source_type("jsonnet").has_value());
}
