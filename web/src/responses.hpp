#pragma once
// Building responses. Errors have Argo CD's shape, {"error": msg, "code": <gRPC code>, "message": msg}, so scripts
// written against argocd-server read them unchanged.
#include <string>
#include <string_view>

#include <boost/beast/http/status.hpp>

#include "gitmoor/core/object.hpp"
#include "http_types.hpp"

namespace gitmoor::web {

namespace http = boost::beast::http;

// Boost 1.74's Beast speaks boost::string_view.
inline boost::beast::string_view beast_view(std::string_view text) { return {text.data(), text.size()}; }

Response make_response(const Request& request, http::status status, std::string body, std::string_view content_type);
Response json_response(const Request& request, http::status status, const core::Json& body);
// The gRPC code Argo CD answers with for an HTTP status (404 → 5 NotFound, 403 → 7 PermissionDenied, ...).
int grpc_code(http::status status);
Response error_response(const Request& request, http::status status, const std::string& message);
Response method_not_allowed(const Request& request, std::string_view allowed);

// The security headers every response carries (the server adds them to each answer it writes: API, errors, the
// UI's files, stream heads). The CSP allows only the server's own scripts, styles and connections: no inline
// script, no framing, no plugins. Strict-Transport-Security only over TLS (a plain-HTTP answer cannot set it).
inline constexpr const char* kContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'";
void set_security_headers(Response& response, bool tls);

}  // namespace gitmoor::web
