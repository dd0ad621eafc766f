#pragma once
// `gitmoor app ...`: the subcommands share the connection flags of `app`; each file registers its subcommands.
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "client_config.hpp"

namespace gitmoor::cli {

using SharedFlags = std::shared_ptr<ClientFlags>;

void register_app_list_get(CLI::App& app, const SharedFlags& flags, int& exit_code);  // list, get
void register_app_diff(CLI::App& app, const SharedFlags& flags, int& exit_code);      // diff
void register_app_sync(CLI::App& app, const SharedFlags& flags, int& exit_code);      // sync, wait
void register_app_ops(CLI::App& app, const SharedFlags& flags, int& exit_code);  // history, rollback, delete, ...

}  // namespace gitmoor::cli
