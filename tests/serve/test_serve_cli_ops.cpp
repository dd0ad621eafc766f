// The `gitmoor` CLI against a real `gitmoor serve --auth builtin` (sandbox, git daemon, kubectl), for what
// test_serve_cli.cpp (which runs with --auth none) leaves out: login to a context in the config file (0600), using it,
// logout, CI's GITMOOR_SERVER/GITMOOR_AUTH_TOKEN; API keys of gitmoor-cm accounts from `account generate-token`
// (readonly gets a clear 403); sync --force through an immutable Job template; a failing PreSync hook named in the
// error; rollback refused with auto-sync on and to an earlier history id with it off; delete with and without cascade.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <fstream>
#include <regex>

#include "gitmoor/core/subprocess.hpp"
#include "serve_env.hpp"
#include "test_paths.hpp"

using namespace gitmoor::test;
namespace fs = std::filesystem;

namespace {

const std::string kManual = "    syncOptions:\n      - CreateNamespace=true\n";
const std::string kAutomated = "    automated:\n      prune: true\n    syncOptions:\n      - CreateNamespace=true\n";

std::string configmap(const std::string& name, const std::string& value, const std::string& metadata_extra = {}) {
  return "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: " + name + "\n" + metadata_extra + "data:\n  value: \"" +
         value + "\"\n";
}

std::string job(const std::string& name, const std::string& script, const std::string& annotations = {}) {
  return "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: " + name + "\n" + annotations +
         "spec:\n  backoffLimit: 0\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n"
         "        - name: run\n          image: busybox:1.36\n          command: [\"sh\", \"-c\", \"" + script +
         "\"]\n";
}

std::string describe(const gitmoor::core::SubprocessResult& r) {
  return "exit " + std::to_string(r.exit_code) + "\nstdout:\n" + r.stdout_data + "\nstderr:\n" + r.stderr_data;
}

// The `gitmoor` binary as a user's shell runs it: its own config directory, and GITMOOR_SERVER/GITMOOR_AUTH_TOKEN
// only when a test sets them (empty counts as unset, so the test runner's own environment never leaks in).
struct Cli {
  fs::path config_home;
  std::string server;  // GITMOOR_SERVER
  std::string token;   // GITMOOR_AUTH_TOKEN
  gitmoor::core::SubprocessResult run(std::vector<std::string> args, const std::string& stdin_data = {}) const {
    args.insert(args.begin(), gitmoor_binary().string());
    auto result = gitmoor::core::run_subprocess(
        args, {.environment = {{"GITMOOR_SERVER", server},
                               {"GITMOOR_AUTH_TOKEN", token},
                               {"XDG_CONFIG_HOME", config_home.string()},
                               {"NO_COLOR", "1"}},
               .stdin_data = stdin_data,
               .timeout = std::chrono::seconds(60)});
    return result;
  }
};

std::string secret_value(ServeEnv& env, const std::string& secret, const std::string& key) {
  return env.kubectl({"-n", "gitmoor", "get", "secret", secret, "-o",
                      "go-template={{index .data \"" + key + "\" | base64decode}}"});
}

// The generated admin password, once the server has written it and loaded its settings (503 until then).
std::string initial_password(ServeEnv& env) {
  std::string password;
  REQUIRE(eventually([&] {
    password = secret_value(env, "gitmoor-initial-admin-secret", "password");
    return !password.empty();
  }));
  REQUIRE(eventually([&] {
    return http_request(env.api(), "POST", "/api/v1/session",
                        Json{{"username", "admin"}, {"password", password}}.dump(), {})
               .status == 200;
  }));
  return password;
}

// An admin session token for the test's own reads through the API.
std::string admin_token(ServeEnv& env, const std::string& password) {
  const auto reply = http_request(env.api(), "POST", "/api/v1/session",
                                  Json{{"username", "admin"}, {"password", password}}.dump(), {});
  REQUIRE(reply.status == 200);
  return reply.json()["token"];
}

// A serve with built-in authentication, and an admin token for the test's checks.
struct AuthServe {
  ServeEnv& env;
  std::string password;
  std::string token;
  explicit AuthServe(ServeEnv& e) : env(e) {
    env.start_serve({"--auth", "builtin"});
    password = initial_password(env);
    token = admin_token(env, password);
  }
  Json app(const std::string& name) const {
    const auto reply = http_request(env.api(), "GET", "/api/v1/applications/" + name, {},
                                    {{"Authorization", "Bearer " + token}});
    return reply.status == 200 ? reply.json() : Json(nullptr);
  }
  Json wait_app(const std::string& name, const std::function<bool(const Json&)>& condition) const {
    Json last;
    const bool ok = eventually([&] {
      last = app(name);
      return !last.is_null() && condition(last);
    });
    if (!ok) {
      INFO("application " << name << ": " << last.dump(2));
      INFO("logs:\n" << env.logs());
      FAIL("the application did not reach the expected state in time");
    }
    return last;
  }
  // A CLI configured the CI way (GITMOOR_SERVER and GITMOOR_AUTH_TOKEN) with the admin's token.
  [[nodiscard]] Cli cli() const { return Cli{env.dir() / "cli-admin", env.api(), token}; }
};

std::string value_of(ServeEnv& env, const std::string& ns, const std::string& name) {
  auto cm = env.kubectl_json({"get", "configmap", name, "-n", ns});
  return cm ? (*cm)["data"].value("value", "") : "<missing>";
}

Json operation(const Json& app) { return app.value("status", Json::object()).value("operationState", Json::object()); }

}  // namespace

