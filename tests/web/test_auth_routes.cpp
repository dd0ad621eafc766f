// Built-in authentication through Api::handle (no sockets), on Secrets and a ConfigMap kept in memory: the admin
// bootstrap, sessions, CSRF, API keys, roles, anonymous access, brute force, and an auth matrix over every route.
#include <catch2/catch.hpp>

#include <algorithm>
#include <sstream>
#include <thread>

#include <boost/beast/http/write.hpp>

#include "api_routes.hpp"
#include "auth_service.hpp"
#include "eventually.hpp"
#include "fake_auth_objects.hpp"
#include "fake_operations.hpp"

using namespace gitmoor;
using namespace gitmoor::web;
using gitmoor::test::FakeAuthObjects;
using gitmoor::test::FakeCluster;
namespace http = boost::beast::http;

namespace {

AuthOptions test_options() {
  AuthOptions options;
  options.password_hash = {.log2_n = 10, .r = 8, .p = 1};
  options.throttle = {.failures_per_user = 3, .failures_per_client = 6, .window = std::chrono::milliseconds(400)};
  options.refresh_interval = std::chrono::hours(1);  // the tests call refresh() themselves
  return options;
}

struct Headers {
  std::vector<std::pair<std::string, std::string>> list;
};

struct AuthEnv {
  std::shared_ptr<FakeCluster> cluster = std::make_shared<FakeCluster>();
  test::FakeOperations operations;
  std::shared_ptr<AuthService> auth;
  std::unique_ptr<Api> api;
  ConnectionInfo connection{"10.1.2.3", false};

  explicit AuthEnv(AuthOptions options = test_options()) {
    operations.add("guestbook");
    auth = std::make_shared<AuthService>(std::make_unique<FakeAuthObjects>(cluster), options);
    REQUIRE(auth->refresh());
    ApiServices services{operations, make_auth_guard(auth)};
    services.auth = auth;
    api = std::make_unique<Api>(services);
  }

  Response call(http::verb method, const std::string& target, const std::string& body = {},
                const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    Request request{method, target, 11};
    for (const auto& [name, value] : headers) request.set(name, value);
    request.body() = body;
    request.prepare_payload();
    return api->handle(request, connection).response;
  }
  std::string admin_password() { return test::secret_value(*cluster, kInitialAdminSecret, "password"); }
  Response login(const std::string& user, const std::string& password) {
    return call(http::verb::post, "/api/v1/session", core::Json{{"username", user}, {"password", password}}.dump());
  }
  std::string admin_token() {
    auto response = login("admin", admin_password());
    REQUIRE(response.result() == http::status::ok);
    return core::Json::parse(response.body())["token"];
  }
  void configure(std::map<std::string, std::string> data) {
    test::set_config_map(*cluster, std::move(data));
    REQUIRE(auth->refresh());
  }
  std::string api_key(const std::string& bearer, const std::string& account, const std::string& body = "{}") {
    auto response = call(http::verb::post, "/api/v1/account/" + account + "/token", body, {{"Authorization", "Bearer " + bearer}});
    INFO(response.body());
    REQUIRE(response.result() == http::status::ok);
    return core::Json::parse(response.body())["token"];
  }
};

std::vector<std::pair<std::string, std::string>> bearer(const std::string& token) {
  return {{"Authorization", "Bearer " + token}};
}

core::Json json(const Response& response) { return core::Json::parse(response.body()); }

std::string serialized(const Response& response) {
  std::ostringstream out;
  out << response;
  return out.str();
}

}  // namespace

TEST_CASE("the first start generates the admin password and signing key, and a restart or a second replica keeps them",
          "[web][auth]") {
  AuthEnv env;
  const auto password = env.admin_password();
  CHECK(password.size() >= 16);
  const auto hash = test::secret_value(*env.cluster, kAuthSecret, "admin.password");
  CHECK(hash.rfind("$scrypt$", 0) == 0);
  CHECK(hash.find(password) == std::string::npos);
  CHECK_FALSE(test::secret_value(*env.cluster, kAuthSecret, "admin.passwordMtime").empty());
  const auto key = test::secret_value(*env.cluster, kAuthSecret, "server.secretkey");
  CHECK(key.size() >= 32);
  const auto token = env.admin_token();

  // A restart (a new service on the same cluster state) and a second replica change nothing.
  AuthService restarted(std::make_unique<FakeAuthObjects>(env.cluster), test_options());
  REQUIRE(restarted.refresh());
  CHECK(env.admin_password() == password);
  CHECK(test::secret_value(*env.cluster, kAuthSecret, "admin.password") == hash);
  CHECK(test::secret_value(*env.cluster, kAuthSecret, "server.secretkey") == key);
  CHECK(restarted.authenticate(token).principal.name == "admin");  // the same key: sessions survive
}

