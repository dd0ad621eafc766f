// `gitmoor completion bash|zsh`: the script is generated from the CLI11 tree; bash runs it to complete words.
#include <catch2/catch.hpp>

#include "completion_script.hpp"
#include "gitmoor/core/subprocess.hpp"
#include "test_paths.hpp"

using gitmoor::core::run_subprocess;

namespace {

// What bash's completion function offers after `words` (the last one being completed).
std::string complete_in_bash(const std::string& script, const std::vector<std::string>& words) {
  std::string setup = script + "\nCOMP_WORDS=(";
  for (const auto& w : words) setup += "'" + w + "' ";
  setup += ")\nCOMP_CWORD=" + std::to_string(words.size() - 1) + "\n_gitmoor\necho \"${COMPREPLY[*]}\"\n";
  const auto r = run_subprocess({"bash", "--norc", "-c", setup}, {.timeout = std::chrono::seconds(20)});
  INFO(r.stderr_data);
  REQUIRE(r.exit_code == 0);
  return r.stdout_data;
}

}  // namespace

TEST_CASE("the completion generator walks subcommands and flags, with fall-through flags inherited", "[cli]") {
  CLI::App root{"test", "gitmoor"};
  std::string server;
  bool prune = false;
  auto* app = root.add_subcommand("app", "apps");
  app->add_option("--server", server, "server");
  app->fallthrough();
  auto* sync = app->add_subcommand("sync", "sync");
  sync->add_flag("--prune", prune, "prune");
  app->add_subcommand("list", "list");
  root.add_subcommand("hidden", "")->group("");

  const auto bash = gitmoor::cli::bash_completion(root);
  CHECK_THAT(bash, Catch::Contains("gitmoor/app) echo \"sync list\""));
  CHECK_THAT(bash, Catch::Contains("gitmoor/app/sync) echo \"--help -h --prune --server\""));
  CHECK_THAT(bash, !Catch::Contains("hidden"));
  CHECK(complete_in_bash(bash, {"gitmoor", "a"}) == "app\n");
  CHECK(complete_in_bash(bash, {"gitmoor", "app", "s"}) == "sync\n");
  CHECK(complete_in_bash(bash, {"gitmoor", "app", "--server", "x", "sync", "--p"}) == "--prune\n");

  const auto zsh = gitmoor::cli::zsh_completion(root);
  CHECK_THAT(zsh, Catch::StartsWith("#compdef gitmoor\n"));
  CHECK_THAT(zsh, Catch::Contains("gitmoor/app/sync) echo \"--help -h --prune --server\""));
  CHECK_THAT(zsh, Catch::Contains("compdef _gitmoor gitmoor"));
}

TEST_CASE("gitmoor completion bash completes the real command tree", "[cli]") {
  const auto r = run_subprocess({gitmoor::test::gitmoor_binary().string(), "completion", "bash"},
                                {.timeout = std::chrono::seconds(20)});
  REQUIRE(r.exit_code == 0);
  CHECK(complete_in_bash(r.stdout_data, {"gitmoor", "app", "sync", "--dry"}) == "--dry-run\n");
  CHECK(complete_in_bash(r.stdout_data, {"gitmoor", "app", "te"}) == "terminate-op\n");
  CHECK(complete_in_bash(r.stdout_data, {"gitmoor", "account", "g"}) == "generate-token\n");
  CHECK(run_subprocess({gitmoor::test::gitmoor_binary().string(), "completion", "fish"}).exit_code == 2);
}
