#pragma once
// The world of the tetris UI scenarios: the sandbox cluster, the deploy repository with examples/tetris (its
// postgres password set to a random value the Secret scenario searches for), `gitmoor serve --auth builtin`, and
// the Application tetris (namespace game, automated with prune, without selfHeal, so drift stays visible) Synced
// and Healthy. run() runs a scenario against it and fails the test with the scenario's output.
#include <memory>
#include <string>
#include <vector>

#include "serve_env.hpp"
#include "ui_runner.hpp"

namespace gitmoor::test {

class TetrisWorld {
 public:
  TetrisWorld();

  // Runs tests/ui/scenarios/<scenario>.mjs for each, in one browser; REQUIREs exit 0 and prints the output
  // (timings included).
  ScenarioRun run(const std::vector<std::string>& scenarios);

  ServeEnv env;
  std::string password;         // the admin's, from Secret gitmoor-initial-admin-secret
  std::string postgres_secret;  // the value of Secret game-postgres
  std::string commit;
  std::unique_ptr<UiFrontend> ui;
};

}  // namespace gitmoor::test
