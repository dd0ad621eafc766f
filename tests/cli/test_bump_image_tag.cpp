// The example's tag-bump script (examples/tetris/scripts/bump-image-tag.sh) with the gitmoor under test, against
// real Git: a bare repository as the remote and two clones, "ci" (where the script runs, as in the deploy workflow)
// and "dev" (a developer pushing meanwhile).
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "gitmoor/core/subprocess.hpp"
#include "test_paths.hpp"

namespace fs = std::filesystem;
using gitmoor::core::SubprocessResult;

namespace {

const std::string kSha = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b";
const std::string kValues = "helm/tetris/values.yaml";

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// Git isolated from the machine's configuration, committing as a developer unless told otherwise.
std::map<std::string, std::string> git_environment() {
  return {{"GIT_CONFIG_NOSYSTEM", "1"},         {"GIT_CONFIG_GLOBAL", "/dev/null"},
          {"GIT_AUTHOR_NAME", "dev"},           {"GIT_AUTHOR_EMAIL", "dev@example.com"},
          {"GIT_COMMITTER_NAME", "dev"},        {"GIT_COMMITTER_EMAIL", "dev@example.com"},
          {"GIT_TERMINAL_PROMPT", "0"}};
}

SubprocessResult run_in(const fs::path& dir, const std::vector<std::string>& argv,
                        std::map<std::string, std::string> extra = {}) {
  gitmoor::core::SubprocessOptions options;
  options.working_dir = dir;
  options.environment = git_environment();
  for (auto& [k, v] : extra) options.environment[k] = v;
  options.timeout = std::chrono::seconds(60);
  return gitmoor::core::run_subprocess(argv, options);
}

std::string git(const fs::path& dir, const std::vector<std::string>& args) {
  std::vector<std::string> argv{"git"};
  argv.insert(argv.end(), args.begin(), args.end());
  auto result = run_in(dir, argv);
  INFO("git " << args.front() << ": " << result.stderr_data);
  REQUIRE(result.ok());
  return trim(result.stdout_data);
}

// remote.git (bare, branch main) holding a copy of examples/tetris; clones ci/ and dev/.
struct GitOpsRepository {
  fs::path root = fs::temp_directory_path() / ("gitmoor-bump-" + std::to_string(::getpid()));
  fs::path remote = root / "remote.git";
  fs::path ci = root / "ci";
  fs::path dev = root / "dev";

  GitOpsRepository() {
    fs::remove_all(root);
    fs::create_directories(root);
    git(root, {"init", "--quiet", "--bare", "--initial-branch=main", remote.string()});
    const fs::path seed = root / "seed";
    fs::copy(gitmoor::test::source_dir() / "examples" / "tetris", seed, fs::copy_options::recursive);
    git(seed, {"init", "--quiet", "--initial-branch=main"});
    git(seed, {"add", "."});
    git(seed, {"commit", "--quiet", "-m", "the tetris monorepo"});
    git(seed, {"push", "--quiet", remote.string(), "main"});
    git(root, {"clone", "--quiet", remote.string(), ci.string()});
    git(root, {"clone", "--quiet", remote.string(), dev.string()});
  }
  ~GitOpsRepository() { fs::remove_all(root); }

  // The script as the workflow runs it: from the clone's root, its own checked-in copy.
  SubprocessResult bump(const std::vector<std::string>& args, std::map<std::string, std::string> extra = {}) const {
    std::vector<std::string> argv{"bash", "scripts/bump-image-tag.sh"};
    argv.insert(argv.end(), args.begin(), args.end());
    extra["GITMOOR"] = gitmoor::test::gitmoor_binary().string();
    return run_in(ci, argv, extra);
  }

