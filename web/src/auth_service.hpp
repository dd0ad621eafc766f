#pragma once
// Built-in authentication: the state (settings read from gitmoor-cm and gitmoor-secret, refreshed by a poll thread),
// the first-start bootstrap of the admin password and signing key, logins (throttled, constant time, one answer for
// an unknown user and a wrong password), sessions and API keys (auth_tokens.hpp), and the Guard's decision.
//
// Logged-out sessions are kept in an in-memory set of revoked jti until they expire: a logout reaches only the
// replica that served it (the cookie is cleared either way; a password change revokes everywhere).
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>

#include <boost/beast/http/status.hpp>

#include "auth_settings.hpp"
#include "auth_throttle.hpp"
#include "auth_tokens.hpp"
#include "gitmoor/web/auth.hpp"
#include "router.hpp"

namespace gitmoor::web {

// A refusal with its HTTP status (and, for 429, how long to wait). The message names the subject, never a secret.
class AuthError : public std::runtime_error {
 public:
  AuthError(boost::beast::http::status status, const std::string& message,
            std::optional<std::chrono::seconds> retry_after = std::nullopt)
      : std::runtime_error(message), status_(status), retry_after_(retry_after) {}
  [[nodiscard]] boost::beast::http::status status() const { return status_; }
  [[nodiscard]] std::optional<std::chrono::seconds> retry_after() const { return retry_after_; }

 private:
  boost::beast::http::status status_;
  std::optional<std::chrono::seconds> retry_after_;
};

// The one answer to every failed login (Argo CD's words).
inline constexpr const char* kInvalidLogin = "Invalid username or password";

class AuthService {
 public:
  AuthService(std::unique_ptr<AuthObjects> objects, AuthOptions options);
  ~AuthService();  // stop()
  AuthService(const AuthService&) = delete;
  AuthService& operator=(const AuthService&) = delete;

  void start();  // the refresh thread
  void stop();
  // One round: bootstrap what is missing, then re-read the settings. False (and logged) on an error.
  bool refresh();

  struct Session {
    std::string token;
    std::string csrf_token;
    std::chrono::seconds ttl{0};
  };
  // Throws AuthError: 429 while throttled, 401 kInvalidLogin, 503 before the settings are loaded.
  Session login(const std::string& username, const std::string& password, const std::string& client);

  // A verified token's caller.
  struct Caller {
    Principal principal;
    auth::TokenClaims claims;
    bool api_key = false;
  };
  // Throws AuthError(401) naming why the token is not accepted (expired, revoked, bad signature, password changed).
  Caller authenticate(const std::string& token) const;
  // The token of a request: Authorization: Bearer, else the gitmoor.token cookie. `via` is "bearer" or "cookie".
  static std::optional<std::string> request_token(const Request& request, std::string* via);
  // The Guard: 503 before the settings are loaded, 401, 403 (readonly on a write, a cookie write without its CSRF
  // token), or the principal.
  Guard::Decision check(const Request& request, Access access) const;

  void logout(const auth::TokenClaims& claims);
  [[nodiscard]] std::string csrf_token(const std::string& jti) const;

  // Account operations for `principal` (an admin for other accounts). Throw AuthError.
  void change_password(const Principal& principal, std::string name, const std::string& current_password,
                       const std::string& new_password, const std::string& client);
  std::string generate_api_key(const Principal& principal, const std::string& name, std::int64_t expires_in,
                               std::string id);
  void revoke_api_key(const Principal& principal, const std::string& name, const std::string& id);
  core::Json account_json(const Principal& principal, const std::string& name) const;
  core::Json accounts_json(const Principal& principal) const;

  [[nodiscard]] const AuthOptions& options() const { return options_; }
  [[nodiscard]] bool ready() const;  // see auth_ready()

 private:
  std::shared_ptr<const auth::AuthSettings> settings() const;  // throws AuthError(503) before the first load
  void bootstrap();
  std::string initial_admin_password();
  void reload();
  // Read-modify-write of gitmoor-secret with its resourceVersion, retried on a conflict; then reload().
  void update_secret(const std::function<void(std::map<std::string, std::string>&)>& change);
  void require_identified(const Principal& principal) const;
  void require_self_or_admin(const Principal& principal, const std::string& name, const std::string& what) const;

  std::unique_ptr<AuthObjects> objects_;
  AuthOptions options_;
  std::string dummy_hash_;  // verified against for unknown users, so they cost the same as a wrong password
  auth::LoginThrottle throttle_;

  mutable std::mutex mutex_;
  std::shared_ptr<const auth::AuthSettings> settings_;
  std::string last_error_;
  std::map<std::string, std::int64_t> revoked_;  // logged-out session jti → its exp

  std::mutex refresh_mutex_;  // one refresh or secret update at a time
  std::mutex stop_mutex_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace gitmoor::web
