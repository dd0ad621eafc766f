// Events and notifications end to end: `gitmoor serve` against the sandbox, notifying HTTP receivers this test runs
// on loopback — a fake GitHub commit-status API, a Slack-shaped chat.postMessage, and a webhook that checks the
// HMAC-SHA256 signature — configured by ConfigMap gitmoor-notifications-cm and Secret gitmoor-notifications-secret.
#include <catch2/catch.hpp>

#include <signal.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <iostream>

#include "http_receiver.hpp"
#include "hmac_hex.hpp"
#include "serve_env.hpp"

using namespace gitmoor::test;

namespace {

const std::string kGithubToken = "ghp-test-token-5f1e";
const std::string kSlackToken = "xoxb-test-token-77a2";
const std::string kHookKey = "hook-signing-key-0c3d";

// The webhook answers 401 to a body whose signature does not verify.
ReceiverAnswer verify_signature(const ReceivedRequest& request) {
  const auto it = request.headers.find("x-gitmoor-signature-256");
  if (it == request.headers.end() || it->second != "sha256=" + hmac_hex(kHookKey, request.body)) {
    return {.status = 401, .body = R"({"error":"bad signature"})"};
  }
  return {};
}

ReceiverAnswer slack_ok(const ReceivedRequest&) { return {.status = 200, .body = R"({"ok":true})"}; }
ReceiverAnswer github_created(const ReceivedRequest&) { return {.status = 201, .body = "{}"}; }

// The deploy repository as a GitHub-shaped path (owner/repo), served by the env's git daemon.
std::string acme_url(ServeEnv& env) {
  const auto url = env.repo_url();
  return url.substr(0, url.rfind('/') + 1) + "acme/deploy";
}

std::string secret_yaml() {
  return "apiVersion: v1\nkind: Secret\nmetadata:\n  name: gitmoor-notifications-secret\n  namespace: gitmoor\n"
         "stringData:\n  github-token: " + kGithubToken + "\n  slack-token: " + kSlackToken + "\n  hook-key: " +
         kHookKey + "\n";
}

// The ConfigMap with the services given (already indented YAML entries under data:).
std::string config_yaml(const std::string& data) {
  return "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: gitmoor-notifications-cm\n  namespace: gitmoor\n"
         "data:\n" + data;
}
std::string github_service(const HttpReceiver& r) {
  return "  service.github: |\n    token: $github-token\n    apiURL: " + r.url() + "\n";
}
std::string slack_service(const HttpReceiver& r) {
  return "  service.slack: |\n    token: $slack-token\n    apiURL: " + r.url() + "/api\n";
}
std::string hook_service(const HttpReceiver& r) {
  return "  service.webhook.audit: |\n    url: " + r.url() + "/hook\n    hmacSecret: $hook-key\n"
         "    headers:\n    - name: X-Team\n      value: platform\n";
}
std::string default_subscription(const std::string& recipient, const std::string& triggers) {
  return "  subscriptions: |\n    - recipients: [" + recipient + "]\n      triggers: [" + triggers + "]\n";
}

std::string app_yaml(const std::string& repo_url, const std::vector<std::string>& annotations) {
  std::string yaml = "apiVersion: gitmoor.dev/v1alpha1\nkind: Application\nmetadata:\n  name: web\n  namespace: gitmoor\n";
  if (!annotations.empty()) {
    yaml += "  annotations:\n";
    for (const auto& annotation : annotations) yaml += "    " + annotation + "\n";
  }
  return yaml + "spec:\n  project: default\n  source:\n    repoURL: " + repo_url +
         "\n    targetRevision: main\n    path: app\n  destination:\n    server: https://kubernetes.default.svc\n"
         "    namespace: web\n  syncPolicy:\n    automated:\n      prune: true\n    syncOptions:\n"
         "      - CreateNamespace=true\n";
}

std::string config_map(const std::string& version) {
  return "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web-config\ndata:\n  version: \"" + version + "\"\n";
}

// Requests whose JSON body satisfies `match`.
std::vector<Json> bodies(const HttpReceiver& receiver, const std::function<bool(const ReceivedRequest&, const Json&)>& match) {
  std::vector<Json> out;
  for (const auto& request : receiver.requests()) {
    const auto body = Json::parse(request.body, nullptr, false);
    if (!body.is_discarded() && match(request, body)) out.push_back(body);
  }
  return out;
}

// Webhook requests for (trigger, revision), and those of them that were accepted (signature verified).
std::size_t hook_count(const HttpReceiver& hook, const std::string& trigger, const std::string& revision) {
  return bodies(hook, [&](const ReceivedRequest&, const Json& b) {
           return b.value("trigger", "") == trigger && b.value("revision", "") == revision;
         }).size();
}

// GitHub statuses posted for `sha` with `state`.
std::size_t github_count(const HttpReceiver& github, const std::string& sha, const std::string& state) {
  return bodies(github, [&](const ReceivedRequest& r, const Json& b) {
           return r.target == "/repos/acme/deploy/statuses/" + sha && b.value("state", "") == state;
         }).size();
}

std::size_t slack_count(const HttpReceiver& slack, const std::string& sha, const std::string& word) {
  return bodies(slack, [&](const ReceivedRequest&, const Json& b) {
           const auto text = b.value("text", "");
           return text.find(sha.substr(0, 12)) != std::string::npos && text.find(word) != std::string::npos;
         }).size();
}

std::string notified(ServeEnv& env) {
  return env.app_resource("web")["metadata"].value("annotations", Json::object()).value("notified.gitmoor.dev", "");
}

std::string describe(const HttpReceiver& receiver) {
  std::string out;
  for (const auto& request : receiver.requests()) out += request.method + " " + request.target + " " + request.body + "\n";
  return out;
}

}  // namespace

