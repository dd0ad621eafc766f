// See demo_repository.hpp.
#include "demo_repository.hpp"

#include "gitmoor/core/error.hpp"
#include "gitmoor/core/subprocess.hpp"

namespace gitmoor::cli {

namespace fs = std::filesystem;

std::string run_git(const fs::path& dir, const std::vector<std::string>& args) {
  std::vector<std::string> argv{"git"};
  argv.insert(argv.end(), args.begin(), args.end());
  core::SubprocessOptions options;
  options.working_dir = dir;
  options.timeout = std::chrono::seconds(60);
  options.environment = {{"GIT_CONFIG_NOSYSTEM", "1"},          {"GIT_CONFIG_GLOBAL", "/dev/null"},
                         {"GIT_AUTHOR_NAME", "gitmoor demo"},  {"GIT_AUTHOR_EMAIL", "demo@gitmoor.dev"},
                         {"GIT_COMMITTER_NAME", "gitmoor demo"}, {"GIT_COMMITTER_EMAIL", "demo@gitmoor.dev"}};
  const auto result = core::run_subprocess(argv, options);
  if (!result.ok()) {
    std::string command = "git";
    for (const auto& a : args) command += " " + a;
    throw core::EnvironmentError(command + " in " + dir.string() + ": " + result.describe_outcome() + ": " +
                                 result.stderr_data);
  }
  std::string out = result.stdout_data;
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

std::string create_demo_repository(const fs::path& example, const fs::path& repo) {
  if (!fs::is_directory(example / "helm" / "tetris")) {
    throw core::InvalidInput(example.string() + ": not the example monorepo (no helm/tetris folder)");
  }
  fs::remove_all(repo);
  fs::create_directories(repo);
  run_git(repo, {"init", "--quiet", "--initial-branch=main"});
  // History in the order a team would have written it.
  const std::vector<std::pair<std::vector<std::string>, std::string>> steps{
      {{"README.md", "backend", "frontend"}, "tetris: game backend (FastAPI) and frontend"},
      {{"helm"}, "helm: chart for tetris (release tetris, namespace game)"},
  };
  for (const auto& [paths, message] : steps) {
    for (const auto& path : paths) {
      if (!fs::exists(example / path)) continue;
      fs::copy(example / path, repo / path, fs::copy_options::recursive | fs::copy_options::overwrite_existing);
      run_git(repo, {"add", "--", path});
    }
    run_git(repo, {"commit", "--quiet", "--allow-empty", "-m", message});
  }
  return run_git(repo, {"rev-parse", "HEAD"});
}

}  // namespace gitmoor::cli
