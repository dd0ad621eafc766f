// Built-in authentication through a real `gitmoor serve` (--auth builtin) on the sandbox cluster: the generated admin
// password in its Secret and surviving a restart, sessions and a password change, API keys of accounts configured in
// gitmoor-cm (watched), an auth matrix over every route, CSRF for cookie writes, and login brute force.
#include <catch2/catch.hpp>

#include <signal.h>

#include "gitmoor/core/subprocess.hpp"
#include "serve_env.hpp"
#include "test_paths.hpp"

using namespace gitmoor::test;

namespace {

using Headers = std::vector<std::pair<std::string, std::string>>;

Headers bearer(const std::string& token) { return {{"Authorization", "Bearer " + token}}; }

std::string secret_value(ServeEnv& env, const std::string& secret, const std::string& key) {
  return env.kubectl({"-n", "gitmoor", "get", "secret", secret, "-o",
                      "go-template={{index .data \"" + key + "\" | base64decode}}"});
}

// Waits for the engine's first-start bootstrap, then reads the generated password back from its Secret.
std::string initial_password(ServeEnv& env, std::size_t serve = 0) {
  std::string password;
  REQUIRE(eventually([&] {
    try {
      password = secret_value(env, "gitmoor-initial-admin-secret", "password");
      return !password.empty();
    } catch (const std::exception&) {
      return false;
    }
  }));
  // The initial Secret is written first: the settings are loaded a moment later (503 until then).
  REQUIRE(eventually([&] {
    return http_request(env.api(serve), "POST", "/api/v1/session", Json{{"username", "admin"}, {"password", password}}.dump(),
                        {})
               .status != 503;
  }));
  return password;
}

HttpReply login(ServeEnv& env, const std::string& user, const std::string& password, std::size_t serve = 0) {
  return http_request(env.api(serve), "POST", "/api/v1/session",
                      Json{{"username", user}, {"password", password}}.dump(), {});
}

std::string token_of(const HttpReply& reply) {
  INFO(reply.status << " " << reply.body);
  REQUIRE(reply.status == 200);
  return reply.json()["token"];
}

}  // namespace

TEST_CASE("the initial admin Secret survives a restart, and a password change ends the old sessions", "[serve][auth]") {
  ServeEnv env;
  env.install_crd();
  env.start_serve({"--auth", "builtin"});
  const auto password = initial_password(env);
  INFO(env.logs());
  // The log says where the password is, never what it is.
  REQUIRE(eventually([&] { return env.serve(0).output().find("gitmoor-initial-admin-secret") != std::string::npos; }));
  CHECK(env.serve(0).output().find(password) == std::string::npos);
  const auto hash = secret_value(env, "gitmoor-secret", "admin.password");
  CHECK(hash.rfind("$scrypt$", 0) == 0);

  CHECK(http_request(env.api(), "GET", "/api/v1/applications").status == 401);
  const auto session = token_of(login(env, "admin", password));
  CHECK(http_request(env.api(), "GET", "/api/v1/applications", {}, bearer(session)).status == 200);

  env.serve(0).signal(SIGTERM);
  env.serve(0).wait();
  const auto restarted = env.start_serve({"--auth", "builtin"});
  CHECK(initial_password(env, restarted) == password);
  CHECK(secret_value(env, "gitmoor-secret", "admin.password") == hash);
  // The signing key survived too: the session of the first process is still good.
  REQUIRE(eventually([&] {
    return http_request(env.api(restarted), "GET", "/api/v1/applications", {}, bearer(session)).status == 200;
  }));

  const auto change = http_request(env.api(restarted), "PUT", "/api/v1/account/password",
                                   Json{{"currentPassword", password}, {"newPassword", "a-new-password"}}.dump(),
                                   bearer(session));
  CHECK(change.status == 200);
  CHECK(http_request(env.api(restarted), "GET", "/api/v1/applications", {}, bearer(session)).status == 401);
  CHECK(login(env, "admin", password, restarted).status == 401);
  const auto fresh = token_of(login(env, "admin", "a-new-password", restarted));
  CHECK(http_request(env.api(restarted), "GET", "/api/v1/applications", {}, bearer(fresh)).status == 200);
}

