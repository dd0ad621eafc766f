#pragma once
// What every command that talks to a gitmoor server shares: the connection flags (--server, --auth-token,
// --insecure, --ca-file, --context, --config), the ApiClient they resolve to, password input, and turning errors
// into a message naming their subject and an exit code (1 failure, 2 error).
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "client_config.hpp"
#include "gitmoor/web/api_client.hpp"

namespace gitmoor::cli {

// Adds the connection flags to `cmd` and lets its subcommands accept them too (fall-through), so both
// `gitmoor app --server S list` and `gitmoor app list --server S` work.
void add_client_flags(CLI::App& cmd, ClientFlags& flags);

std::filesystem::path config_path(const ClientFlags& flags);

// An ApiClient for the resolved connection (flag > environment > config).
std::unique_ptr<web::ApiClient> connect(const ClientFlags& flags);

// "application tetris: not found (404)": the server's message with the subject in front unless it already names it.
std::string describe(const web::ApiError& error, const std::string& subject);

// Runs a client command: API errors, bad input and unreachable servers are printed as "error: ..." and give exit
// code 2; `body` returns the exit code otherwise.
void run_client_command(int& exit_code, const std::string& subject, const std::function<int()>& body);

// A secret from stdin (one line, newline dropped) or, on a terminal, a prompt without echo on stderr.
std::string read_secret(const std::string& prompt, bool from_stdin);

// --timeout: seconds as a bare number (argocd's spelling) or a duration (30s, 5m); 0 = none.
std::chrono::milliseconds parse_timeout(const std::string& text);

// /api/v1/applications/{name} with the name escaped.
std::string application_path(const std::string& name);

}  // namespace gitmoor::cli