TEST_CASE("notifications: success, failure and degraded reach GitHub statuses, Slack and a signed webhook",
          "[serve][notifications]") {
  ServeEnv env;
  env.install_crd();
  HttpReceiver github(github_created), slack(slack_ok), hook(verify_signature);
  GitRemote repo(env.dir() / "git", "acme/deploy");
  repo.write("app/config.yaml", config_map("1"));
  const std::string first = repo.commit("version 1");
  env.kubectl_apply(secret_yaml());
  env.kubectl_apply(config_yaml(github_service(github) + slack_service(slack) + hook_service(hook) +
                                default_subscription("audit", "on-sync-succeeded, on-sync-failed, on-health-degraded, on-deployed")));
  env.start_serve();
  env.kubectl_apply(app_yaml(acme_url(env), {"notifications.argoproj.io/subscribe.on-sync-succeeded.slack: deploys",
                                              "notifications.argoproj.io/subscribe.on-sync-failed.slack: deploys",
                                              "notifications.argoproj.io/subscribe.on-health-degraded.slack: deploys",
                                              "notifications.argoproj.io/subscribe.on-deployed.github: \"\"",
                                              "gitmoor.dev/subscribe.on-sync-failed.github: \"\"",
                                              "gitmoor.dev/subscribe.on-health-degraded.github: \"\""}));

  // Success: GitHub gets pending while the sync runs, then success once deployed and Healthy; Slack and the
  // webhook get theirs.
  env.wait_app("web", [&](const Json& a) { return sync_status(a) == "Synced" && revision(a) == first; });
  INFO("github:\n" << describe(github) << "slack:\n" << describe(slack) << "hook:\n" << describe(hook));
  REQUIRE(eventually([&] {
    return github_count(github, first, "success") == 1 && slack_count(slack, first, "succeeded") == 1 &&
           hook_count(hook, "on-sync-succeeded", first) == 1 && hook_count(hook, "on-deployed", first) == 1;
  }));
  CHECK(github_count(github, first, "pending") == 1);
  const auto statuses = bodies(github, [](const ReceivedRequest&, const Json&) { return true; });
  for (const auto& request : github.requests()) {
    CHECK(request.method == "POST");
    CHECK(request.headers.at("authorization") == "token " + kGithubToken);
  }
  for (const auto& status : statuses) {
    CHECK(status["context"] == "gitmoor/web");
    CHECK_FALSE(status.value("description", "").empty());
  }
  const auto message = bodies(slack, [](const ReceivedRequest&, const Json&) { return true; }).front();
  CHECK(slack.requests().front().target == "/api/chat.postMessage");
  CHECK(slack.requests().front().headers.at("authorization") == "Bearer " + kSlackToken);
  CHECK(message["channel"] == "deploys");
  CHECK(message["text"] == "Application web: sync to " + first.substr(0, 12) + " succeeded.");
  for (const auto& request : hook.requests()) {
    CHECK(request.target == "/hook");
    CHECK(request.headers.at("x-team") == "platform");
    CHECK(verify_signature(request).status == 200);
  }
  const auto deployed = bodies(hook, [&](const ReceivedRequest&, const Json& b) { return b["trigger"] == "on-deployed"; });
  CHECK(deployed.at(0)["application"]["name"] == "web");
  CHECK(deployed.at(0)["application"]["healthStatus"] == "Healthy");
  CHECK(deployed.at(0)["application"]["syncStatus"] == "Synced");

  // Failure: the API server refuses the ConfigMap's update.
  REQUIRE(env.sandbox_admin("POST", "/sandbox/faults", R"({"verb":"patch","resource":"configmaps","code":422})").status < 300);
  repo.write("app/config.yaml", config_map("2"));
  const std::string second = repo.commit("version 2");
  REQUIRE(eventually([&] {
    return github_count(github, second, "failure") == 1 && slack_count(slack, second, "failed") == 1 &&
           hook_count(hook, "on-sync-failed", second) == 1;
  }));
  CHECK(github_count(github, second, "pending") == 1);
  CHECK(github_count(github, second, "success") == 0);
  CHECK(hook_count(hook, "on-sync-succeeded", second) == 0);
  const auto failed = bodies(hook, [&](const ReceivedRequest&, const Json& b) { return b["trigger"] == "on-sync-failed"; });
  CHECK(failed.at(0)["application"]["operationPhase"].get<std::string>().find_first_of("FE") == 0);  // Failed | Error
  CHECK_FALSE(failed.at(0)["application"]["operationMessage"].get<std::string>().empty());
  REQUIRE(env.sandbox_admin("DELETE", "/sandbox/faults").status < 300);

  // Degraded: a Pod whose container fails.
  repo.write("app/config.yaml", config_map("3"));
  repo.write("app/pod.yaml",
             "apiVersion: v1\nkind: Pod\nmetadata:\n  name: migrate\nspec:\n  restartPolicy: Never\n  containers:\n"
             "  - name: migrate\n    image: busybox\n    command: [\"false\"]\n");
  const std::string third = repo.commit("a failing Pod");
  // The sync waits for its wave to be healthy (up to the wave timeout): end it, as a user would.
  env.wait_app("web", [&](const Json& a) {
    const auto op = a["status"].value("operationState", Json::object());
    return op.value("phase", "") == "Running" && op.value("syncResult", Json::object()).value("revision", "") == third;
  });
  REQUIRE(http_request(env.api(), "DELETE", "/api/v1/applications/web/operation").status < 300);
  env.wait_app("web", [&](const Json& a) { return health_status(a) == "Degraded" && revision(a) == third; });
  REQUIRE(eventually([&] {
    return github_count(github, third, "failure") >= 1 && slack_count(slack, third, "is Degraded at revision") == 1 &&
           hook_count(hook, "on-health-degraded", third) == 1;
  }));
  CHECK(hook_count(hook, "on-deployed", third) == 0);
  // No secret value in what the engine logged.
  const auto log = env.serve(0).output();
  for (const auto& secret : {kGithubToken, kSlackToken, kHookKey}) CHECK(log.find(secret) == std::string::npos);
}

