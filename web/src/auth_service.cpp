// See auth_service.hpp.
#include "auth_service.hpp"

#include <algorithm>

#include <boost/beast/http/field.hpp>

#include "auth_crypto.hpp"
#include "auth_password.hpp"
#include "responses.hpp"
#include "gitmoor/core/error.hpp"
#include "gitmoor/core/logging.hpp"

namespace gitmoor::web {

namespace http = boost::beast::http;
using namespace auth;

namespace {

constexpr const char* kAdminPasswordKey = "admin.password";
constexpr const char* kServerKey = "server.secretkey";
constexpr std::size_t kMaxPasswordLength = 1024;
constexpr int kUpdateAttempts = 8;

std::int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(Clock::now().time_since_epoch()).count();
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

bool safe_method(http::verb method) {
  return method == http::verb::get || method == http::verb::head || method == http::verb::options;
}

// Token ids appear in Secret data and URLs: a conservative alphabet.
bool valid_token_id(const std::string& id) {
  return !id.empty() && id.size() <= 128 && std::all_of(id.begin(), id.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '_' || c == '.';
  });
}

std::vector<ApiKeyInfo> parse_api_keys(const std::map<std::string, std::string>& data, const std::string& account) {
  std::vector<std::string> ignored;
  std::map<std::string, std::string> config{{"accounts." + account, "apiKey"}};
  std::map<std::string, std::string> secret;
  if (const auto found = data.find(tokens_key(account)); found != data.end()) secret[found->first] = found->second;
  const auto settings = parse_auth_settings(config, secret, &ignored);
  return settings.account(account)->tokens;
}

}  // namespace

AuthService::AuthService(std::unique_ptr<AuthObjects> objects, AuthOptions options)
    : objects_(std::move(objects)),
      options_(std::move(options)),
      dummy_hash_(hash_password(random_token(16), options_.password_hash)),
      throttle_(options_.throttle) {}

AuthService::~AuthService() { stop(); }

void AuthService::start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] {
    for (;;) {
      refresh();
      std::unique_lock lock(stop_mutex_);
      if (stop_cv_.wait_for(lock, options_.refresh_interval, [this] { return stopping_; })) return;
    }
  });
}