TEST_CASE("two replicas starting at once agree on one admin password", "[web][auth]") {
  auto cluster = std::make_shared<FakeCluster>();
  AuthService a(std::make_unique<FakeAuthObjects>(cluster), test_options());
  AuthService b(std::make_unique<FakeAuthObjects>(cluster), test_options());
  std::thread first([&] { a.refresh(); });
  std::thread second([&] { b.refresh(); });
  first.join();
  second.join();
  REQUIRE(a.refresh());
  REQUIRE(b.refresh());
  const auto password = test::secret_value(*cluster, kInitialAdminSecret, "password");
  const auto session = a.login("admin", password, "c");
  CHECK(b.authenticate(session.token).principal.name == "admin");
  CHECK_NOTHROW(b.login("admin", password, "c"));
}

TEST_CASE("login answers a token and a CSRF token and sets an HttpOnly SameSite=Strict cookie, Secure under TLS",
          "[web][auth]") {
  AuthEnv env;
  auto response = env.login("admin", env.admin_password());
  REQUIRE(response.result() == http::status::ok);
  const auto body = json(response);
  const std::string token = body["token"];
  const std::string csrf = body["csrfToken"];
  const std::string cookie(response[http::field::set_cookie]);
  CHECK(cookie.rfind("gitmoor.token=" + token + ";", 0) == 0);
  CHECK(cookie.find("HttpOnly") != std::string::npos);
  CHECK(cookie.find("SameSite=Strict") != std::string::npos);
  CHECK(cookie.find("Path=/") != std::string::npos);
  CHECK(cookie.find("Secure") == std::string::npos);
  CHECK(response.body().find(env.admin_password()) == std::string::npos);

  auto info = json(env.call(http::verb::get, "/api/v1/session/userinfo", {}, bearer(token)));
  CHECK(info == core::Json{{"loggedIn", true}, {"username", "admin"}, {"iss", "gitmoor"}, {"csrfToken", csrf}});
  CHECK(json(env.call(http::verb::get, "/api/v1/session/userinfo")) == core::Json{{"loggedIn", false}});

  env.connection.tls = true;
  auto secure = env.login("admin", env.admin_password());
  CHECK(std::string(secure[http::field::set_cookie]).find("; Secure") != std::string::npos);
}

TEST_CASE("a cookie-authenticated write needs the session's X-CSRF-Token, a bearer one does not", "[web][auth]") {
  AuthEnv env;
  const auto body = json(env.login("admin", env.admin_password()));
  const std::string cookie = "theme=dark; gitmoor.token=" + body["token"].get<std::string>();
  const std::string csrf = body["csrfToken"];

  CHECK(env.call(http::verb::get, "/api/v1/applications", {}, {{"Cookie", cookie}}).result() == http::status::ok);
  auto refused = env.call(http::verb::post, "/api/v1/applications/guestbook/refresh", {}, {{"Cookie", cookie}});
  CHECK(refused.result() == http::status::forbidden);
  CHECK(json(refused)["message"].get<std::string>().find("X-CSRF-Token") != std::string::npos);
  CHECK(env.call(http::verb::post, "/api/v1/applications/guestbook/refresh", {},
                 {{"Cookie", cookie}, {"X-CSRF-Token", "wrong"}})
            .result() == http::status::forbidden);
  // Another session's CSRF token does not fit this one.
  const std::string other_csrf = json(env.login("admin", env.admin_password()))["csrfToken"];
  CHECK(env.call(http::verb::post, "/api/v1/applications/guestbook/refresh", {},
                 {{"Cookie", cookie}, {"X-CSRF-Token", other_csrf}})
            .result() == http::status::forbidden);
  CHECK(env.operations.refreshes.empty());
  CHECK(env.call(http::verb::post, "/api/v1/applications/guestbook/refresh", {},
                 {{"Cookie", cookie}, {"X-CSRF-Token", csrf}})
            .result() == http::status::accepted);
  CHECK(env.call(http::verb::post, "/api/v1/applications/guestbook/refresh", {}, bearer(body["token"]))
            .result() == http::status::accepted);
  CHECK(env.operations.refreshes.size() == 2);
}

