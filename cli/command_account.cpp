// `gitmoor account generate-token|update-password`: API keys for CI and the password of an account.
#include <unistd.h>

#include <iostream>

#include "client_command.hpp"
#include "commands.hpp"
#include "gitmoor/core/error.hpp"

namespace gitmoor::cli {

using core::Json;

namespace {

struct TokenArgs {
  std::string account;
  std::string expires_in = "0";
  std::string id;
};

struct PasswordArgs {
  std::string account;
  std::string current_password;
  std::string new_password;
};

// The logged-in account (argocd's default for --account), from GET /api/v1/session/userinfo.
std::string current_account(web::ApiClient& client) {
  const auto info = client.get("/api/v1/session/userinfo");
  const auto name = info.value("username", "");
  if (name.empty()) throw core::InvalidInput("account: not logged in as an account (use --account)");
  return name;
}

int generate_token(const ClientFlags& flags, const TokenArgs& args) {
  const auto expires = std::chrono::duration_cast<std::chrono::seconds>(parse_timeout(args.expires_in));
  auto client = connect(flags);
  const std::string account = args.account.empty() ? current_account(*client) : args.account;
  Json body = {{"expiresIn", expires.count()}};
  if (!args.id.empty()) body["id"] = args.id;
  const auto answer = client->post("/api/v1/account/" + web::url_escape(account) + "/token", body);
  const auto token = answer.value("token", "");
  if (token.empty()) throw core::EnvironmentError("account " + account + ": the server answered without a token");
  std::cout << token << "\n";  // the only place a token is ever printed: the user asked for it
  return kExitOk;
}

int update_password(const ClientFlags& flags, PasswordArgs args) {
  // From flags, else stdin (two lines: current, new) or prompts without echo.
  if (args.current_password.empty()) args.current_password = read_secret("Current password", false);
  if (args.new_password.empty()) {
    args.new_password = read_secret("New password", false);
    if (::isatty(0) == 1 && read_secret("Confirm new password", false) != args.new_password) {
      throw core::InvalidInput("new password: the two entries differ");
    }
  }
  auto client = connect(flags);
  Json body = {{"currentPassword", args.current_password}, {"newPassword", args.new_password}};
  if (!args.account.empty()) body["name"] = args.account;
  client->put("/api/v1/account/password", body);
  std::cout << "Password updated\n";
  return kExitOk;
}

}  // namespace

void register_account(CLI::App& app, int& exit_code) {
  auto flags = std::make_shared<ClientFlags>();
  auto* cmd = app.add_subcommand("account", "Manage accounts: API tokens and passwords");
  cmd->require_subcommand(1);
  add_client_flags(*cmd, *flags);

  auto token = std::make_shared<TokenArgs>();
  auto* token_cmd = cmd->add_subcommand("generate-token", "Generate an API token (for CI) and print it");
  token_cmd->add_option("-a,--account", token->account, "Account (default: the logged-in one)");
  token_cmd->add_option("-e,--expires-in", token->expires_in, "Lifetime: seconds or a duration (24h); 0 = never")
      ->capture_default_str();
  token_cmd->add_option("--id", token->id, "Token ID (default: generated), to revoke it later");
  token_cmd->callback([flags, token, &exit_code] {
    run_client_command(exit_code, "account " + (token->account.empty() ? std::string("(current)") : token->account),
                       [&] { return generate_token(*flags, *token); });
  });

  auto password = std::make_shared<PasswordArgs>();
  auto* password_cmd = cmd->add_subcommand("update-password", "Change an account's password");
  password_cmd->add_option("--account", password->account, "Account (default: the logged-in one)");
  password_cmd->add_option("--current-password", password->current_password, "Current password (else stdin/prompt)");
  password_cmd->add_option("--new-password", password->new_password, "New password (else stdin/prompt)");
  password_cmd->callback([flags, password, &exit_code] {
    run_client_command(exit_code, "account password", [&] { return update_password(*flags, *password); });
  });
}

}  // namespace gitmoor::cli
