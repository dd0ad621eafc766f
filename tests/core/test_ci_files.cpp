// The repository's own YAML (CI workflow) must be valid to the project's own codec.
#include <fstream>
#include <sstream>

#include <catch2/catch.hpp>

#include "gitmoor/core/yaml.hpp"
#include "test_paths.hpp"

using namespace gitmoor::core;

namespace {
std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}
}  // namespace

TEST_CASE("ci: the GitHub workflow parses with gitmoor's YAML codec and runs the README's commands", "[ci]") {
  auto path = gitmoor::test::source_dir() / ".github/workflows/ci.yml";
  auto workflow = parse_yaml(read_file(path), {.file = path.string()});
  REQUIRE(workflow.is_object());
  // go-yaml v2 reads the bare key `on` as the boolean true, and sigs.k8s.io/yaml then names it "true".
  CHECK(workflow.contains("true"));
  const auto& jobs = workflow.at("jobs");
  REQUIRE(jobs.contains("test"));
  REQUIRE(jobs.contains("sanitizers"));
  CHECK(jobs["test"]["container"] == "debian:12");
  CHECK(jobs["sanitizers"]["container"] == "debian:12");

  std::string readme = read_file(gitmoor::test::source_dir() / "README.md");
  std::string ci_run = read_file(gitmoor::test::source_dir() / ".ci/run");
  const std::string test_command = "./scripts/setup.sh && make test";
  CHECK_THAT(readme, Catch::Contains(test_command));
  CHECK_THAT(ci_run, Catch::Contains(test_command));
  bool found = false;
  for (const auto& step : jobs["test"]["steps"]) {
    if (step.contains("run") && step["run"] == test_command) found = true;
  }
  CHECK(found);
}
