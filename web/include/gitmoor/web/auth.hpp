#pragma once
// Built-in authentication for the HTTP API (`gitmoor serve --auth=builtin`), in Argo CD's shape: an `admin` account
// whose first password is generated into Secret gitmoor-initial-admin-secret, sessions as HMAC-SHA256 JWTs
// (POST /api/v1/session), API keys for CI accounts configured in ConfigMap gitmoor-cm, and everything secret
// (password hashes, the signing key, API key ids) in Secret gitmoor-secret. See web/src/auth_service.hpp.
#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "gitmoor/applier/client.hpp"
#include "gitmoor/core/object.hpp"

namespace gitmoor::web {

class Guard;        // web/src/router.hpp
class AuthService;  // web/src/auth_service.hpp

// Failed logins allowed in a sliding window before further attempts get 429 (even with the right password).
struct LoginThrottleOptions {
  int failures_per_user = 5;
  int failures_per_client = 20;
  std::chrono::milliseconds window{std::chrono::minutes(5)};
};

// scrypt's cost (EVP_PBE_scrypt): N = 2^log2_n, r, p. 2^15 * 8 * 128 bytes = 32 MiB per hash.
struct PasswordHashOptions {
  int log2_n = 15;
  int r = 8;
  int p = 1;
};

struct AuthOptions {
  std::string apps_namespace = "gitmoor";  // where gitmoor-cm, gitmoor-secret and the initial admin Secret live
  // A Secret in apps_namespace whose key `password` is the initial admin password (the chart's admin.existingSecret,
  // Argo CD-like): read, never created or logged, when the admin has no password hash yet. Empty: a password is
  // generated into gitmoor-initial-admin-secret (or the one already there is used).
  std::string admin_password_secret;
  std::chrono::seconds session_ttl{std::chrono::hours(24)};
  // How often gitmoor-cm and gitmoor-secret are re-read (a poll: two GETs per interval), so an account enabled,
  // disabled or revoked on another replica or by kubectl takes effect within about this long.
  std::chrono::milliseconds refresh_interval{std::chrono::seconds(1)};
  LoginThrottleOptions throttle;
  PasswordHashOptions password_hash;
  std::size_t min_password_length = 8;
};

// A Secret's or ConfigMap's data (decoded) and its resourceVersion, for optimistic updates.
struct StoredData {
  std::map<std::string, std::string> data;
  std::string resource_version;
  core::Json object;  // the object as read (kept so an update preserves its other fields)
};

// Where the auth state is kept: the apps namespace's Secrets and ConfigMap. The Kubernetes implementation is
// kubernetes_auth_objects(); the web tests use an in-memory one.
class AuthObjects {
 public:
  virtual ~AuthObjects() = default;
  virtual std::optional<StoredData> get_secret(const std::string& name) = 0;
  virtual std::optional<StoredData> get_config_map(const std::string& name) = 0;
  // Creates a Secret; false when it already exists (409 AlreadyExists), so two replicas never overwrite each other.
  virtual bool create_secret(const std::string& name, const std::map<std::string, std::string>& data) = 0;
  // Replaces a Secret's data if its resourceVersion is still `stored.resource_version`; false on a conflict.
  virtual bool update_secret(const std::string& name, const StoredData& stored) = 0;
};

// Secrets and ConfigMaps of `apps_namespace` through the cluster's API. `client` must outlive the result.
std::unique_ptr<AuthObjects> kubernetes_auth_objects(applier::Client& client, std::string apps_namespace);

// Starts built-in authentication: a background thread creates the admin password and signing key on first start
// (never overwriting) and re-reads the settings every refresh_interval. Until the first read succeeds, protected
// routes answer 503. Stopped (thread joined) when the last reference goes.
std::shared_ptr<AuthService> start_builtin_auth(std::unique_ptr<AuthObjects> objects, AuthOptions options);

// Whether the first read of the settings (admin password hash and signing key included) is done: before, protected
// routes and logins answer 503.
bool auth_ready(const AuthService& auth);

// The Guard (ApiServices::guard) that authenticates requests against `auth`.
std::shared_ptr<Guard> make_auth_guard(std::shared_ptr<AuthService> auth);

// Names used in the cluster (the README documents them).
inline constexpr const char* kAuthConfigMap = "gitmoor-cm";
inline constexpr const char* kAuthSecret = "gitmoor-secret";
inline constexpr const char* kInitialAdminSecret = "gitmoor-initial-admin-secret";
inline constexpr const char* kSessionCookie = "gitmoor.token";

}  // namespace gitmoor::web