void AuthService::stop() {
  {
    std::lock_guard lock(stop_mutex_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool AuthService::refresh() {
  try {
    std::lock_guard refreshing(refresh_mutex_);
    // Two GETs a round; the bootstrap (more reads, maybe writes) only when something is missing.
    reload();
    bool complete = false;
    {
      std::lock_guard lock(mutex_);
      complete = !settings_->server_key.empty() && !settings_->account(kAdmin)->password_hash.empty();
    }
    if (!complete) {
      bootstrap();
      reload();
    }
    return true;
  } catch (const std::exception& e) {
    std::string message = std::string("authentication settings: ") + e.what();
    std::lock_guard lock(mutex_);
    // Logged once per distinct error: the poll runs every second.
    if (message != last_error_) core::logger("auth")->warn("{}", message);
    last_error_ = std::move(message);
    return false;
  }
}

std::string AuthService::initial_admin_password() {
  if (!options_.admin_password_secret.empty()) {
    // The operator's own Secret: only read (its value is never logged); missing, it is an error until it appears.
    const std::string where = "Secret " + options_.apps_namespace + "/" + options_.admin_password_secret +
                              " (key password, --admin-password-secret)";
    const auto secret = objects_->get_secret(options_.admin_password_secret);
    if (!secret) throw core::EnvironmentError(where + " not found: the admin password cannot be set until it exists");
    const auto it = secret->data.find("password");
    if (it == secret->data.end() || it->second.empty()) throw core::EnvironmentError(where + " has no password");
    core::logger("auth")->info("the initial admin password is the one in {}", where);
    return it->second;
  }
  const std::string where = "Secret " + options_.apps_namespace + "/" + kInitialAdminSecret + " (key password)";
  const auto password = random_token(12);
  if (objects_->create_secret(kInitialAdminSecret, {{"password", password}})) {
    core::logger("auth")->info("generated the initial admin password: it is in {}", where);
    return password;
  }
  // Another replica (or an earlier start) created it: its password is the one to hash.
  const auto existing = objects_->get_secret(kInitialAdminSecret);
  if (!existing || existing->data.count("password") == 0 || existing->data.at("password").empty()) {
    throw core::EnvironmentError(where + " exists without a password: delete it to have a new one generated");
  }
  return existing->data.at("password");
}

void AuthService::bootstrap() {
  for (int attempt = 0; attempt < kUpdateAttempts; ++attempt) {
    auto secret = objects_->get_secret(kAuthSecret);
    const bool need_password = !secret || secret->data.count(kAdminPasswordKey) == 0;
    const bool need_key = !secret || secret->data.count(kServerKey) == 0 || secret->data.at(kServerKey).empty();
    if (!need_password && !need_key) return;
    std::map<std::string, std::string> additions;
    if (need_password) {
      additions[kAdminPasswordKey] = hash_password(initial_admin_password(), options_.password_hash);
      additions[password_mtime_key(kAdmin)] = format_rfc3339(Clock::now());
    }
    if (need_key) additions[kServerKey] = random_token(32);
    bool written = false;
    if (!secret) {
      written = objects_->create_secret(kAuthSecret, additions);
    } else {
      for (auto& [key, value] : additions) secret->data[key] = value;
      written = objects_->update_secret(kAuthSecret, *secret);
    }
    if (written) {
      core::logger("auth")->info("initialised {} in Secret {}/{}",
                                 need_password && need_key ? "the admin password hash and the signing key"
                                 : need_password           ? "the admin password hash"
                                                           : "the signing key",
                                 options_.apps_namespace, kAuthSecret);
      return;
    }
  }
  throw core::EnvironmentError("Secret " + options_.apps_namespace + "/" + kAuthSecret +
                               ": kept changing while it was initialised");
}

void AuthService::reload() {
  const auto config_map = objects_->get_config_map(kAuthConfigMap);
  const auto secret = objects_->get_secret(kAuthSecret);
  std::vector<std::string> problems;
  auto settings = std::make_shared<AuthSettings>(
      parse_auth_settings(config_map ? config_map->data : std::map<std::string, std::string>{},
                          secret ? secret->data : std::map<std::string, std::string>{}, &problems));
  std::lock_guard lock(mutex_);
  std::string message;
  for (const auto& problem : problems) message += (message.empty() ? "" : "; ") + problem;
  if (message != last_error_ && !message.empty()) core::logger("auth")->warn("{}", message);
  last_error_ = message;
  settings_ = std::move(settings);
}

bool AuthService::ready() const {
  std::lock_guard lock(mutex_);
  return settings_ && !settings_->server_key.empty() && !settings_->account(kAdmin)->password_hash.empty();
}

std::shared_ptr<const AuthSettings> AuthService::settings() const {
  std::lock_guard lock(mutex_);
  if (!settings_ || settings_->server_key.empty()) {
    throw AuthError(http::status::service_unavailable,
                    "authentication is starting: its settings are not loaded yet" +
                        (last_error_.empty() ? std::string() : " (" + last_error_ + ")"));
  }
  return settings_;
}

AuthService::Session AuthService::login(const std::string& username, const std::string& password,
                                        const std::string& client) {
  const auto attempt = throttle_.begin_attempt(username, client);
  if (attempt.retry_after) {
    const auto seconds = std::chrono::ceil<std::chrono::seconds>(*attempt.retry_after);
    throw AuthError(http::status::too_many_requests,
                    "too many failed logins: try again in " + std::to_string(seconds.count()) + " s", seconds);
  }
  // Only a password actually checked counts: settings not loaded yet (503) is no failed guess.
  std::shared_ptr<const auth::AuthSettings> current;
  try {
    current = settings();
  } catch (...) {
    throttle_.forgive(username, client, attempt.at);
    throw;
  }
  const auto* account = current->account(username);
  const bool can_log_in = account != nullptr && account->enabled && account->login && !account->password_hash.empty();
  // The same work and the same answer whether the user exists or not.
  const bool ok = password.size() <= kMaxPasswordLength &&
                  verify_password(password, can_log_in ? account->password_hash : dummy_hash_, options_.password_hash) &&
                  can_log_in;
  if (!ok) throw AuthError(http::status::unauthorized, kInvalidLogin);  // counted by begin_attempt
  throttle_.forgive(username, client, attempt.at);
  TokenClaims claims;
  claims.subject = username;
  claims.id = random_token(16);
  claims.issued_at_ms = epoch_millis(Clock::now());
  claims.expires_at = claims.issued_at_ms / 1000 + options_.session_ttl.count();
  return {sign_token(claims, current->server_key), auth::csrf_token(current->server_key, claims.id),
          options_.session_ttl};
}

AuthService::Caller AuthService::authenticate(const std::string& token) const {
  const auto current = settings();
  const auto claims = verify_token(token, current->server_key);
  if (!claims) throw AuthError(http::status::unauthorized, "invalid token: bad format or signature");
  if (claims->expires_at && *claims->expires_at <= now_seconds()) {
    throw AuthError(http::status::unauthorized, "token has expired");
  }
  Caller caller;
  caller.claims = *claims;
  static const std::string kApiKeySuffix = ":apiKey";
  const auto& subject = claims->subject;
  if (subject.size() > kApiKeySuffix.size() &&
      subject.compare(subject.size() - kApiKeySuffix.size(), kApiKeySuffix.size(), kApiKeySuffix) == 0) {
    const auto name = subject.substr(0, subject.size() - kApiKeySuffix.size());
    const auto* account = current->account(name);
    if (!account || !account->enabled || !account->api_key) {
      throw AuthError(http::status::unauthorized, "account " + name + " is disabled or has no apiKey capability");
    }
    const bool listed = std::any_of(account->tokens.begin(), account->tokens.end(),
                                    [&](const ApiKeyInfo& info) { return info.id == claims->id; });
    if (!listed) throw AuthError(http::status::unauthorized, "token " + claims->id + " of account " + name + " has been revoked");
    caller.principal = {name, account->role, "bearer"};
    caller.api_key = true;
    return caller;
  }
  const auto* account = current->account(subject);
  if (!account || !account->enabled || !account->login) {
    throw AuthError(http::status::unauthorized, "account " + subject + " is disabled or cannot log in");
  }
  if (!claims->expires_at) throw AuthError(http::status::unauthorized, "invalid token: a session without expiry");
  if (account->password_mtime_ms && claims->issued_at_ms < *account->password_mtime_ms) {
    throw AuthError(http::status::unauthorized,
                    "session is from before the password of " + subject + " changed: log in again");
  }
  {
    std::lock_guard lock(mutex_);
    if (revoked_.count(claims->id) != 0) throw AuthError(http::status::unauthorized, "session has been logged out");
  }
  caller.principal = {subject, account->role, "bearer"};
  return caller;
}

std::optional<std::string> AuthService::request_token(const Request& request, std::string* via) {
  const auto authorization = request.find(http::field::authorization);
  if (authorization != request.end()) {
    const std::string value(authorization->value());
    if (value.size() > 7 && lower(value.substr(0, 7)) == "bearer ") {
      if (via) *via = "bearer";
      return value.substr(7);
    }
    if (via) *via = "bearer";
    return std::string();  // present but not a bearer token: refused as invalid
  }
  for (auto it = request.find(http::field::cookie); it != request.end() && it->name() == http::field::cookie; ++it) {
    const std::string header(it->value());
    std::size_t start = 0;
    while (start < header.size()) {
      auto end = header.find(';', start);
      if (end == std::string::npos) end = header.size();
      auto pair = header.substr(start, end - start);
      pair.erase(0, pair.find_first_not_of(' '));
      const std::string prefix = std::string(kSessionCookie) + "=";
      if (pair.rfind(prefix, 0) == 0) {
        if (via) *via = "cookie";
        return pair.substr(prefix.size());
      }
      start = end + 1;
    }
  }
  return std::nullopt;
}

Guard::Decision AuthService::check(const Request& request, Access access) const {
  try {
    const auto current = settings();
    std::string via;
    const auto token = request_token(request, &via);
    if (!token) {
      if (!current->anonymous_enabled) {
        throw AuthError(http::status::unauthorized,
                        "no session: log in with POST /api/v1/session or send Authorization: Bearer <token>");
      }
      if (access == Access::Write) {
        throw AuthError(http::status::forbidden, "permission denied: anonymous access is read-only");
      }
      return {Principal{"anonymous", Role::ReadOnly, "anonymous"}, std::nullopt};
    }
    auto caller = authenticate(*token);
    caller.principal.via = via;
    if (via == "cookie" && !safe_method(request.method())) {
      const auto header = request.find("X-CSRF-Token");
      const std::string sent = header == request.end() ? std::string() : std::string(header->value());
      if (!equal_constant_time(sent, auth::csrf_token(current->server_key, caller.claims.id))) {
        throw AuthError(http::status::forbidden,
                        "missing or wrong X-CSRF-Token header: a write with the session cookie needs the csrfToken "
                        "of POST /api/v1/session or GET /api/v1/session/userinfo");
      }
    }
    if (access == Access::Write && caller.principal.role != Role::Admin) {
      throw AuthError(http::status::forbidden,
                      "permission denied: account " + caller.principal.name + " is readonly");
    }
    return {std::move(caller.principal), std::nullopt};
  } catch (const AuthError& e) {
    auto response = error_response(request, e.status(), e.what());
    if (e.status() == http::status::unauthorized) response.set(http::field::www_authenticate, "Bearer realm=\"gitmoor\"");
    return {std::nullopt, std::move(response)};
  }
}

void AuthService::logout(const TokenClaims& claims) {
  std::lock_guard lock(mutex_);
  const auto now = now_seconds();
  for (auto it = revoked_.begin(); it != revoked_.end();) it = it->second <= now ? revoked_.erase(it) : std::next(it);
  revoked_[claims.id] = claims.expires_at.value_or(now + options_.session_ttl.count());
}

std::string AuthService::csrf_token(const std::string& jti) const {
  return auth::csrf_token(settings()->server_key, jti);
}

void AuthService::require_identified(const Principal& principal) const {
  if (principal.via == "anonymous") {
    throw AuthError(http::status::unauthorized,
                    "no session: log in with POST /api/v1/session or send Authorization: Bearer <token>");
  }
}

void AuthService::require_self_or_admin(const Principal& principal, const std::string& name,
                                        const std::string& what) const {
  require_identified(principal);
  if (principal.name != name && principal.role != Role::Admin) {
    throw AuthError(http::status::forbidden,
                    "permission denied: only an admin may " + what + " of account " + name);
  }
}

void AuthService::update_secret(const std::function<void(std::map<std::string, std::string>&)>& change) {
  std::lock_guard refreshing(refresh_mutex_);
  for (int attempt = 0; attempt < kUpdateAttempts; ++attempt) {
    auto secret = objects_->get_secret(kAuthSecret);
    if (!secret) {
      throw AuthError(http::status::service_unavailable,
                      "Secret " + options_.apps_namespace + "/" + kAuthSecret + " is gone: it is recreated shortly");
    }
    change(secret->data);
    if (objects_->update_secret(kAuthSecret, *secret)) {
      reload();
      return;
    }
  }
  throw AuthError(http::status::conflict,
                  "Secret " + options_.apps_namespace + "/" + kAuthSecret + " kept changing: try again");
}

void AuthService::change_password(const Principal& principal, std::string name, const std::string& current_password,
                                  const std::string& new_password, const std::string& client) {
  if (name.empty()) name = principal.name;
  require_self_or_admin(principal, name, "change the password");
  const auto attempt = throttle_.begin_attempt(principal.name, client);
  if (attempt.retry_after) {
    const auto seconds = std::chrono::ceil<std::chrono::seconds>(*attempt.retry_after);
    throw AuthError(http::status::too_many_requests,
                    "too many failed password checks: try again in " + std::to_string(seconds.count()) + " s", seconds);
  }
  // Only a password actually checked counts: settings not loaded yet (503) is no failed guess.
  std::shared_ptr<const auth::AuthSettings> current;
  try {
    current = settings();
  } catch (...) {
    throttle_.forgive(principal.name, client, attempt.at);
    throw;
  }
  // The caller proves who they are with their own password (an admin changing another account's: the admin's).
  const auto* self = current->account(principal.name);
  const bool ok = current_password.size() <= kMaxPasswordLength &&
                  verify_password(current_password,
                                  self && !self->password_hash.empty() ? self->password_hash : dummy_hash_,
                                  options_.password_hash) &&
                  self && !self->password_hash.empty();
  if (!ok) throw AuthError(http::status::bad_request, "current password does not match");  // counted by begin_attempt
  throttle_.forgive(principal.name, client, attempt.at);
  const auto* target = current->account(name);
  if (!target) throw AuthError(http::status::not_found, "account " + name + " not found");
  if (!target->login) {
    throw AuthError(http::status::bad_request, "account " + name + " does not have the login capability");
  }
  if (new_password.size() < options_.min_password_length || new_password.size() > kMaxPasswordLength) {
    throw AuthError(http::status::bad_request, "new password of account " + name + " must have " +
                                                   std::to_string(options_.min_password_length) + " to " +
                                                   std::to_string(kMaxPasswordLength) + " characters");
  }
  const auto hash = hash_password(new_password, options_.password_hash);
  const auto mtime = format_rfc3339(Clock::now());
  update_secret([&](std::map<std::string, std::string>& data) {
    data[password_key(name)] = hash;
    data[password_mtime_key(name)] = mtime;
  });
  core::logger("auth")->info("password of account {} changed by {}: its sessions end", name, principal.name);
}

std::string AuthService::generate_api_key(const Principal& principal, const std::string& name,
                                          std::int64_t expires_in, std::string id) {
  require_self_or_admin(principal, name, "generate tokens");
  const auto current = settings();
  const auto* account = current->account(name);
  if (!account) throw AuthError(http::status::not_found, "account " + name + " not found");
  if (!account->api_key) {
    throw AuthError(http::status::bad_request, "account " + name + " does not have the apiKey capability (set accounts." +
                                                   name + ": apiKey in ConfigMap " + kAuthConfigMap + ")");
  }
  if (!account->enabled) throw AuthError(http::status::bad_request, "account " + name + " is disabled");
  if (expires_in < 0) throw AuthError(http::status::bad_request, "expiresIn must be 0 (never) or a number of seconds");
  if (id.empty()) id = random_token(16);
  if (!valid_token_id(id)) {
    throw AuthError(http::status::bad_request, "token id \"" + id + "\" must be 1 to 128 letters, digits, '-', '_' or '.'");
  }
  ApiKeyInfo info{id, now_seconds(), expires_in > 0 ? now_seconds() + expires_in : 0};
  update_secret([&](std::map<std::string, std::string>& data) {
    auto tokens = parse_api_keys(data, name);
    for (const auto& token : tokens) {
      if (token.id == id) throw AuthError(http::status::conflict, "account " + name + " already has a token with id " + id);
    }
    tokens.push_back(info);
    data[tokens_key(name)] = format_api_keys(tokens);
  });
  TokenClaims claims;
  claims.subject = name + ":apiKey";
  claims.id = id;
  claims.issued_at_ms = info.issued_at * 1000;
  if (info.expires_at != 0) claims.expires_at = info.expires_at;
  core::logger("auth")->info("token {} of account {} generated by {}", id, name, principal.name);
  return sign_token(claims, settings()->server_key);
}

void AuthService::revoke_api_key(const Principal& principal, const std::string& name, const std::string& id) {
  require_self_or_admin(principal, name, "revoke tokens");
  if (!settings()->account(name)) throw AuthError(http::status::not_found, "account " + name + " not found");
  update_secret([&](std::map<std::string, std::string>& data) {
    auto tokens = parse_api_keys(data, name);
    const auto found = std::find_if(tokens.begin(), tokens.end(), [&](const ApiKeyInfo& t) { return t.id == id; });
    if (found == tokens.end()) throw AuthError(http::status::not_found, "account " + name + " has no token with id " + id);
    tokens.erase(found);
    data[tokens_key(name)] = format_api_keys(tokens);
  });
  core::logger("auth")->info("token {} of account {} revoked by {}", id, name, principal.name);
}

namespace {

core::Json to_json(const Account& account) {
  core::Json tokens = core::Json::array();
  for (const auto& token : account.tokens) {
    core::Json item{{"id", token.id}, {"issuedAt", token.issued_at}};
    if (token.expires_at != 0) item["expiresAt"] = token.expires_at;
    tokens.push_back(std::move(item));
  }
  return {{"name", account.name},
          {"enabled", account.enabled},
          {"capabilities", account.capabilities()},
          {"tokens", std::move(tokens)}};
}

}  // namespace

core::Json AuthService::account_json(const Principal& principal, const std::string& name) const {
  require_self_or_admin(principal, name, "read the tokens");
  const auto current = settings();
  const auto* account = current->account(name);
  if (!account) throw AuthError(http::status::not_found, "account " + name + " not found");
  return to_json(*account);
}

core::Json AuthService::accounts_json(const Principal& principal) const {
  require_identified(principal);
  const auto current = settings();
  core::Json items = core::Json::array();
  for (const auto& [name, account] : current->accounts) {
    if (principal.role == Role::Admin || principal.name == name) items.push_back(to_json(account));
  }
  return {{"items", std::move(items)}};
}

}  // namespace gitmoor::web