  std::string remote_head() const { return git(remote, {"rev-parse", "main"}); }
};

// "added<TAB>removed<TAB>path" lines of a commit.
std::string numstat(const fs::path& repo, const std::string& commit) {
  return git(repo, {"show", "--format=", "--numstat", commit});
}

// The 1-based line on which `needle` starts in `text`.
std::size_t line_of(const std::string& text, const std::string& needle) {
  const auto at = text.find(needle);
  REQUIRE(at != std::string::npos);
  return 1 + static_cast<std::size_t>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n'));
}

std::string replace_once(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

}  // namespace

TEST_CASE("bump script: the bump is one changed line, comments kept, committed by the bot and pushed", "[bump]") {
  GitOpsRepository repo;
  const std::string before = read_file(repo.ci / kValues);

  const auto result = repo.bump({kSha});
  INFO(result.stdout_data << result.stderr_data);
  REQUIRE(result.ok());
  const auto tag_line = line_of(before, "image:\n  repository: docker.io/tetris/game-backend\n  tag:") + 2;
  CHECK_THAT(result.stdout_data, Catch::Contains(kValues + ":" + std::to_string(tag_line) + ": image.tag: 0.1.0 -> " + kSha));

  // The remote has the bump: exactly the one line, by github-actions[bot], on top of the seed commit.
  git(repo.dev, {"pull", "--quiet", "--ff-only"});
  CHECK(repo.remote_head() == git(repo.ci, {"rev-parse", "HEAD"}));
  CHECK(numstat(repo.dev, "HEAD") == "1\t1\t" + kValues);
  CHECK(git(repo.dev, {"log", "-1", "--format=%an <%ae>|%cn|%s"}) ==
        "github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com>|github-actions[bot]|"
        "deploy: set image.tag to " + kSha);
  // Byte for byte the old file with that value replaced: comments, order and the other tags untouched.
  const std::string after = read_file(repo.dev / kValues);
  CHECK(after == replace_once(before, "image:\n  repository: docker.io/tetris/game-backend\n  tag: \"0.1.0\"",
                              "image:\n  repository: docker.io/tetris/game-backend\n  tag: \"" + kSha + "\""));

  // Run again with the same tag: nothing to commit, nothing pushed.
  const std::string head = repo.remote_head();
  const auto again = repo.bump({kSha});
  CHECK(again.ok());
  CHECK_THAT(again.stderr_data, Catch::Contains("nothing to commit"));
  CHECK(repo.remote_head() == head);
}

TEST_CASE("bump script: several keys are set in one commit, one line each", "[bump]") {
  GitOpsRepository repo;
  const auto result = repo.bump({kSha, "image.tag", "frontend.image.tag"});
  INFO(result.stdout_data << result.stderr_data);
  REQUIRE(result.ok());
  CHECK(numstat(repo.remote, "main") == "2\t2\t" + kValues);
}

TEST_CASE("bump script: a concurrent push makes the first push fail non-fast-forward, the retry rebases", "[bump]") {
  GitOpsRepository repo;
  // A developer pushes a backend change after CI checked out: CI's push is now behind.
  std::ofstream(repo.dev / "backend" / "main.py", std::ios::app) << "\n# a concurrent change\n";
  git(repo.dev, {"commit", "--quiet", "-am", "backend: a concurrent change"});
  git(repo.dev, {"push", "--quiet", "origin", "main"});
  const std::string concurrent = repo.remote_head();

  const auto result = repo.bump({kSha});
  INFO(result.stdout_data << result.stderr_data);
  REQUIRE(result.ok());
  CHECK_THAT(result.stderr_data, Catch::Contains("[rejected]"));
  CHECK_THAT(result.stderr_data, Catch::Contains("attempt 1 of 5); fetching and rebasing"));
  CHECK_THAT(result.stderr_data, Catch::Contains("(attempt 2)"));

  // Both commits are on the remote: the bump, rebased, on top of the developer's commit, still one line.
  CHECK(git(repo.remote, {"rev-parse", "main~1"}) == concurrent);
  CHECK(numstat(repo.remote, "main") == "1\t1\t" + kValues);
  CHECK(git(repo.remote, {"log", "-1", "--format=%cn", "main"}) == "github-actions[bot]");
  CHECK_THAT(git(repo.remote, {"show", "main:backend/main.py"}), Catch::Contains("# a concurrent change"));
}

TEST_CASE("bump script: the retries are bounded, and a conflicting bump is not pushed", "[bump]") {
  GitOpsRepository repo;
  // The developer bumps the same line: CI's rebase conflicts.
  std::string values = read_file(repo.dev / kValues);
  std::ofstream(repo.dev / kValues, std::ios::binary)
      << replace_once(values, "  tag: \"0.1.0\"\n\ningress:", "  tag: \"other\"\n\ningress:");
  git(repo.dev, {"commit", "--quiet", "-am", "deploy: set image.tag to other"});
  git(repo.dev, {"push", "--quiet", "origin", "main"});
  const std::string remote_before = repo.remote_head();

  SECTION("one attempt allowed: gives up after the rejected push") {
    const auto result = repo.bump({kSha}, {{"PUSH_ATTEMPTS", "1"}});
    INFO(result.stdout_data << result.stderr_data);
    CHECK(result.exit_code == 1);
    CHECK_THAT(result.stderr_data, Catch::Contains("still rejected after 1 attempt(s); giving up"));
  }
  SECTION("the rebase conflicts: aborted, nothing pushed, no rebase left in progress") {
    const auto result = repo.bump({kSha});
    INFO(result.stdout_data << result.stderr_data);
    CHECK(result.exit_code == 1);
    CHECK_THAT(result.stderr_data, Catch::Contains("conflicts (" + kValues + " changed there too); nothing pushed"));
    CHECK_FALSE(fs::exists(repo.ci / ".git" / "rebase-merge"));
    CHECK_FALSE(fs::exists(repo.ci / ".git" / "rebase-apply"));
    CHECK(git(repo.ci, {"status", "--porcelain"}).empty());
  }
  CHECK(repo.remote_head() == remote_before);
}

TEST_CASE("bump script: a missing key or a file that is not YAML is a clear error and changes nothing", "[bump]") {
  GitOpsRepository repo;
  const std::string head = git(repo.ci, {"rev-parse", "HEAD"});
  const std::string remote_before = repo.remote_head();

  SECTION("a missing key names the file and the first missing segment") {
    const std::string before = read_file(repo.ci / kValues);
    const auto result = repo.bump({kSha, "backend.image.tga"});
    CHECK(result.exit_code == 2);
    // Named at the mapping that lacks it: backend.image, whose first key is on the line after `  image:`.
    const auto image_line = line_of(before, "backend:\n  image:\n") + 2;
    CHECK_THAT(result.stderr_data,
               Catch::Contains("error: " + kValues + ":" + std::to_string(image_line) +
                               ":5: key `backend.image.tga` not found: `backend.image` has no key `tga`"));
    CHECK(read_file(repo.ci / kValues) == before);
  }
  SECTION("a values file that is not YAML names its line and column") {
    std::ofstream(repo.ci / kValues, std::ios::binary) << "image:\n  tag: [0.1.0\n";
    git(repo.ci, {"commit", "--quiet", "-am", "a broken values file"});
    const std::string broken_head = git(repo.ci, {"rev-parse", "HEAD"});
    const auto result = repo.bump({kSha});
    CHECK(result.exit_code == 2);
    CHECK_THAT(result.stderr_data, Catch::Contains("error: " + kValues + ":"));
    CHECK(read_file(repo.ci / kValues) == "image:\n  tag: [0.1.0\n");
    CHECK(git(repo.ci, {"rev-parse", "HEAD"}) == broken_head);
    git(repo.ci, {"reset", "--quiet", "--hard", head});
  }
  // No commit, a clean tree, and the remote as it was.
  CHECK(git(repo.ci, {"rev-parse", "HEAD"}) == head);
  CHECK(git(repo.ci, {"status", "--porcelain"}).empty());
  CHECK(repo.remote_head() == remote_before);
}