TEST_CASE("cli login stores a 0600 context, logout forgets it, env vars and account API keys work", "[serve][cli]") {
  ServeEnv env;
  env.install_crd();
  env.repo().write("app/settings.yaml", configmap("settings", "1"));
  env.repo().commit("one configmap");
  AuthServe serve(env);
  env.kubectl_apply(application_yaml("plain", env.repo_url(), "app", "plain", kManual));
  serve.wait_app("plain", [](const Json& a) { return sync_status(a) == "OutOfSync"; });

  // No server in the environment: everything below comes from the config file that login writes.
  const Cli user{env.dir() / "cli-user", "", ""};
  const fs::path config = user.config_home / "gitmoor" / "config";

  auto nothing = user.run({"app", "list"});
  CHECK(nothing.exit_code == 2);
  CHECK_THAT(nothing.stderr_data, Catch::Contains("gitmoor login SERVER"));

  auto wrong = user.run({"login", env.api(), "--username", "admin", "--password-stdin"}, "not-the-password\n");
  INFO(describe(wrong));
  CHECK(wrong.exit_code == 2);
  CHECK_THAT(wrong.stderr_data, Catch::Contains("login to " + env.api()) && Catch::Contains("401"));
  CHECK_FALSE(fs::exists(config));

  auto login = user.run({"login", env.api(), "--username", "admin", "--password-stdin"}, serve.password + "\n");
  INFO(describe(login));
  REQUIRE(login.exit_code == 0);
  CHECK_THAT(login.stdout_data, Catch::Contains("'admin' logged in successfully"));
  REQUIRE(fs::exists(config));
  struct stat info{};
  REQUIRE(::stat(config.c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0600);
  {
    std::ifstream in(config);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CHECK_THAT(text, Catch::Contains("current-context: 127.0.0.1:") && Catch::Contains("auth-token:"));
    CHECK_THAT(text, !Catch::Contains(serve.password));  // the token is kept, never the password
  }

  auto list = user.run({"app", "list", "-o", "name"});
  INFO(describe(list));
  CHECK(list.exit_code == 0);
  CHECK(list.stdout_data == "plain\n");

  // An API key for CI, generated by the logged-in admin for an account of gitmoor-cm (re-read every second).
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
  gitmoor::core::SubprocessResult generated;
  REQUIRE(eventually([&] {
    generated = user.run({"account", "generate-token", "--account", "ci"});
    return generated.exit_code == 0;
  }));
  const std::string readonly_key = generated.stdout_data.substr(0, generated.stdout_data.find('\n'));
  REQUIRE_FALSE(readonly_key.empty());
  auto deployer = user.run({"account", "generate-token", "--account", "deployer", "--expires-in", "1h"});
  INFO(describe(deployer));
  REQUIRE(deployer.exit_code == 0);
  const std::string admin_key = deployer.stdout_data.substr(0, deployer.stdout_data.find('\n'));

  std::string session;
  {
    std::ifstream in(config);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::smatch match;
    REQUIRE(std::regex_search(text, match, std::regex("auth-token: *\"?([A-Za-z0-9._-]+)")));
    session = match[1];
  }
  auto logout = user.run({"logout"});
  INFO(describe(logout));
  CHECK(logout.exit_code == 0);
  auto refused = user.run({"app", "list"});
  INFO(describe(refused));
  CHECK(refused.exit_code == 2);
  CHECK_THAT(refused.stderr_data, Catch::Contains(env.api()) && Catch::Contains("401") &&
                                      Catch::Contains("gitmoor login " + env.api()));
  // The session was ended on the server too, not only forgotten locally.
  auto ended = user.run({"app", "list", "--auth-token", session});
  CHECK(ended.exit_code == 2);
  CHECK_THAT(ended.stderr_data, Catch::Contains("401"));

  // --auth-token with the context's server (the config still names it), and CI's environment without any config.
  auto keyed = user.run({"app", "list", "-o", "name", "--auth-token", readonly_key});
  INFO(describe(keyed));
  CHECK(keyed.exit_code == 0);
  CHECK(keyed.stdout_data == "plain\n");
  const Cli ci{env.dir() / "cli-ci", env.api(), readonly_key};
  auto ci_list = ci.run({"app", "list", "-o", "name"});
  INFO(describe(ci_list));
  CHECK(ci_list.exit_code == 0);
  CHECK(ci_list.stdout_data == "plain\n");
  CHECK_FALSE(fs::exists(ci.config_home / "gitmoor" / "config"));

  // A readonly key may look but not sync: a clear 403 naming the app and the account, and nothing synced.
  auto readonly_sync = ci.run({"app", "sync", "plain", "--timeout", "30"});
  INFO(describe(readonly_sync));
  CHECK(readonly_sync.exit_code == 2);
  CHECK_THAT(readonly_sync.stderr_data, Catch::Contains("application plain") && Catch::Contains("403") &&
                                            Catch::Contains("account ci is readonly"));
  CHECK(value_of(env, "plain", "settings") == "<missing>");
  CHECK_THAT(readonly_sync.stderr_data, !Catch::Contains(readonly_key));

  // An admin account's key syncs.
  const Cli deploy{env.dir() / "cli-ci", env.api(), admin_key};
  auto synced = deploy.run({"app", "sync", "plain", "--timeout", "30"});
  INFO(describe(synced));
  CHECK(synced.exit_code == 0);
  CHECK(value_of(env, "plain", "settings") == "1");
}

TEST_CASE("cli app sync fails naming an immutable Job, --force replaces it, a failing PreSync hook is named",
          "[serve][cli]") {
  ServeEnv env;
  env.install_crd();
  env.repo().write("ops/settings.yaml", configmap("settings", "1"));
  env.repo().write("ops/job.yaml", job("migrate", "echo one"));
  env.repo().write("hooked/presync.yaml",
                   job("check-schema", "exit 1",
                       "  annotations:\n    argocd.argoproj.io/hook: PreSync\n"
                       "    argocd.argoproj.io/hook-delete-policy: BeforeHookCreation\n"));
  env.repo().write("hooked/settings.yaml", configmap("settings", "1"));
  env.repo().commit("an app with a Job, an app with a failing PreSync hook");
  AuthServe serve(env);
  const Cli cli = serve.cli();
  env.kubectl_apply(application_yaml("ops", env.repo_url(), "ops", "ops", kManual));
  env.kubectl_apply(application_yaml("hooked", env.repo_url(), "hooked", "hooked", kManual));
  serve.wait_app("ops", [](const Json& a) { return sync_status(a) == "OutOfSync"; });
  serve.wait_app("hooked", [](const Json& a) { return sync_status(a) == "OutOfSync"; });

  auto first = cli.run({"app", "sync", "ops", "--timeout", "30"});
  INFO(describe(first));
  REQUIRE(first.exit_code == 0);
  REQUIRE(env.kubectl_json({"get", "job", "migrate", "-n", "ops"}));

  // The Job's template is immutable: a plain sync fails naming the Job and why; --force deletes and recreates it.
  env.repo().write("ops/job.yaml", job("migrate", "echo two"));
  const std::string second = env.repo().commit("migrate runs echo two");
  serve.wait_app("ops", [&](const Json& a) { return revision(a) == second && sync_status(a) == "OutOfSync"; });
  auto plain = cli.run({"app", "sync", "ops", "--timeout", "30"});
  INFO(describe(plain));
  CHECK(plain.exit_code == 1);
  CHECK_THAT(plain.stderr_data, Catch::Contains("application ops") && Catch::Contains("migrate") &&
                                    Catch::Contains("immutable"));
  CHECK_THAT(plain.stdout_data, Catch::Contains("Job") && Catch::Contains("SyncFailed"));
  const auto uid_before = (*env.kubectl_json({"get", "job", "migrate", "-n", "ops"}))["metadata"].value("uid", "");

  auto forced = cli.run({"app", "sync", "ops", "--force", "--timeout", "30"});
  INFO(describe(forced));
  CHECK(forced.exit_code == 0);
  CHECK_THAT(forced.stdout_data, Catch::Contains("Phase:              Succeeded"));
  auto live = env.kubectl_json({"get", "job", "migrate", "-n", "ops"});
  REQUIRE(live);
  CHECK((*live)["metadata"].value("uid", "") != uid_before);
  CHECK_THAT((*live)["spec"]["template"]["spec"]["containers"][0]["command"].dump(), Catch::Contains("echo two"));

  // A PreSync hook that fails: the sync stops before the resources, exits non-zero and names the hook.
  auto hooked = cli.run({"app", "sync", "hooked", "--timeout", "30"});
  INFO(describe(hooked));
  CHECK(hooked.exit_code == 1);
  CHECK_THAT(hooked.stderr_data, Catch::Contains("application hooked") &&
                                     Catch::Contains("PreSync hook Job/check-schema failed"));
  CHECK(value_of(env, "hooked", "settings") == "<missing>");
}

TEST_CASE("cli app rollback is refused with auto-sync on and redeploys an earlier history id with it off",
          "[serve][cli]") {
  ServeEnv env;
  env.install_crd();
  env.repo().write("app/settings.yaml", configmap("settings", "1"));
  const std::string first = env.repo().commit("settings 1");
  AuthServe serve(env);
  const Cli cli = serve.cli();
  env.kubectl_apply(application_yaml("back", env.repo_url(), "app", "back", kAutomated));
  serve.wait_app("back", [&](const Json& a) { return sync_status(a) == "Synced" && revision(a) == first; });
  // Three deployments: ids 0, 1 and 2 (Argo CD counts from 0). Rolling back to 0 is not "the one before".
  for (const std::string value : {"2", "3"}) {
    env.repo().write("app/settings.yaml", configmap("settings", value));
    const std::string commit = env.repo().commit("settings " + value);
    serve.wait_app("back", [&](const Json& a) {
      return sync_status(a) == "Synced" && revision(a) == commit && operation(a).value("phase", "") == "Succeeded";
    });
  }
  auto app = serve.wait_app("back", [](const Json& a) {
    return a["status"].value("history", Json::array()).size() == 3;
  });
  REQUIRE(app["status"]["history"][0]["id"] == 0);
  REQUIRE(app["status"]["history"][0]["revision"] == first);
  REQUIRE(value_of(env, "back", "settings") == "3");

  auto history = cli.run({"app", "history", "back"});
  INFO(describe(history));
  CHECK(history.exit_code == 0);
  CHECK_THAT(history.stdout_data, Catch::Contains("\n0 ") && Catch::Contains("\n2 "));

  auto refused = cli.run({"app", "rollback", "back", "0", "--timeout", "30"});
  INFO(describe(refused));
  CHECK(refused.exit_code == 2);
  CHECK_THAT(refused.stderr_data, Catch::Contains("application back") && Catch::Contains("auto-sync") &&
                                      Catch::Contains("409"));
  CHECK(value_of(env, "back", "settings") == "3");

  env.kubectl({"patch", "applications.gitmoor.dev", "back", "-n", "gitmoor", "--type=merge", "-p",
               R"({"spec":{"syncPolicy":{"automated":null}}})"});
  // The engine sees the spec change through its watch; until then the rollback is still refused.
  gitmoor::core::SubprocessResult rolled;
  CHECK(eventually([&] {
    rolled = cli.run({"app", "rollback", "back", "0", "--timeout", "30"});
    return rolled.stderr_data.find("auto-sync") == std::string::npos;
  }));
  INFO(describe(rolled));
  CHECK(rolled.exit_code == 0);
  CHECK_THAT(rolled.stdout_data, Catch::Contains("Phase:              Succeeded"));
  CHECK(value_of(env, "back", "settings") == "1");
  app = serve.wait_app("back", [](const Json& a) { return sync_status(a) == "OutOfSync"; });
  CHECK(operation(app)["syncResult"].value("revision", "") == first);

  auto unknown = cli.run({"app", "rollback", "back", "99", "--timeout", "30"});
  INFO(describe(unknown));
  CHECK(unknown.exit_code == 2);
  CHECK_THAT(unknown.stderr_data, Catch::Contains("application back") && Catch::Contains("id 99"));
}

TEST_CASE("cli app delete --cascade=false keeps the resources, --cascade removes them and the Application",
          "[serve][cli]") {
  ServeEnv env;
  env.install_crd();
  env.repo().write("app/settings.yaml", configmap("settings", "1"));
  env.repo().commit("one configmap");
  AuthServe serve(env);
  const Cli cli = serve.cli();
  env.kubectl_apply(application_yaml("kept", env.repo_url(), "app", "kept", kAutomated));
  env.kubectl_apply(application_yaml("doomed", env.repo_url(), "app", "doomed", kAutomated));
  for (const auto* name : {"kept", "doomed"}) {
    serve.wait_app(name, [](const Json& a) { return sync_status(a) == "Synced" && health_status(a) == "Healthy"; });
  }
  const auto application = [&](const std::string& name) {
    return env.kubectl_json({"get", "applications.gitmoor.dev", name, "-n", "gitmoor"}).has_value();
  };

  auto orphaning = cli.run({"app", "delete", "kept", "--cascade=false", "-y"});
  INFO(describe(orphaning));
  CHECK(orphaning.exit_code == 0);
  CHECK_THAT(orphaning.stdout_data, Catch::Contains("application 'kept' deleted"));
  CHECK(eventually([&] { return !application("kept"); }));
  CHECK(value_of(env, "kept", "settings") == "1");

  // Without -y and without a "y" on stdin nothing is deleted.
  auto cancelled = cli.run({"app", "delete", "doomed"}, "n\n");
  CHECK(cancelled.exit_code == 1);
  CHECK(application("doomed"));

  auto cascading = cli.run({"app", "delete", "doomed", "--cascade", "-y"});
  INFO(describe(cascading));
  CHECK(cascading.exit_code == 0);
  CHECK(eventually([&] { return value_of(env, "doomed", "settings") == "<missing>"; }));
  CHECK(eventually([&] { return !application("doomed"); }));

  auto gone = cli.run({"app", "delete", "doomed", "-y"});
  CHECK(gone.exit_code == 2);
  CHECK_THAT(gone.stderr_data, Catch::Contains("application doomed") && Catch::Contains("404"));
}