TEST_CASE("an unknown user and a wrong password get byte-identical answers", "[web][auth]") {
  AuthEnv env;
  const auto unknown = env.login("nobody", "secret-guess");
  const auto wrong = env.login("admin", "secret-guess");
  CHECK(unknown.result() == http::status::unauthorized);
  CHECK(serialized(unknown) == serialized(wrong));
  CHECK(json(wrong)["message"] == "Invalid username or password");
  // An account that exists but cannot log in (API keys only) answers the same too.
  env.configure({{"accounts.ci", "apiKey"}});
  CHECK(serialized(env.login("ci", "secret-guess")) == serialized(wrong));
}

TEST_CASE("after the failed-login limit even the right password gets 429, until the window passes", "[web][auth]") {
  AuthEnv env;
  const auto password = env.admin_password();
  for (int i = 0; i < 3; ++i) CHECK(env.login("admin", "wrong-" + std::to_string(i)).result() == http::status::unauthorized);
  const auto throttled = env.login("admin", password);
  CHECK(throttled.result() == http::status::too_many_requests);
  CHECK(std::stoi(std::string(throttled[http::field::retry_after])) >= 1);
  CHECK(json(throttled)["code"] == 8);
  // Another user from another client is not affected.
  env.connection.peer_address = "10.9.9.9";
  CHECK(env.login("nobody", "x").result() == http::status::unauthorized);
  env.connection.peer_address = "10.1.2.3";
  CHECK(gitmoor::test::eventually([&] { return env.login("admin", password).result() == http::status::ok; },
                                  std::chrono::seconds(10)));

  // Per client: six failures over several usernames from one address.
  for (int i = 0; i < 6; ++i) env.login("user" + std::to_string(i), "x");
  CHECK(env.login("admin", password).result() == http::status::too_many_requests);
}

TEST_CASE("a password change ends older sessions and needs the current password", "[web][auth]") {
  AuthEnv env;
  const auto old_password = env.admin_password();
  const auto old_session = env.admin_token();
  const auto change = [&](const std::string& token, const core::Json& body) {
    return env.call(http::verb::put, "/api/v1/account/password", body.dump(), bearer(token));
  };
  CHECK(change(old_session, {{"currentPassword", "nope"}, {"newPassword", "new-password-1"}}).result() ==
        http::status::bad_request);
  CHECK(change(old_session, {{"currentPassword", old_password}, {"newPassword", "short"}}).result() ==
        http::status::bad_request);
  CHECK(change(old_session, {{"currentPassword", old_password}, {"newPassword", "new-password-1"}}).result() ==
        http::status::ok);
  CHECK(test::secret_value(*env.cluster, kAuthSecret, "admin.password").find("new-password-1") == std::string::npos);

  const auto stale = env.call(http::verb::get, "/api/v1/applications", {}, bearer(old_session));
  CHECK(stale.result() == http::status::unauthorized);
  CHECK(json(stale)["message"].get<std::string>().find("password") != std::string::npos);
  CHECK(env.login("admin", old_password).result() == http::status::unauthorized);
  const auto fresh = env.login("admin", "new-password-1");
  REQUIRE(fresh.result() == http::status::ok);
  CHECK(env.call(http::verb::get, "/api/v1/applications", {}, bearer(json(fresh)["token"])).result() ==
        http::status::ok);
}

TEST_CASE("logout revokes the session and clears the cookie", "[web][auth]") {
  AuthEnv env;
  const auto token = env.admin_token();
  const auto out = env.call(http::verb::delete_, "/api/v1/session", {}, bearer(token));
  CHECK(out.result() == http::status::ok);
  CHECK(std::string(out[http::field::set_cookie]).find("gitmoor.token=; Path=/; Max-Age=0") == 0);
  CHECK(env.call(http::verb::get, "/api/v1/applications", {}, bearer(token)).result() == http::status::unauthorized);
  CHECK(json(env.call(http::verb::get, "/api/v1/session/userinfo", {}, bearer(token))) == core::Json{{"loggedIn", false}});
}

