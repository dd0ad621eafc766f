// `gitmoor completion bash|zsh`: prints a completion script generated from the command tree itself.
#include <iostream>

#include "commands.hpp"
#include "completion_script.hpp"

namespace gitmoor::cli {

void register_completion(CLI::App& app, int& exit_code) {
  auto shell = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("completion", "Print a shell completion script: source <(gitmoor completion bash)");
  cmd->add_option("SHELL", *shell, "bash or zsh")->required()->check(CLI::IsMember({"bash", "zsh"}));
  cmd->callback([&app, shell, &exit_code] {
    std::cout << (*shell == "bash" ? bash_completion(app) : zsh_completion(app));
    exit_code = kExitOk;
  });
}

}  // namespace gitmoor::cli
