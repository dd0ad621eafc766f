// `gitmoor login SERVER` and `gitmoor logout [CONTEXT]`: a session token from POST /api/v1/session, kept in the
// config file as a context (see client_config.hpp), like `argocd login`.
#include <iostream>
#include <memory>

#include "client_command.hpp"
#include "commands.hpp"
#include "gitmoor/core/error.hpp"

namespace gitmoor::cli {

namespace {

struct LoginArgs {
  ClientFlags flags;
  std::string server;
  std::string username = "admin";
  bool password_stdin = false;
  std::string name;
};

int login(const LoginArgs& args) {
  ClientFlags flags = args.flags;
  flags.server = web::normalize_server_url(args.server);
  web::ApiClientOptions options;
  options.server = flags.server;
  options.insecure = flags.insecure;
  options.ca_file = flags.ca_file;
  web::ApiClient client(options);
  const std::string password = read_secret("Password for " + args.username, args.password_stdin);
  const auto answer = client.post("/api/v1/session", {{"username", args.username}, {"password", password}});
  if (!answer.contains("token") || !answer["token"].is_string() || answer["token"].get<std::string>().empty()) {
    throw core::EnvironmentError("login to " + flags.server + ": the server answered without a token");
  }
  ClientContext context;
  context.name = args.name.empty() ? context_name_for(flags.server) : args.name;
  context.server = flags.server;
  context.user = args.username;
  context.auth_token = answer["token"].get<std::string>();
  context.insecure = flags.insecure;
  context.ca_file = flags.ca_file;
  const auto path = config_path(flags);
  auto config = ClientConfig::load(path);
  config.upsert(context);
  config.current_context = context.name;
  config.save(path);
  std::cout << "'" << args.username << "' logged in successfully\n"
            << "Context '" << context.name << "' updated\n";
  return kExitOk;
}

int logout(const ClientFlags& flags, const std::string& name) {
  const auto path = config_path(flags);
  auto config = ClientConfig::load(path);
  const std::string context_name = name.empty() ? config.current_context : name;
  const ClientContext* found = config.find(context_name);
  if (found == nullptr) throw core::InvalidInput("context " + (context_name.empty() ? "(current)" : context_name) +
                                                 ": not in " + path.string());
  ClientContext context = *found;
  if (!context.auth_token.empty()) {
    // Ends the session on the server too; the token is forgotten locally whatever the server says.
    try {
      web::ApiClient client({.server = context.server, .auth_token = context.auth_token,
                             .insecure = context.insecure, .ca_file = context.ca_file});
      client.request("DELETE", "/api/v1/session");
    } catch (const web::ApiError& e) {
      std::cerr << "warning: " << describe(e, "logout from " + context.server) << "\n";
    }
  }
  context.auth_token.clear();
  config.upsert(context);
  config.save(path);
  std::cout << "Logged out from '" << context.name << "'\n";
  return kExitOk;
}

}  // namespace

void register_login(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<LoginArgs>();
  auto* cmd = app.add_subcommand("login", "Log in to a gitmoor server and store the session as a context");
  cmd->add_option("SERVER", args->server, "Server URL (https://host:port, or host:port for https)")->required();
  cmd->add_option("--username", args->username, "Account to log in as")->capture_default_str();
  cmd->add_flag("--password-stdin", args->password_stdin, "Read the password from stdin (else prompt without echo)");
  cmd->add_option("--name", args->name, "Name of the context (default: the server's host:port)");
  cmd->add_flag("--insecure", args->flags.insecure, "Skip TLS certificate verification");
  cmd->add_option("--ca-file", args->flags.ca_file, "PEM certificates to trust for the server");
  cmd->add_option("--config", args->flags.config, "Config file (default: $XDG_CONFIG_HOME/gitmoor/config)");
  cmd->callback([args, &exit_code] {
    run_client_command(exit_code, "login to " + args->server, [&] { return login(*args); });
  });

  auto logout_flags = std::make_shared<ClientFlags>();
  auto name = std::make_shared<std::string>();
  auto* out = app.add_subcommand("logout", "Forget the token of a context (default: the current one)");
  out->add_option("CONTEXT", *name, "Context to log out of");
  out->add_option("--config", logout_flags->config, "Config file (default: $XDG_CONFIG_HOME/gitmoor/config)");
  out->callback([logout_flags, name, &exit_code] {
    run_client_command(exit_code, "logout", [&] { return logout(*logout_flags, *name); });
  });
}

}  // namespace gitmoor::cli
