// /api/v1/account: Argo CD's AccountService — list accounts and their API key ids, generate and revoke API keys,
// change a password. The Guard lets any authenticated caller in (Access::Read); the service then allows an account
// its own keys and password, and an admin everyone's.
#include "api_routes.hpp"
#include "auth_http.hpp"
#include "responses.hpp"

namespace gitmoor::web {

namespace {

// Runs `body` and turns an AuthError into its response; no auth configured answers 501.
template <typename Body>
Handler with_auth(std::shared_ptr<AuthService> auth, Body body) {
  return [auth = std::move(auth), body = std::move(body)](RequestContext& context) -> Reply {
    if (!auth) return auth_disabled(context.request);
    try {
      return body(*auth, context);
    } catch (const AuthError& e) {
      return auth_error_response(context.request, e);
    }
  };
}

}  // namespace

void add_account_routes(Router& router, ApiServices& services) {
  auto auth = services.auth;
  router.add(http::verb::get, "/api/v1/account", Access::Read,
             with_auth(auth, [](AuthService& service, RequestContext& context) -> Reply {
               return json_response(context.request, http::status::ok, service.accounts_json(context.principal));
             }));
  router.add(http::verb::get, "/api/v1/account/{name}", Access::Read,
             with_auth(auth, [](AuthService& service, RequestContext& context) -> Reply {
               return json_response(context.request, http::status::ok,
                                    service.account_json(context.principal, context.param("name")));
             }));
  router.add(http::verb::put, "/api/v1/account/password", Access::Read,
             with_auth(auth, [](AuthService& service, RequestContext& context) -> Reply {
               const auto body = json_body(context.request, "password change");
               service.change_password(context.principal, string_field(body, "name", "password change"),
                                       string_field(body, "currentPassword", "password change"),
                                       string_field(body, "newPassword", "password change"),
                                       context.connection.peer_address);
               return json_response(context.request, http::status::ok, core::Json::object());
             }));
  router.add(http::verb::post, "/api/v1/account/{name}/token", Access::Read,
             with_auth(auth, [](AuthService& service, RequestContext& context) -> Reply {
               const auto& name = context.param("name");
               const std::string subject = "token of account " + name;
               const auto body = context.request.body().empty() ? core::Json::object()
                                                                : json_body(context.request, subject);
               std::int64_t expires_in = 0;
               if (const auto found = body.find("expiresIn"); found != body.end() && !found->is_null()) {
                 // Argo CD's gRPC gateway sends int64 as a string; both are accepted.
                 if (found->is_number_integer()) {
                   expires_in = found->get<std::int64_t>();
                 } else if (found->is_string()) {
                   try {
                     expires_in = std::stoll(found->get<std::string>());
                   } catch (const std::exception&) {
                     throw AuthError(http::status::bad_request, subject + ": expiresIn must be a number of seconds");
                   }
                 } else {
                   throw AuthError(http::status::bad_request, subject + ": expiresIn must be a number of seconds");
                 }
               }
               const auto token = service.generate_api_key(context.principal, name, expires_in,
                                                           string_field(body, "id", subject));
               return json_response(context.request, http::status::ok, {{"token", token}});
             }));
  router.add(http::verb::delete_, "/api/v1/account/{name}/token/{id}", Access::Read,
             with_auth(auth, [](AuthService& service, RequestContext& context) -> Reply {
               service.revoke_api_key(context.principal, context.param("name"), context.param("id"));
               return json_response(context.request, http::status::ok, core::Json::object());
             }));
}

}  // namespace gitmoor::web
