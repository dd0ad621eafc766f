// See auth_http.hpp.
#include "auth_http.hpp"

#include <boost/beast/http/field.hpp>

#include "responses.hpp"

namespace gitmoor::web {

core::Json json_body(const Request& request, const std::string& subject) {
  auto body = core::Json::parse(request.body(), nullptr, false);
  if (!body.is_object()) throw AuthError(http::status::bad_request, subject + ": the body must be a JSON object");
  return body;
}

std::string string_field(const core::Json& body, const std::string& field, const std::string& subject) {
  const auto found = body.find(field);
  if (found == body.end() || found->is_null()) return {};
  if (!found->is_string()) throw AuthError(http::status::bad_request, subject + ": " + field + " must be a string");
  return found->get<std::string>();
}

std::string session_cookie(const std::string& token, std::chrono::seconds max_age, bool tls) {
  std::string cookie = std::string(kSessionCookie) + "=" + token + "; Path=/; Max-Age=" +
                       std::to_string(token.empty() ? 0 : max_age.count()) + "; HttpOnly; SameSite=Strict";
  if (tls) cookie += "; Secure";
  return cookie;
}

Response auth_error_response(const Request& request, const AuthError& error) {
  auto response = error_response(request, error.status(), error.what());
  if (error.retry_after()) response.set(http::field::retry_after, std::to_string(error.retry_after()->count()));
  if (error.status() == http::status::unauthorized) response.set(http::field::www_authenticate, "Bearer realm=\"gitmoor\"");
  return response;
}

Response auth_disabled(const Request& request) {
  return error_response(request, http::status::not_implemented,
                        "authentication is disabled on this server (gitmoor serve --auth=none)");
}

}  // namespace gitmoor::web
