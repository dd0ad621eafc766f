// See auth_tokens.hpp.
#include "auth_tokens.hpp"

#include "auth_crypto.hpp"

namespace gitmoor::web::auth {

namespace {

const std::string kHeader = R"({"alg":"HS256","typ":"JWT"})";

}  // namespace

std::string sign_token(const TokenClaims& claims, const std::string& key) {
  core::Json body{{"iss", kIssuer}, {"sub", claims.subject}, {"jti", claims.id}};
  if (claims.issued_at_ms % 1000 == 0) {
    body["iat"] = claims.issued_at_ms / 1000;
  } else {
    body["iat"] = static_cast<double>(claims.issued_at_ms) / 1000.0;
  }
  if (claims.expires_at) body["exp"] = *claims.expires_at;
  const std::string signing_input = base64url_encode(kHeader) + "." + base64url_encode(body.dump());
  return signing_input + "." + base64url_encode(hmac_sha256(key, signing_input));
}

std::optional<TokenClaims> verify_token(const std::string& token, const std::string& key) {
  if (key.empty()) return std::nullopt;
  const auto first = token.find('.');
  const auto second = first == std::string::npos ? std::string::npos : token.find('.', first + 1);
  if (second == std::string::npos || token.find('.', second + 1) != std::string::npos) return std::nullopt;
  const auto signing_input = token.substr(0, second);
  const auto signature = base64url_decode(std::string_view(token).substr(second + 1));
  if (!signature || !equal_constant_time(*signature, hmac_sha256(key, signing_input))) return std::nullopt;
  const auto header_text = base64url_decode(std::string_view(token).substr(0, first));
  const auto body_text = base64url_decode(std::string_view(token).substr(first + 1, second - first - 1));
  if (!header_text || !body_text) return std::nullopt;
  const auto header = core::Json::parse(*header_text, nullptr, false);
  const auto body = core::Json::parse(*body_text, nullptr, false);
  // Only HS256: a token claiming "none" or another algorithm is refused even with a matching MAC.
  if (!header.is_object() || header.value("alg", "") != "HS256" || !body.is_object()) return std::nullopt;
  if (body.value("iss", "") != kIssuer) return std::nullopt;
  const auto sub = body.find("sub");
  const auto jti = body.find("jti");
  const auto iat = body.find("iat");
  if (sub == body.end() || !sub->is_string() || jti == body.end() || !jti->is_string() || iat == body.end() ||
      !iat->is_number()) {
    return std::nullopt;
  }
  TokenClaims claims;
  claims.subject = sub->get<std::string>();
  claims.id = jti->get<std::string>();
  claims.issued_at_ms = static_cast<std::int64_t>(iat->get<double>() * 1000.0 + 0.5);
  if (iat->is_number_integer()) claims.issued_at_ms = iat->get<std::int64_t>() * 1000;
  if (const auto exp = body.find("exp"); exp != body.end()) {
    if (!exp->is_number()) return std::nullopt;
    claims.expires_at = static_cast<std::int64_t>(exp->get<double>());
  }
  return claims;
}

std::string csrf_token(const std::string& key, const std::string& jti) {
  return base64url_encode(hmac_sha256(key, "csrf:" + jti));
}

}  // namespace gitmoor::web::auth