TEST_CASE("API keys: generated with an id and expiry, listed, revoked, and only an admin handles another account's",
          "[web][auth]") {
  AuthEnv env;
  env.configure({{"accounts.ci", "apiKey"}, {"accounts.deployer", "apiKey"}, {"accounts.deployer.role", "admin"}});
  const auto admin = env.admin_token();
  const auto ci = env.api_key(admin, "ci", R"({"id":"build-1","expiresIn":3600})");
  CHECK(env.call(http::verb::get, "/api/v1/applications", {}, bearer(ci)).result() == http::status::ok);

  const auto listed = json(env.call(http::verb::get, "/api/v1/account/ci", {}, bearer(admin)));
  CHECK(listed["name"] == "ci");
  CHECK(listed["enabled"] == true);
  CHECK(listed["capabilities"] == core::Json::array({"apiKey"}));
  REQUIRE(listed["tokens"].size() == 1);
  CHECK(listed["tokens"][0]["id"] == "build-1");
  CHECK(listed["tokens"][0]["expiresAt"].get<std::int64_t>() - listed["tokens"][0]["issuedAt"].get<std::int64_t>() == 3600);
  const auto stored = core::Json::parse(test::secret_value(*env.cluster, kAuthSecret, "accounts.ci.tokens"));
  CHECK(stored[0]["id"] == "build-1");
  CHECK(listed.dump().find(ci) == std::string::npos);  // the token itself is never stored or listed

  // All accounts for an admin, only itself for ci.
  CHECK(json(env.call(http::verb::get, "/api/v1/account", {}, bearer(admin)))["items"].size() == 3);
  CHECK(json(env.call(http::verb::get, "/api/v1/account", {}, bearer(ci)))["items"].size() == 1);

  // ci may make its own keys, not deployer's; a duplicate id is a conflict; admin has no apiKey capability.
  CHECK(env.call(http::verb::post, "/api/v1/account/ci/token", "{}", bearer(ci)).result() == http::status::ok);
  CHECK(env.call(http::verb::post, "/api/v1/account/deployer/token", "{}", bearer(ci)).result() == http::status::forbidden);
  CHECK(env.call(http::verb::post, "/api/v1/account/ci/token", R"({"id":"build-1"})", bearer(admin)).result() ==
        http::status::conflict);
  CHECK(env.call(http::verb::post, "/api/v1/account/admin/token", "{}", bearer(admin)).result() == http::status::bad_request);
  CHECK(env.call(http::verb::post, "/api/v1/account/ghost/token", "{}", bearer(admin)).result() == http::status::not_found);
  CHECK(env.call(http::verb::post, "/api/v1/account/ci/token", R"({"id":"a b"})", bearer(admin)).result() ==
        http::status::bad_request);

  CHECK(env.call(http::verb::delete_, "/api/v1/account/ci/token/build-1", {}, bearer(admin)).result() == http::status::ok);
  const auto revoked = env.call(http::verb::get, "/api/v1/applications", {}, bearer(ci));
  CHECK(revoked.result() == http::status::unauthorized);
  CHECK(json(revoked)["message"] == "token build-1 of account ci has been revoked");
  CHECK(env.call(http::verb::delete_, "/api/v1/account/ci/token/build-1", {}, bearer(admin)).result() ==
        http::status::not_found);

  // Disabling the account in gitmoor-cm disables its keys.
  const auto other = env.api_key(admin, "ci");
  env.configure({{"accounts.ci", "apiKey"}, {"accounts.ci.enabled", "false"}});
  CHECK(env.call(http::verb::get, "/api/v1/applications", {}, bearer(other)).result() == http::status::unauthorized);
}

TEST_CASE("anonymous access is off by default and, when turned on, read-only", "[web][auth]") {
  AuthEnv env;
  const auto none = env.call(http::verb::get, "/api/v1/applications");
  CHECK(none.result() == http::status::unauthorized);
  CHECK(json(none)["code"] == 16);
  env.configure({{"users.anonymous.enabled", "true"}});
  CHECK(env.call(http::verb::get, "/api/v1/applications").result() == http::status::ok);
  CHECK(env.call(http::verb::post, "/api/v1/applications/guestbook/sync", "{}").result() == http::status::forbidden);
  CHECK(env.call(http::verb::get, "/api/v1/account").result() == http::status::unauthorized);
  CHECK(env.operations.syncs.empty());
}