TEST_CASE("auth matrix over every route through gitmoor serve, with accounts from the watched gitmoor-cm",
          "[serve][auth]") {
  ServeEnv env;
  env.install_crd();
  env.start_serve({"--auth", "builtin"});
  const auto admin = token_of(login(env, "admin", initial_password(env)));
  env.kubectl_apply(R"(apiVersion: v1
kind: ConfigMap
metadata:
  name: gitmoor-cm
  namespace: gitmoor
data:
  accounts.ci: apiKey
  accounts.deployer: apiKey
  accounts.deployer.role: admin
)");
  // gitmoor-cm is re-read every second: the accounts appear without a restart.
  HttpReply generated;
  REQUIRE(eventually([&] {
    generated = http_request(env.api(), "POST", "/api/v1/account/ci/token", "{}", bearer(admin));
    return generated.status == 200;
  }));
  const std::string readonly_key = generated.json()["token"];
  const auto admin_key = token_of(http_request(env.api(), "POST", "/api/v1/account/deployer/token", "{}", bearer(admin)));
  const auto revoked_key = token_of(
      http_request(env.api(), "POST", "/api/v1/account/ci/token", R"({"id":"revoked"})", bearer(admin)));
  REQUIRE(http_request(env.api(), "DELETE", "/api/v1/account/ci/token/revoked", {}, bearer(admin)).status == 200);
  const auto expiring_key =
      token_of(http_request(env.api(), "POST", "/api/v1/account/ci/token", R"({"expiresIn":1})", bearer(admin)));
  REQUIRE(eventually([&] {
    return http_request(env.api(), "GET", "/api/v1/applications", {}, bearer(expiring_key)).status == 401;
  }));
  const auto listed = http_request(env.api(), "GET", "/api/v1/account/ci", {}, bearer(admin)).json();
  CHECK(listed["tokens"].size() == 2);  // the readonly and the expired key; the revoked one is gone

  struct Route {
    std::string method, target, body;
    char access;  // P(ublic), R(ead), W(rite)
  };
  const std::vector<Route> routes{
      {"GET", "/healthz", "", 'P'},
      {"GET", "/readyz", "", 'P'},
      {"GET", "/api/v1/session/userinfo", "", 'P'},
      {"GET", "/api/v1/applications", "", 'R'},
      {"GET", "/api/v1/applications/nothing", "", 'R'},
      {"GET", "/api/v1/account", "", 'R'},
      {"GET", "/api/v1/account/ci", "", 'R'},
      {"POST", "/api/v1/applications/nothing/refresh", "", 'W'},
      {"POST", "/api/v1/applications/nothing/sync", "{}", 'W'},
      {"POST", "/api/v1/applications/nothing/terminate", "", 'W'},
  };
  const std::vector<std::pair<std::string, Headers>> refused{
      {"no token", {}},
      {"a bad token", bearer("not.a.token")},
      {"an expired token", bearer(expiring_key)},
      {"a revoked API key", bearer(revoked_key)},
  };
  for (const auto& route : routes) {
    for (const auto& [who, headers] : refused) {
      INFO(route.method << " " << route.target << " with " << who);
      const auto reply = http_request(env.api(), route.method, route.target, route.body, headers);
      CHECK(reply.status == (route.access == 'P' ? 200 : 401));
    }
    {
      INFO(route.method << " " << route.target << " with a readonly key");
      const auto reply = http_request(env.api(), route.method, route.target, route.body, bearer(readonly_key));
      if (route.access == 'W') {
        CHECK(reply.status == 403);
      } else {
        CHECK(reply.status != 401);
        CHECK(reply.status != 403);
      }
    }
    for (const auto& key : {admin_key, admin}) {
      INFO(route.method << " " << route.target << " with an admin key or session");
      const auto reply = http_request(env.api(), route.method, route.target, route.body, bearer(key));
      CHECK(reply.status != 401);
      CHECK(reply.status != 403);
      CHECK(reply.status < 500);
    }
  }

  // A cookie session: reads work, writes need the CSRF token of the login answer.
  const auto session = login(env, "admin", initial_password(env)).json();
  const Headers cookie{{"Cookie", "gitmoor.token=" + session["token"].get<std::string>()}};
  CHECK(http_request(env.api(), "GET", "/api/v1/applications", {}, cookie).status == 200);
  CHECK(http_request(env.api(), "POST", "/api/v1/applications/nothing/refresh", {}, cookie).status == 403);
  Headers with_csrf = cookie;
  with_csrf.emplace_back("X-CSRF-Token", session["csrfToken"]);
  CHECK(http_request(env.api(), "POST", "/api/v1/applications/nothing/refresh", {}, with_csrf).status == 404);

  // Anonymous read-only access, switched on in gitmoor-cm.
  env.kubectl_apply(R"(apiVersion: v1
kind: ConfigMap
metadata:
  name: gitmoor-cm
  namespace: gitmoor
data:
  accounts.ci: apiKey
  accounts.deployer: apiKey
  accounts.deployer.role: admin
  users.anonymous.enabled: "true"
)");
  REQUIRE(eventually([&] { return http_request(env.api(), "GET", "/api/v1/applications").status == 200; }));
  CHECK(http_request(env.api(), "POST", "/api/v1/applications/nothing/sync", "{}").status == 403);
}

TEST_CASE("login brute force through gitmoor serve: 429 past the limit even for the right password, then accepted",
          "[serve][auth]") {
  ServeEnv env;
  env.install_crd();
  env.start_serve({"--auth", "builtin", "--login-failures-per-user", "3", "--login-window", "2s"});
  const auto password = initial_password(env);
  REQUIRE(eventually([&] { return login(env, "admin", password).status == 200; }));

  const auto unknown = login(env, "nobody", "guess");
  const auto wrong = login(env, "admin", "guess");
  CHECK(wrong.status == 401);
  CHECK(unknown.status == wrong.status);
  CHECK(unknown.body == wrong.body);
  CHECK(unknown.headers == wrong.headers);
  CHECK(wrong.json()["message"] == "Invalid username or password");

  CHECK(login(env, "admin", "guess-2").status == 401);
  CHECK(login(env, "admin", "guess-3").status == 401);
  const auto throttled = login(env, "admin", password);
  CHECK(throttled.status == 429);
  CHECK(throttled.headers.count("retry-after") == 1);
  CHECK(eventually([&] { return login(env, "admin", password).status == 200; }, std::chrono::seconds(20)));
}

TEST_CASE("serve refuses --auth none on a non-loopback address, naming the flag", "[serve][auth]") {
  gitmoor::core::SubprocessOptions options;
  options.timeout = std::chrono::seconds(30);
  const auto result = gitmoor::core::run_subprocess(
      {gitmoor_binary().string(), "serve", "--kubeconfig", "/nonexistent", "--auth", "none", "--listen", "0.0.0.0:0"},
      options);
  CHECK(result.exit_code == 2);
  CHECK(result.stderr_data.find("--auth=none") != std::string::npos);
  CHECK(result.stderr_data.find("--listen") != std::string::npos);
  CHECK(result.stderr_data.find("0.0.0.0:0") != std::string::npos);
}
