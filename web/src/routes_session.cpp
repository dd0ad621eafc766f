// /api/v1/session: log in (a JWT, also set as the gitmoor.token cookie), log out, and who am I — Argo CD's
// SessionService over HTTP.
#include <boost/beast/http/field.hpp>

#include "api_routes.hpp"
#include "auth_http.hpp"
#include "responses.hpp"

namespace gitmoor::web {

void add_session_routes(Router& router, ApiServices& services) {
  auto auth = services.auth;
  // Public: the login itself is throttled per user and per client.
  router.add(http::verb::post, "/api/v1/session", Access::Public, [auth](RequestContext& context) -> Reply {
    if (!auth) return auth_disabled(context.request);
    try {
      const auto body = json_body(context.request, "login");
      const auto username = string_field(body, "username", "login");
      const auto password = string_field(body, "password", "login");
      const auto session = auth->login(username, password, context.connection.peer_address);
      auto response = json_response(context.request, http::status::ok,
                                    {{"token", session.token}, {"csrfToken", session.csrf_token}});
      response.set(http::field::set_cookie, session_cookie(session.token, session.ttl, context.connection.tls));
      return response;
    } catch (const AuthError& e) {
      return auth_error_response(context.request, e);
    }
  });
  // Public: a stale or invalid token still gets its cookie cleared.
  router.add(http::verb::delete_, "/api/v1/session", Access::Public, [auth](RequestContext& context) -> Reply {
    if (!auth) return auth_disabled(context.request);
    if (const auto token = AuthService::request_token(context.request, nullptr); token && !token->empty()) {
      try {
        const auto caller = auth->authenticate(*token);
        if (!caller.api_key) auth->logout(caller.claims);
      } catch (const AuthError&) {
        // Nothing to revoke.
      }
    }
    auto response = json_response(context.request, http::status::ok, core::Json::object());
    response.set(http::field::set_cookie, session_cookie("", std::chrono::seconds(0), context.connection.tls));
    return response;
  });
  router.add(http::verb::get, "/api/v1/session/userinfo", Access::Public, [auth](RequestContext& context) -> Reply {
    // Without authentication every caller acts as admin: the UI may go on without a login page.
    if (!auth) {
      return json_response(context.request, http::status::ok,
                           {{"loggedIn", true}, {"username", "admin"}, {"authDisabled", true}});
    }
    const auto token = AuthService::request_token(context.request, nullptr);
    if (!token || token->empty()) return json_response(context.request, http::status::ok, {{"loggedIn", false}});
    try {
      const auto caller = auth->authenticate(*token);
      return json_response(context.request, http::status::ok,
                           {{"loggedIn", true},
                            {"username", caller.principal.name},
                            {"iss", auth::kIssuer},
                            {"csrfToken", auth->csrf_token(caller.claims.id)}});
    } catch (const AuthError& e) {
      if (e.status() != http::status::unauthorized) return auth_error_response(context.request, e);
      return json_response(context.request, http::status::ok, {{"loggedIn", false}});
    }
  });
}

}  // namespace gitmoor::web
