// The building blocks of built-in authentication: HS256 tokens, scrypt hashes, the login throttle, the settings
// read from gitmoor-cm and gitmoor-secret.
#include <catch2/catch.hpp>

#include "auth_crypto.hpp"
#include "auth_password.hpp"
#include "auth_settings.hpp"
#include "auth_throttle.hpp"
#include "auth_tokens.hpp"

using namespace gitmoor::web;
using namespace gitmoor::web::auth;

namespace {

PasswordHashOptions fast_hash() { return {.log2_n = 10, .r = 8, .p = 1}; }

}  // namespace

TEST_CASE("a signed token verifies with its key and only with it, and a forged or altered one does not", "[web][auth]") {
  TokenClaims claims{"ci:apiKey", "build-1", 1764648905123, 1764652505};
  const auto token = sign_token(claims, "key-1");
  const auto verified = verify_token(token, "key-1");
  REQUIRE(verified);
  CHECK(verified->subject == "ci:apiKey");
  CHECK(verified->id == "build-1");
  CHECK(verified->issued_at_ms == 1764648905123);
  CHECK(verified->expires_at == 1764652505);

  CHECK_FALSE(verify_token(token, "key-2"));
  CHECK_FALSE(verify_token(token, ""));
  CHECK_FALSE(verify_token(token + "x", "key-1"));
  CHECK_FALSE(verify_token("not-a-token", "key-1"));
  // Another subject with the old signature.
  const auto dot = token.find('.');
  const auto dot2 = token.find('.', dot + 1);
  const auto other = sign_token({"admin", "build-1", 1764648905123, 1764652505}, "key-1");
  const auto other_body = other.substr(other.find('.') + 1, other.rfind('.') - other.find('.') - 1);
  CHECK_FALSE(verify_token(token.substr(0, dot + 1) + other_body + token.substr(dot2), "key-1"));
  // alg "none" with a valid MAC over it is still refused: only HS256.
  const auto none_header = base64url_encode(R"({"alg":"none","typ":"JWT"})");
  const auto input = none_header + token.substr(dot, dot2 - dot);
  CHECK_FALSE(verify_token(input + "." + base64url_encode(hmac_sha256("key-1", input)), "key-1"));
}

TEST_CASE("a token's iat keeps milliseconds and a whole second stays an integer", "[web][auth]") {
  const auto whole = sign_token({"admin", "j", 1764648905000, std::nullopt}, "k");
  const auto payload = base64url_decode(whole.substr(whole.find('.') + 1, whole.rfind('.') - whole.find('.') - 1));
  REQUIRE(payload);
  CHECK(payload->find("\"iat\":1764648905,") != std::string::npos);
  CHECK(payload->find("exp") == std::string::npos);
  CHECK(verify_token(whole, "k")->issued_at_ms == 1764648905000);
  CHECK(verify_token(sign_token({"admin", "j", 1764648905001, 1}, "k"), "k")->issued_at_ms == 1764648905001);
}

TEST_CASE("a password hash is salted scrypt with its parameters, verified in constant time", "[web][auth]") {
  const auto hash = hash_password("correct horse", fast_hash());
  CHECK(hash.rfind("$scrypt$ln=10,r=8,p=1$", 0) == 0);
  CHECK(hash.find("correct horse") == std::string::npos);
  CHECK(hash != hash_password("correct horse", fast_hash()));  // salted
  CHECK(verify_password("correct horse", hash, fast_hash()));
  CHECK_FALSE(verify_password("correct horsE", hash, fast_hash()));
  CHECK_FALSE(verify_password("", hash, fast_hash()));
  CHECK_FALSE(verify_password("correct horse", "$scrypt$ln=10$broken", fast_hash()));
  CHECK_FALSE(verify_password("correct horse", "", fast_hash()));
  // Stored parameters win over the current options.
  CHECK(verify_password("correct horse", hash, PasswordHashOptions{}));
}

TEST_CASE("failed logins are throttled per user and per client in a sliding window", "[web][auth]") {
  LoginThrottle throttle({.failures_per_user = 3, .failures_per_client = 5, .window = std::chrono::seconds(10)});
  const auto t0 = LoginThrottle::Clock::time_point{} + std::chrono::hours(1);
  for (int i = 0; i < 3; ++i) {
    CHECK_FALSE(throttle.retry_after("admin", "10.0.0.1", t0));
    throttle.record_failure("admin", "10.0.0.1", t0 + std::chrono::seconds(i));
  }
  const auto wait = throttle.retry_after("admin", "10.0.0.9", t0 + std::chrono::seconds(3));
  REQUIRE(wait);
  CHECK(*wait == std::chrono::seconds(7));                    // the first failure leaves the window at t0+10s
  CHECK_FALSE(throttle.retry_after("alice", "10.0.0.9", t0));  // another user from another client
  CHECK_FALSE(throttle.retry_after("admin", "10.0.0.1", t0 + std::chrono::seconds(10)));

  // Per client: five failures from one address (t0+1, t0+2 and three more; t0 has left the window).
  for (int i = 0; i < 3; ++i) throttle.record_failure("user" + std::to_string(i), "10.0.0.1", t0 + std::chrono::seconds(4));
  CHECK(throttle.retry_after("someone-else", "10.0.0.1", t0 + std::chrono::seconds(5)));
  CHECK_FALSE(throttle.retry_after("someone-else", "10.0.0.2", t0 + std::chrono::seconds(5)));
}