TEST_CASE("notifications: exactly one per revision and trigger, across a restart of serve", "[serve][notifications]") {
  ServeEnv env;
  env.install_crd();
  HttpReceiver slack(slack_ok), hook(verify_signature);
  env.repo().write("app/config.yaml", config_map("1"));
  const std::string first = env.repo().commit("version 1");
  env.kubectl_apply(secret_yaml());
  env.kubectl_apply(config_yaml(slack_service(slack) + hook_service(hook) +
                                default_subscription("audit", "on-sync-succeeded, on-deployed")));
  env.start_serve();
  env.kubectl_apply(app_yaml(env.repo_url(), {"notifications.argoproj.io/subscribe.on-deployed.slack: deploys"}));
  REQUIRE(eventually([&] {
    return slack_count(slack, first, "deployed") == 1 && hook_count(hook, "on-sync-succeeded", first) == 1 &&
           hook_count(hook, "on-deployed", first) == 1;
  }));
  // Recorded on the Application, so the next process knows.
  REQUIRE(eventually([&] {
    const auto record = notified(env);
    return record.find("on-deployed:" + first + ":slack:deploys") != std::string::npos &&
           record.find("on-deployed:" + first + ":audit:") != std::string::npos &&
           record.find("on-sync-succeeded:" + first + ":audit:") != std::string::npos;
  }));
  // Refreshes re-compare and re-write the same state: nothing new is sent.
  for (int i = 0; i < 3; ++i) {
    REQUIRE(http_request(env.api(), "POST", "/api/v1/applications/web/refresh?hard=true", "").status < 300);
  }

  env.serve(0).signal(SIGTERM);
  REQUIRE(env.serve(0).wait() == 0);
  const auto before = env.app_resource("web")["status"].value("reconciledAt", "");
  const auto restarted = env.start_serve();
  // The new process has compared the app (and seen its state, rev 1 deployed) before the next commit.
  env.wait_app("web", [&](const Json& a) { return a["status"].value("reconciledAt", "") != before; },
               std::chrono::seconds(60), restarted);
  env.repo().write("app/config.yaml", config_map("2"));
  const std::string second = env.repo().commit("version 2");
  REQUIRE(eventually([&] {
    return slack_count(slack, second, "deployed") == 1 && hook_count(hook, "on-deployed", second) == 1;
  }));
  INFO("slack:\n" << describe(slack) << "hook:\n" << describe(hook));
  CHECK(slack_count(slack, first, "deployed") == 1);
  CHECK(hook_count(hook, "on-sync-succeeded", first) == 1);
  CHECK(hook_count(hook, "on-deployed", first) == 1);
  CHECK(hook_count(hook, "on-sync-succeeded", second) == 1);
  CHECK(slack.requests().size() == 2);
  CHECK(hook.requests().size() == 4);
}

