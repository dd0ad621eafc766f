// Shared plumbing of the client commands; see client_command.hpp.
#include "client_command.hpp"

#include <termios.h>
#include <unistd.h>

#include <iostream>

#include "commands.hpp"
#include "gitmoor/core/duration.hpp"
#include "gitmoor/core/error.hpp"

namespace gitmoor::cli {

void add_client_flags(CLI::App& cmd, ClientFlags& flags) {
  auto* group_name = "Connection";
  cmd.add_option("--server", flags.server, "gitmoor server URL (default: $GITMOOR_SERVER, then the config's context)")
      ->group(group_name);
  cmd.add_option("--auth-token", flags.auth_token, "Bearer token (default: $GITMOOR_AUTH_TOKEN, then the context's)")
      ->group(group_name);
  cmd.add_flag("--insecure", flags.insecure, "Skip TLS certificate verification")->group(group_name);
  cmd.add_option("--ca-file", flags.ca_file, "PEM certificates to trust for the server")->group(group_name);
  cmd.add_option("--context", flags.context, "Context of the config to use (default: current-context)")
      ->group(group_name);
  cmd.add_option("--config", flags.config, "Config file (default: $XDG_CONFIG_HOME/gitmoor/config)")
      ->group(group_name);
  cmd.fallthrough();
}

std::filesystem::path config_path(const ClientFlags& flags) {
  if (!flags.config.empty()) return flags.config;
  return default_config_path(environment_variable);
}

std::unique_ptr<web::ApiClient> connect(const ClientFlags& flags) {
  const auto config = ClientConfig::load(config_path(flags));
  const auto connection = resolve_connection(flags, config, environment_variable);
  web::ApiClientOptions options;
  options.server = connection.server;
  options.auth_token = connection.auth_token;
  options.insecure = connection.insecure;
  options.ca_file = connection.ca_file;
  return std::make_unique<web::ApiClient>(std::move(options));
}

std::string describe(const web::ApiError& error, const std::string& subject) {
  if (error.status() == 0) return subject + ": " + error.what();
  const std::string code = " (" + std::to_string(error.status()) + ")";
  if (error.no_route()) {
    return subject + ": the server does not offer " + error.method() + " " + error.path() + code;
  }
  const bool names_subject = !subject.empty() && error.message().rfind(subject, 0) == 0;
  std::string text = names_subject ? error.message() + code : subject + ": " + error.message() + code;
  // A missing, expired or ended session: say which server refused it and how to get a new one (the login command
  // itself gets 401 for a wrong password, where that advice would be noise).
  if (error.status() == 401 && !error.server().empty() && error.path() != "/api/v1/session") {
    text += " from " + error.server() + ": log in again with `gitmoor login " + error.server() +
            "` or pass --auth-token";
  }
  return text;
}

void run_client_command(int& exit_code, const std::string& subject, const std::function<int()>& body) {
  try {
    exit_code = body();
  } catch (const web::ApiError& e) {
    std::cerr << "error: " << describe(e, subject) << "\n";
    exit_code = kExitUsage;
  } catch (const core::Error& e) {
    std::cerr << "error: " << e.what() << "\n";
    exit_code = kExitUsage;
  }
}

std::string read_secret(const std::string& prompt, bool from_stdin) {
  std::string secret;
  if (from_stdin || ::isatty(0) != 1) {
    if (!std::getline(std::cin, secret) && secret.empty()) throw core::InvalidInput(prompt + ": nothing on stdin");
  } else {
    std::cerr << prompt << ": " << std::flush;
    termios saved{};
    ::tcgetattr(0, &saved);
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(0, TCSANOW, &quiet);
    std::getline(std::cin, secret);
    ::tcsetattr(0, TCSANOW, &saved);
    std::cerr << "\n";
  }
  if (!secret.empty() && secret.back() == '\r') secret.pop_back();
  if (secret.empty()) throw core::InvalidInput(prompt + ": empty");
  return secret;
}

std::chrono::milliseconds parse_timeout(const std::string& text) {
  if (text.empty()) return std::chrono::milliseconds(0);
  if (text.find_first_not_of("0123456789") == std::string::npos) {
    if (text.size() > 9) throw core::InvalidInput("--timeout " + text + ": too large");
    return std::chrono::seconds(std::stol(text));
  }
  return core::parse_duration(text, "--timeout");
}

std::string application_path(const std::string& name) { return "/api/v1/applications/" + web::url_escape(name); }

}  // namespace gitmoor::cli
