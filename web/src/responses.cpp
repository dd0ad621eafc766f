#include "responses.hpp"

#include <boost/beast/http/field.hpp>

namespace gitmoor::web {

Response make_response(const Request& request, http::status status, std::string body, std::string_view content_type) {
  Response response{status, request.version()};
  response.set(http::field::server, "gitmoor");
  response.set(http::field::content_type, beast_view(content_type));
  response.set(http::field::cache_control, "no-store");
  response.keep_alive(request.keep_alive());
  response.body() = std::move(body);
  response.prepare_payload();
  return response;
}

Response json_response(const Request& request, http::status status, const core::Json& body) {
  // Replace, not throw, on invalid UTF-8 (a name from the URL may hold any bytes).
  return make_response(request, status, body.dump(-1, ' ', false, core::Json::error_handler_t::replace),
                       "application/json");
}

int grpc_code(http::status status) {
  switch (status) {
    case http::status::bad_request: return 3;              // InvalidArgument
    case http::status::unauthorized: return 16;            // Unauthenticated
    case http::status::forbidden: return 7;                // PermissionDenied
    case http::status::not_found: return 5;                // NotFound
    case http::status::conflict: return 9;                 // FailedPrecondition
    case http::status::payload_too_large: return 8;        // ResourceExhausted
    case http::status::too_many_requests: return 8;        // ResourceExhausted
    case http::status::method_not_allowed: return 12;      // Unimplemented
    case http::status::not_implemented: return 12;         // Unimplemented
    case http::status::service_unavailable: return 14;     // Unavailable
    case http::status::gateway_timeout: return 4;          // DeadlineExceeded
    default: return static_cast<int>(status) >= 500 ? 13 : 2;  // Internal, Unknown
  }
}

Response error_response(const Request& request, http::status status, const std::string& message) {
  return json_response(request, status, {{"error", message}, {"code", grpc_code(status)}, {"message", message}});
}

Response method_not_allowed(const Request& request, std::string_view allowed) {
  auto response = error_response(request, http::status::method_not_allowed,
                                 std::string(request.method_string()) + " " + std::string(request.target()) +
                                     ": method not allowed (use " + std::string(allowed) + ")");
  response.set(http::field::allow, beast_view(allowed));
  return response;
}

void set_security_headers(Response& response, bool tls) {
  response.set("Content-Security-Policy", kContentSecurityPolicy);  // no Beast field names for these three
  response.set("X-Content-Type-Options", "nosniff");
  response.set("Referrer-Policy", "same-origin");
  response.set(http::field::x_frame_options, "DENY");  // frame-ancestors for browsers without CSP level 2
  if (tls) response.set(http::field::strict_transport_security, "max-age=31536000");
}

}  // namespace gitmoor::web
