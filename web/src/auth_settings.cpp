// See auth_settings.hpp.
#include "auth_settings.hpp"

#include "auth_crypto.hpp"
#include "gitmoor/core/object.hpp"

namespace gitmoor::web::auth {

namespace {

std::string trim(const std::string& text) {
  const auto begin = text.find_first_not_of(" \t\n");
  if (begin == std::string::npos) return {};
  return text.substr(begin, text.find_last_not_of(" \t\n") - begin + 1);
}

constexpr std::string_view kAccountsPrefix = "accounts.";

}  // namespace

std::vector<std::string> Account::capabilities() const {
  std::vector<std::string> result;
  if (api_key) result.emplace_back("apiKey");
  if (login) result.emplace_back("login");
  return result;
}

const Account* AuthSettings::account(const std::string& name) const {
  const auto found = accounts.find(name);
  return found == accounts.end() ? nullptr : &found->second;
}

std::string password_key(const std::string& account) {
  return account == kAdmin ? "admin.password" : "accounts." + account + ".password";
}

std::string password_mtime_key(const std::string& account) {
  return account == kAdmin ? "admin.passwordMtime" : "accounts." + account + ".passwordMtime";
}

std::string tokens_key(const std::string& account) { return "accounts." + account + ".tokens"; }

std::string format_api_keys(const std::vector<ApiKeyInfo>& tokens) {
  core::Json list = core::Json::array();
  for (const auto& token : tokens) list.push_back({{"id", token.id}, {"iat", token.issued_at}, {"exp", token.expires_at}});
  return list.dump();
}

AuthSettings parse_auth_settings(const std::map<std::string, std::string>& config_map,
                                 const std::map<std::string, std::string>& secret, std::vector<std::string>* problems) {
  const auto problem = [problems](std::string text) {
    if (problems) problems->push_back(std::move(text));
  };
  AuthSettings settings;
  Account admin;
  admin.name = kAdmin;
  admin.login = true;
  admin.role = Role::Admin;
  settings.accounts[kAdmin] = admin;

  // Accounts first (a key "accounts.<name>" whose name has no dot), then their properties.
  for (const auto& [key, value] : config_map) {
    if (key.rfind(kAccountsPrefix, 0) != 0) continue;
    const auto name = key.substr(kAccountsPrefix.size());
    if (name.empty() || name.find('.') != std::string::npos) continue;
    auto& account = settings.accounts[name];
    account.name = name;
    std::string capability;
    for (std::size_t start = 0; start <= value.size();) {
      auto comma = value.find(',', start);
      if (comma == std::string::npos) comma = value.size();
      capability = trim(value.substr(start, comma - start));
      if (capability == "apiKey") {
        account.api_key = true;
      } else if (capability == "login") {
        account.login = true;
      } else if (!capability.empty()) {
        problem(std::string(kAuthConfigMap) + " " + key + ": unknown capability \"" + capability +
                "\" (apiKey or login)");
      }
      start = comma + 1;
    }
  }
  for (auto& [name, account] : settings.accounts) {
    const std::string prefix = name == kAdmin ? "admin" : "accounts." + name;
    if (const auto enabled = config_map.find(prefix + ".enabled"); enabled != config_map.end()) {
      account.enabled = trim(enabled->second) != "false";
    }
    if (name != kAdmin) {
      if (const auto role = config_map.find(prefix + ".role"); role != config_map.end()) {
        const auto text = trim(role->second);
        if (text == "admin") {
          account.role = Role::Admin;
        } else if (text != "readonly") {
          problem(std::string(kAuthConfigMap) + " " + prefix + ".role: \"" + text +
                  "\" is not admin or readonly (readonly used)");
        }
      }
    }
    if (const auto hash = secret.find(password_key(name)); hash != secret.end()) account.password_hash = hash->second;
    if (const auto mtime = secret.find(password_mtime_key(name)); mtime != secret.end()) {
      if (const auto time = parse_rfc3339(trim(mtime->second))) {
        account.password_mtime_ms = epoch_millis(*time);
      } else {
        problem(std::string(kAuthSecret) + " " + password_mtime_key(name) + ": not an RFC 3339 time");
      }
    }
    if (const auto tokens = secret.find(tokens_key(name)); tokens != secret.end()) {
      const auto list = core::Json::parse(tokens->second, nullptr, false);
      if (!list.is_array()) {
        problem(std::string(kAuthSecret) + " " + tokens_key(name) + ": not a JSON list");
        continue;
      }
      for (const auto& item : list) {
        if (!item.is_object() || !item.contains("id") || !item["id"].is_string()) continue;
        ApiKeyInfo info;
        info.id = item["id"].get<std::string>();
        info.issued_at = item.value("iat", std::int64_t{0});
        info.expires_at = item.value("exp", std::int64_t{0});
        account.tokens.push_back(std::move(info));
      }
    }
  }
  if (const auto anonymous = config_map.find("users.anonymous.enabled"); anonymous != config_map.end()) {
    settings.anonymous_enabled = trim(anonymous->second) == "true";
  }
  if (const auto key = secret.find("server.secretkey"); key != secret.end()) settings.server_key = key->second;
  return settings;
}

}  // namespace gitmoor::web::auth
