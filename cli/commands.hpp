#pragma once
// Each subcommand registers itself on the root app and returns the exit code through `run`. The cli/ folder holds
// argument parsing and wiring only; the work is done by the modules.
#include <CLI/CLI.hpp>

namespace gitmoor::cli {

// Exit codes shared by every subcommand.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;  // the command ran and found a problem (drift, a failed object, a render error)
inline constexpr int kExitUsage = 2;    // the command line or its inputs are wrong

void register_version(CLI::App& app, int& exit_code);
void register_render(CLI::App& app, int& exit_code);
void register_sandbox(CLI::App& app, int& exit_code);
void register_sandbox_load(CLI::App& sandbox, int& exit_code);  // `gitmoor sandbox load`, under `sandbox`
void register_diff(CLI::App& app, int& exit_code);
void register_apply(CLI::App& app, int& exit_code);
void register_serve(CLI::App& app, int& exit_code);
void register_demo(CLI::App& app, int& exit_code);
void register_image(CLI::App& app, int& exit_code);  // `image set`: the CI tag bump
// The REST API client commands (login.cpp, command_app*.cpp, command_account.cpp, command_completion.cpp).
void register_login(CLI::App& app, int& exit_code);  // `login` and `logout`
void register_app(CLI::App& app, int& exit_code);
void register_account(CLI::App& app, int& exit_code);
void register_completion(CLI::App& app, int& exit_code);  // register last: it walks the whole tree when run

}  // namespace gitmoor::cli
