#pragma once
// The accounts and switches of built-in authentication, read from ConfigMap gitmoor-cm (Argo CD's argocd-cm keys)
// and Secret gitmoor-secret (argocd-secret's):
//   gitmoor-cm      accounts.<name>: "apiKey, login"     the account and its capabilities
//                   accounts.<name>.enabled: "false"     disables it (admin too: admin.enabled: "false")
//                   accounts.<name>.role: admin|readonly (default readonly; the built-in admin is always admin)
//                   users.anonymous.enabled: "true"      read-only access without a token
//   gitmoor-secret  server.secretkey                     the token signing key
//                   admin.password, admin.passwordMtime  scrypt hash and RFC 3339 time of the last change
//                   accounts.<name>.password, accounts.<name>.passwordMtime
//                   accounts.<name>.tokens               API keys: JSON [{"id","iat","exp"}] (exp 0: never)
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "gitmoor/web/auth.hpp"
#include "router.hpp"

namespace gitmoor::web::auth {

inline constexpr const char* kAdmin = "admin";

struct ApiKeyInfo {
  std::string id;
  std::int64_t issued_at = 0;   // seconds since the epoch
  std::int64_t expires_at = 0;  // 0: never
};

struct Account {
  std::string name;
  bool enabled = true;
  bool login = false;    // may log in with a password
  bool api_key = false;  // may have API keys
  Role role = Role::ReadOnly;
  std::string password_hash;                 // empty: no password set
  std::optional<std::int64_t> password_mtime_ms;  // sessions issued before it are invalid
  std::vector<ApiKeyInfo> tokens;

  [[nodiscard]] std::vector<std::string> capabilities() const;
};

struct AuthSettings {
  std::map<std::string, Account> accounts;  // always holds "admin"
  bool anonymous_enabled = false;
  std::string server_key;

  [[nodiscard]] const Account* account(const std::string& name) const;
};

// Never throws: a malformed value is skipped, with a note in `problems` naming its key.
AuthSettings parse_auth_settings(const std::map<std::string, std::string>& config_map,
                                 const std::map<std::string, std::string>& secret, std::vector<std::string>* problems);

// The Secret keys of an account's password, its mtime and its API keys.
std::string password_key(const std::string& account);
std::string password_mtime_key(const std::string& account);
std::string tokens_key(const std::string& account);

std::string format_api_keys(const std::vector<ApiKeyInfo>& tokens);

}  // namespace gitmoor::web::auth
