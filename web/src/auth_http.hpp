#pragma once
// HTTP helpers of the session and account routes: the JSON body, the session cookie, AuthError as a response.
#include <optional>
#include <string>

#include "auth_service.hpp"
#include "http_types.hpp"
#include "router.hpp"

namespace gitmoor::web {

// The request body as a JSON object; throws AuthError(400) naming `subject` when it is not one.
core::Json json_body(const Request& request, const std::string& subject);
// A string field of `body` ("" when absent); throws AuthError(400) when present but not a string.
std::string string_field(const core::Json& body, const std::string& field, const std::string& subject);

// Set-Cookie for the session (HttpOnly, SameSite=Strict, Path=/, Secure under TLS); an empty token clears it.
std::string session_cookie(const std::string& token, std::chrono::seconds max_age, bool tls);

// The error response of an AuthError (with Retry-After for 429).
Response auth_error_response(const Request& request, const AuthError& error);

// Answer of the session and account routes when the server runs without authentication.
Response auth_disabled(const Request& request);

}  // namespace gitmoor::web
