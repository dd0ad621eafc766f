// `gitmoor app`: the Argo CD application commands over the REST API.
#include "command_app.hpp"

#include "client_command.hpp"
#include "commands.hpp"

namespace gitmoor::cli {

void register_app(CLI::App& app, int& exit_code) {
  auto flags = std::make_shared<ClientFlags>();
  auto* cmd = app.add_subcommand("app", "Inspect and operate Applications through a gitmoor server");
  cmd->require_subcommand(1);
  add_client_flags(*cmd, *flags);
  register_app_list_get(*cmd, flags, exit_code);
  register_app_diff(*cmd, flags, exit_code);
  register_app_sync(*cmd, flags, exit_code);
  register_app_ops(*cmd, flags, exit_code);
}

}  // namespace gitmoor::cli