TEST_CASE("notifications: a receiver answering 500 is retried until it takes the notification", "[serve][notifications]") {
  ServeEnv env;
  env.install_crd();
  std::atomic<int> answered{0};
  HttpReceiver hook([&](const ReceivedRequest& request) {
    if (answered++ < 2) return ReceiverAnswer{.status = 500, .body = R"({"error":"try later"})"};
    return verify_signature(request);
  });
  env.repo().write("app/config.yaml", config_map("1"));
  const std::string first = env.repo().commit("version 1");
  env.kubectl_apply(secret_yaml());
  env.kubectl_apply(config_yaml(hook_service(hook) + default_subscription("audit", "on-sync-succeeded")));
  env.start_serve();
  env.kubectl_apply(app_yaml(env.repo_url(), {}));
  REQUIRE(eventually([&] {
    return notified(env).find("on-sync-succeeded:" + first + ":audit:") != std::string::npos;
  }));
  INFO(describe(hook));
  // Two 500s, then the same notification again, accepted.
  CHECK(hook.requests().size() == 3);
  CHECK(hook_count(hook, "on-sync-succeeded", first) == 3);
  const auto requests = hook.requests();
  CHECK(requests[0].body == requests[2].body);
  CHECK(env.serve(0).output().find("attempt 1 of 5 failed (HTTP 500") != std::string::npos);
}

