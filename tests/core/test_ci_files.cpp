// The repository's own YAML (CI workflows, Dependabot) must be valid to the project's own codec, and say what the
// project relies on: the README's test command, actions pinned to versions, the release wiring.
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
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

namespace {

namespace fs = std::filesystem;

// Every workflow file: the project's and the examples'.
std::vector<fs::path> workflow_files() {
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(gitmoor::test::source_dir() / ".github" / "workflows")) {
    if (entry.path().extension() == ".yml") files.push_back(entry.path());
  }
  for (const auto& entry : fs::recursive_directory_iterator(gitmoor::test::source_dir() / "examples")) {
    if (entry.path().extension() == ".yml" && entry.path().parent_path().filename() == "workflows") {
      files.push_back(entry.path());
    }
  }
  return files;
}

void collect_uses(const Json& value, std::vector<std::string>& uses) {
  if (value.is_object()) {
    for (const auto& [key, child] : value.items()) {
      if (key == "uses" && child.is_string()) uses.push_back(child.get<std::string>());
      collect_uses(child, uses);
    }
  } else if (value.is_array()) {
    for (const auto& child : value) collect_uses(child, uses);
  }
}

}  // namespace

TEST_CASE("ci: every action a workflow uses is pinned to a version, never a branch", "[ci]") {
  const std::regex pinned(R"(^[A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+@v[0-9]+(\.[0-9]+)*$|^\./\.github/workflows/[a-z-]+\.yml$)");
  std::size_t count = 0;
  for (const auto& file : workflow_files()) {
    std::vector<std::string> uses;
    collect_uses(parse_yaml(read_file(file), {.file = file.string()}), uses);
    for (const auto& action : uses) {
      INFO(file.string() << ": uses " << action);
      CHECK(std::regex_match(action, pinned));
      ++count;
    }
  }
  CHECK(count > 10);
}

TEST_CASE("ci: the release calls the image workflow, which accepts the call", "[ci]") {
  const auto dir = gitmoor::test::source_dir() / ".github" / "workflows";
  const auto release = parse_yaml(read_file(dir / "release.yml"));
  const auto image = parse_yaml(read_file(dir / "image.yml"));
  CHECK(release["true"]["push"]["tags"] == Json::array({"v*"}));
  CHECK(release["jobs"]["image"]["uses"] == "./.github/workflows/image.yml");
  CHECK(release["jobs"]["image"]["permissions"]["packages"] == "write");
  CHECK(image["true"].contains("workflow_call"));
  // A tag push runs the image build once, through the release.
  CHECK_FALSE(image["true"]["push"].contains("tags"));
}

TEST_CASE("ci: Dependabot updates the actions of every folder that holds workflows", "[ci]") {
  const auto dependabot = parse_yaml(read_file(gitmoor::test::source_dir() / ".github" / "dependabot.yml"));
  std::set<std::string> directories;
  for (const auto& update : dependabot["updates"]) {
    if (update["package-ecosystem"] != "github-actions") continue;
    for (const auto& directory : update["directories"]) directories.insert(directory.get<std::string>());
  }
  for (const auto& file : workflow_files()) {
    // <dir>/.github/workflows/x.yml → "/" + dir relative to the repository.
    const auto relative = fs::relative(file.parent_path().parent_path().parent_path(), gitmoor::test::source_dir());
    const std::string directory = relative == "." ? "/" : "/" + relative.string();
    INFO(file.string());
    CHECK(directories.count(directory) == 1);
  }
}