TEST_CASE("before the settings are read, protected routes answer 503 and health still answers", "[web][auth]") {
  auto cluster = std::make_shared<FakeCluster>();
  test::FakeOperations operations;
  auto auth = std::make_shared<AuthService>(std::make_unique<FakeAuthObjects>(cluster), test_options());
  ApiServices services{operations, make_auth_guard(auth)};
  services.auth = auth;
  const Api api(services);
  CHECK(api.handle(Request{http::verb::get, "/api/v1/applications", 11}).response.result() ==
        http::status::service_unavailable);
  CHECK(api.handle(Request{http::verb::get, "/healthz", 11}).response.result() == http::status::ok);
}

// Every route on this branch, with what it needs.
namespace {

struct RouteCase {
  http::verb method;
  std::string target;
  std::string body;
  Access access;
};

// Every route of the API, with the access it must demand. The matrix test first checks this table against the
// Router's own, so a route added without a row here fails until someone decides who may call it.
const std::vector<RouteCase>& all_routes() {
  static const std::vector<RouteCase> routes{
      {http::verb::get, "/healthz", "", Access::Public},
      {http::verb::get, "/readyz", "", Access::Public},
      {http::verb::get, "/metrics", "", Access::Public},
      {http::verb::post, "/api/v1/session", "not json", Access::Public},
      {http::verb::get, "/api/v1/session/userinfo", "", Access::Public},
      {http::verb::post, "/api/webhook", "{}", Access::Public},
      {http::verb::get, "/api/v1/applications", "", Access::Read},
      {http::verb::get, "/api/v1/applications/guestbook", "", Access::Read},
      {http::verb::get, "/api/v1/applications/guestbook/resource-tree", "", Access::Read},
      {http::verb::get, "/api/v1/applications/guestbook/managed-resources", "", Access::Read},
      {http::verb::get, "/api/v1/applications/guestbook/events", "", Access::Read},
      {http::verb::get, "/api/v1/applications/guestbook/logs?podName=web-0", "", Access::Read},
      {http::verb::get, "/api/v1/applications/guestbook/pods/web-0/logs", "", Access::Read},
      {http::verb::get, "/api/v1/applications/guestbook/revisions/abc123/metadata", "", Access::Read},
      {http::verb::get, "/api/v1/applications/guestbook/resource?kind=Pod&resourceName=web-0", "", Access::Read},
      {http::verb::get, "/", "", Access::Public},
      {http::verb::get, "/login", "", Access::Public},
      {http::verb::get, "/applications", "", Access::Public},
      {http::verb::get, "/applications/guestbook", "", Access::Public},
      {http::verb::get, "/assets/0123456789ab/main.js", "", Access::Public},
      {http::verb::get, "/api/v1/stream/applications", "", Access::Read},
      {http::verb::get, "/api/v1/stream/applications/guestbook/resource-tree", "", Access::Read},
      {http::verb::get, "/api/v1/account", "", Access::Read},
      {http::verb::get, "/api/v1/account/ci", "", Access::Read},
      {http::verb::put, "/api/v1/account/password", "{}", Access::Read},
      {http::verb::post, "/api/v1/account/ci/token", "{}", Access::Read},
      {http::verb::delete_, "/api/v1/account/ci/token/unknown-id", "", Access::Read},
      {http::verb::post, "/api/v1/applications/guestbook/refresh", "", Access::Write},
      {http::verb::post, "/api/v1/applications/guestbook/sync", "{}", Access::Write},
      {http::verb::post, "/api/v1/applications/guestbook/rollback", R"({"id": 0})", Access::Write},
      {http::verb::post, "/api/v1/applications/guestbook/terminate", "", Access::Write},
      {http::verb::delete_, "/api/v1/applications/guestbook/operation", "", Access::Write},
      {http::verb::delete_, "/api/v1/applications/guestbook", "", Access::Write},
      // Last: the admin's own logout ends the session the rows above use.
      {http::verb::delete_, "/api/v1/session", "", Access::Public},
  };
  return routes;
}

// The pattern a concrete target of the table matches ("/api/v1/applications/guestbook" → ".../{name}").
bool matches_pattern(const std::string& pattern, std::string target) {
  target = target.substr(0, target.find('?'));
  std::size_t p = 0;
  std::size_t t = 0;
  while (p < pattern.size() && t < target.size()) {
    if (pattern[p] == '{') {
      p = pattern.find('}', p) + 1;
      const auto slash = target.find('/', t);
      t = slash == std::string::npos ? target.size() : slash;
    } else if (pattern[p++] != target[t++]) {
      return false;
    }
  }
  return p == pattern.size() && t == target.size();
}

bool refused(const Response& response) {
  return response.result() == http::status::unauthorized || response.result() == http::status::forbidden;
}

}  // namespace

