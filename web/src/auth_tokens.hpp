#pragma once
// JSON Web Tokens signed with HMAC-SHA256 (HS256), Argo CD's token format: claims iss "gitmoor", sub ("admin" for a
// session, "ci:apiKey" for an API key), iat, exp (absent: never expires), jti. iat is a NumericDate with
// milliseconds, so a session started just after a password change (in the same second) is told from one before.
#include <cstdint>
#include <optional>
#include <string>

#include "gitmoor/core/object.hpp"

namespace gitmoor::web::auth {

inline constexpr const char* kIssuer = "gitmoor";

struct TokenClaims {
  std::string subject;
  std::string id;                         // jti
  std::int64_t issued_at_ms = 0;          // iat
  std::optional<std::int64_t> expires_at;  // exp, seconds since the epoch
};

std::string sign_token(const TokenClaims& claims, const std::string& key);
// The claims of a well-formed HS256 token with a valid signature and issuer "gitmoor"; nullopt otherwise. Expiry is
// the caller's check (it knows the clock).
std::optional<TokenClaims> verify_token(const std::string& token, const std::string& key);

// The CSRF token of a session: derived from its jti with the server key, so it needs no storage and a page of
// another site, which cannot read the session cookie, cannot compute it.
std::string csrf_token(const std::string& key, const std::string& jti);

}  // namespace gitmoor::web::auth