TEST_CASE("an attempt counts before its password is checked, so parallel guesses cannot pass the limit", "[web][auth]") {
  LoginThrottle throttle({.failures_per_user = 3, .failures_per_client = 100, .window = std::chrono::seconds(10)});
  const auto t0 = LoginThrottle::Clock::time_point{} + std::chrono::hours(1);
  // Three attempts in flight at once (none has finished its scrypt): a fourth is refused already.
  std::vector<LoginThrottle::Attempt> in_flight;
  for (int i = 0; i < 3; ++i) {
    in_flight.push_back(throttle.begin_attempt("admin", "10.0.0." + std::to_string(i), t0 + std::chrono::milliseconds(i)));
    CHECK_FALSE(in_flight.back().retry_after);
  }
  CHECK(throttle.begin_attempt("admin", "10.0.0.9", t0 + std::chrono::milliseconds(5)).retry_after);
  // One of them had the right password: it is taken back, and one more attempt may start.
  throttle.forgive("admin", "10.0.0.1", in_flight[1].at);
  CHECK_FALSE(throttle.begin_attempt("admin", "10.0.0.9", t0 + std::chrono::milliseconds(6)).retry_after);
  CHECK(throttle.begin_attempt("admin", "10.0.0.9", t0 + std::chrono::milliseconds(7)).retry_after);
}

TEST_CASE("gitmoor-cm and gitmoor-secret become accounts, roles, API keys and the anonymous switch", "[web][auth]") {
  std::vector<std::string> problems;
  const auto settings = parse_auth_settings(
      {{"accounts.ci", "apiKey"},
       {"accounts.deployer", "apiKey, login"},
       {"accounts.deployer.role", "admin"},
       {"accounts.old", "apiKey"},
       {"accounts.old.enabled", "false"},
       {"accounts.odd", "apiKey, fly"},
       {"accounts.odd.role", "root"},
       {"users.anonymous.enabled", "true"}},
      {{"server.secretkey", "k"},
       {"admin.password", "$scrypt$x"},
       {"admin.passwordMtime", "2025-12-02T04:15:05.123Z"},
       {"accounts.ci.tokens", R"([{"id":"a","iat":1,"exp":0},{"id":"b","iat":2,"exp":3}])"},
       {"accounts.old.tokens", "{not json"}},
      &problems);
  REQUIRE(settings.account("admin"));
  CHECK(settings.account("admin")->role == Role::Admin);
  CHECK(settings.account("admin")->login);
  CHECK(settings.account("admin")->password_hash == "$scrypt$x");
  CHECK(settings.account("admin")->password_mtime_ms == 1764648905123);
  CHECK(settings.account("ci")->role == Role::ReadOnly);
  CHECK(settings.account("ci")->capabilities() == std::vector<std::string>{"apiKey"});
  REQUIRE(settings.account("ci")->tokens.size() == 2);
  CHECK(settings.account("ci")->tokens[1].expires_at == 3);
  CHECK(settings.account("deployer")->role == Role::Admin);
  CHECK(settings.account("deployer")->capabilities() == std::vector<std::string>{"apiKey", "login"});
  CHECK_FALSE(settings.account("old")->enabled);
  CHECK(settings.account("odd")->role == Role::ReadOnly);
  CHECK(settings.anonymous_enabled);
  CHECK(settings.server_key == "k");
  CHECK(problems.size() == 3);  // the unknown capability, the role, the broken token list
  for (const auto& problem : problems) CHECK(problem.find("$scrypt") == std::string::npos);
  CHECK_FALSE(parse_auth_settings({}, {}, nullptr).anonymous_enabled);
}

TEST_CASE("RFC 3339 times keep milliseconds and read offsets", "[web][auth]") {
  const auto time = parse_rfc3339("2026-12-02T04:15:05.123Z");
  REQUIRE(time);
  CHECK(format_rfc3339(*time) == "2026-12-02T04:15:05.123Z");
  CHECK(epoch_millis(*parse_rfc3339("2026-12-02T05:15:05+01:00")) == epoch_millis(*parse_rfc3339("2026-12-02T04:15:05Z")));
  CHECK_FALSE(parse_rfc3339("yesterday"));
  CHECK(base64_decode(base64_encode(std::string("a\0b", 3))) == std::string("a\0b", 3));
  CHECK(base64url_decode(base64url_encode("?\x3f>>")) == std::string("?\x3f>>"));
}