TEST_CASE("auth matrix: no, bad, expired and revoked tokens get 401, a readonly key 403 on writes, an admin key passes",
          "[web][auth]") {
  AuthEnv env;
  env.configure({{"accounts.ci", "apiKey"}, {"accounts.deployer", "apiKey"}, {"accounts.deployer.role", "admin"}});
  const auto admin = env.admin_token();
  const auto readonly_key = env.api_key(admin, "ci");
  const auto admin_key = env.api_key(admin, "deployer");
  const auto revoked_key = env.api_key(admin, "ci", R"({"id":"gone"})");
  REQUIRE(env.call(http::verb::delete_, "/api/v1/account/ci/token/gone", {}, bearer(admin)).result() == http::status::ok);
  const auto key = test::secret_value(*env.cluster, kAuthSecret, "server.secretkey");
  const auto expired = auth::sign_token({"admin", "old", 1000, 2}, key);
  const auto forged = auth::sign_token({"admin", "x", 1764648905000, 4102444800}, "not-the-key");

  const std::vector<std::pair<std::string, std::vector<std::pair<std::string, std::string>>>> unauthenticated{
      {"no token", {}},
      {"bad token", bearer("garbage")},
      {"forged token", bearer(forged)},
      {"expired token", bearer(expired)},
      {"revoked API key", bearer(revoked_key)},
      {"basic auth", {{"Authorization", "Basic YWRtaW46YWRtaW4="}}},
  };
  // The table is the Router's: every route, each with the access the table says.
  for (const auto& route : env.api->routes()) {
    const std::string subject = std::string(http::to_string(route.method)) + " " + route.pattern;
    INFO(subject);
    const auto row = std::find_if(all_routes().begin(), all_routes().end(), [&](const RouteCase& c) {
      return c.method == route.method && matches_pattern(route.pattern, c.target);
    });
    REQUIRE(row != all_routes().end());
    CHECK(row->access == route.access);
  }
  CHECK(all_routes().size() == env.api->routes().size());

  for (const auto& route : all_routes()) {
    const std::string subject = std::string(http::to_string(route.method)) + " " + route.target;
    const auto anonymous = env.call(route.method, route.target, route.body);
    for (const auto& [who, headers] : unauthenticated) {
      INFO(subject << " with " << who);
      const auto response = env.call(route.method, route.target, route.body, headers);
      if (route.access == Access::Public) {
        CHECK(response.result() == anonymous.result());  // a public route answers alike with any credentials
      } else {
        CHECK(response.result() == http::status::unauthorized);
        CHECK(json(response)["error"] == json(response)["message"]);
      }
    }
    if (route.access == Access::Public) continue;
    {
      INFO(subject << " with a readonly key");
      const auto response = env.call(route.method, route.target, route.body, bearer(readonly_key));
      CHECK(refused(response) == (route.access == Access::Write));
      if (route.access == Access::Write) CHECK(response.result() == http::status::forbidden);
    }
    for (const auto& token : {admin_key, admin}) {
      INFO(subject << " with an admin token");
      const auto response = env.call(route.method, route.target, route.body, bearer(token));
      CHECK_FALSE(refused(response));
      CHECK(static_cast<int>(response.result()) < 500);
    }
  }
  CHECK(env.operations.syncs.size() == 1);  // the admin's first sync; the second conflicts (409), nobody else's got in
  CHECK(env.operations.terminations.size() == 1);
}