TEST_CASE("notifications: a receiver that hangs delays neither a sync nor the other receivers", "[serve][notifications]") {
  ServeEnv env;
  env.install_crd();
  HttpReceiver slack([](const ReceivedRequest&) { return ReceiverAnswer{.hang = true}; });
  HttpReceiver hook(verify_signature);
  env.repo().write("app/config.yaml", config_map("1"));
  const std::string first = env.repo().commit("version 1");
  env.kubectl_apply(secret_yaml());
  env.kubectl_apply(config_yaml(hook_service(hook) + default_subscription("audit", "on-sync-succeeded")));
  env.start_serve();
  auto started = std::chrono::steady_clock::now();
  env.kubectl_apply(app_yaml(env.repo_url(), {}));
  env.wait_app("web", [&](const Json& a) { return sync_status(a) == "Synced" && revision(a) == first; });
  const auto without = std::chrono::steady_clock::now() - started;
  REQUIRE(eventually([&] { return hook_count(hook, "on-sync-succeeded", first) == 1; }));

  // Now Slack too, and it never answers: its first notification (rev 1) hangs.
  env.kubectl_apply(config_yaml(slack_service(slack) + hook_service(hook) +
                                "  subscriptions: |\n    - recipients: [audit, slack:deploys]\n"
                                "      triggers: [on-sync-succeeded]\n"));
  REQUIRE(eventually([&] { return slack.hanging() >= 1; }));
  env.repo().write("app/config.yaml", config_map("2"));
  started = std::chrono::steady_clock::now();
  const std::string second = env.repo().commit("version 2");
  env.wait_app("web", [&](const Json& a) {
    return sync_status(a) == "Synced" && revision(a) == second &&
           a["status"]["operationState"].value("phase", "") == "Succeeded";
  });
  const auto with = std::chrono::steady_clock::now() - started;
  REQUIRE(eventually([&] { return hook_count(hook, "on-sync-succeeded", second) == 1; }));
  // All this while Slack is still holding its request.
  CHECK(slack.hanging() >= 1);
  CHECK(slack_count(slack, second, "succeeded") == 0);
  const auto ms = [](auto d) { return std::chrono::duration_cast<std::chrono::milliseconds>(d).count(); };
  std::cout << "notifications: commit to Synced " << ms(without) << " ms with no hanging receiver (first sync, "
            << "including the app's creation), " << ms(with) << " ms (poll included) while a receiver hangs\n";
  slack.release();
}

TEST_CASE("Application Events: a sync records OperationStarted, OperationCompleted and ResourceUpdated",
          "[serve][notifications]") {
  ServeEnv env;
  env.install_crd();
  env.repo().write("app/config.yaml", config_map("1"));
  const std::string first = env.repo().commit("version 1");
  env.start_serve();
  env.kubectl_apply(app_yaml(env.repo_url(), {}));
  env.wait_app("web", [&](const Json& a) { return sync_status(a) == "Synced" && revision(a) == first; });
  const auto uid = env.app_resource("web")["metadata"].value("uid", "");
  std::vector<std::string> messages;
  REQUIRE(eventually([&] {
    messages.clear();
    const auto events = env.kubectl_json({"get", "events", "-n", "gitmoor", "--field-selector",
                                          "involvedObject.kind=Application,involvedObject.name=web"});
    if (!events) return false;
    for (const auto& event : (*events)["items"]) {
      if (event["involvedObject"].value("uid", "") != uid) continue;
      if (event["source"].value("component", "") != "gitmoor") continue;
      if (event.value("count", 0) < 1 || event.value("lastTimestamp", "").empty()) continue;
      messages.push_back(event.value("reason", "") + ": " + event.value("message", ""));
    }
    const auto has = [&](const std::string& m) { return std::find(messages.begin(), messages.end(), m) != messages.end(); };
    return has("OperationStarted: Initiated automated sync to '" + first + "'") &&
           has("OperationCompleted: Sync operation to " + first + " succeeded") &&
           has("ResourceUpdated: Updated sync status: OutOfSync -> Synced");
  }));
  // The app's events view (API, UI, CLI) shows them.
  const auto view = http_request(env.api(), "GET", "/api/v1/applications/web/events");
  REQUIRE(view.status == 200);
  std::size_t ours = 0;
  const auto listed = view.json();
  for (const auto& event : listed["items"]) {
    if (event["involvedObject"].value("kind", "") == "Application" && event.value("reason", "") == "OperationCompleted") ++ours;
  }
  CHECK(ours == 1);
}
