// Notifications, the pure parts: the configuration (ConfigMap keys, $secret references), the subscriptions an
// Application's annotations ask for, which triggers hold, the requests each service gets, the HMAC signature, the
// record of what was sent; and the Kubernetes Events a status change deserves.
#include <catch2/catch.hpp>

#include "event_recorder.hpp"
#include "notify_config.hpp"
#include "notify_hmac.hpp"
#include "notify_payloads.hpp"
#include "notify_record.hpp"
#include "notify_triggers.hpp"
#include "status_events.hpp"

using namespace gitmoor::engine;
using gitmoor::core::Json;

namespace {

const std::string kSubject = "ConfigMap gitmoor/gitmoor-notifications-cm";
const std::string kSha = "0123456789abcdef0123456789abcdef01234567";

const std::map<std::string, std::string> kSecrets{
    {"github-token", "ghp_secret"}, {"slack-token", "xoxb-secret"}, {"hook-key", "hmac-secret"}};

bool mentions(const std::vector<std::string>& problems, const std::string& text) {
  for (const auto& problem : problems) {
    if (problem.find(text) != std::string::npos) return true;
  }
  return false;
}

std::string all(const std::vector<std::string>& problems) {
  std::string out;
  for (const auto& problem : problems) out += problem + "\n";
  return out;
}

AppSnapshot app_at(const std::string& phase, const std::string& sync, const std::string& health) {
  AppSnapshot app;
  app.name = "tetris";
  app.ns = "gitmoor";
  app.api_version = "gitmoor.dev/v1alpha1";
  app.repo_url = "https://github.com/Acme/deploy.git";
  app.operation_phase = phase;
  app.operation_revision = kSha;
  app.sync_revision = kSha;
  app.sync_status = sync;
  app.health_status = health;
  return app;
}

std::vector<std::string> trigger_names(const AppSnapshot& app) {
  std::vector<std::string> out;
  for (const auto& fired : fired_triggers(app)) out.push_back(fired.trigger);
  return out;
}

}  // namespace

TEST_CASE("notification config: three services with $secret references", "[notifications]") {
  const Json data{{"service.github", "token: $github-token\napiURL: http://127.0.0.1:9/api/\n"},
                  {"service.slack", "token: $slack-token\nusername: gitmoor\nicon: \":rocket:\"\n"},
                  {"service.webhook.audit",
                   "url: https://hooks.example.com/gitmoor\nhmacSecret: $hook-key\nheaders:\n"
                   "- name: X-Team\n  value: platform\n- name: Authorization\n  value: Bearer $hook-key\n"},
                  {"subscriptions", "- recipients: [slack:deploys, github]\n  triggers: [on-sync-failed]\n"},
                  {"context", "argocdUrl: https://example.com\n"}};
  const auto config = parse_notification_config(data, kSecrets, kSubject);
  INFO(all(config.problems));
  REQUIRE(config.problems.empty());
  REQUIRE(config.github);
  CHECK(config.github->token == "ghp_secret");
  CHECK(config.github->api_url == "http://127.0.0.1:9/api");  // the trailing slash dropped
  REQUIRE(config.slack);
  CHECK(config.slack->token == "xoxb-secret");
  CHECK(config.slack->api_url == "https://slack.com/api");
  CHECK(config.slack->icon == ":rocket:");
  REQUIRE(config.webhooks.count("audit") == 1);
  const auto& hook = config.webhooks.at("audit");
  CHECK(hook.hmac_secret == "hmac-secret");
  CHECK(hook.headers == std::vector<std::pair<std::string, std::string>>{{"X-Team", "platform"},
                                                                         {"Authorization", "Bearer hmac-secret"}});
  REQUIRE(config.subscriptions.size() == 1);
  CHECK(config.subscriptions[0].triggers == std::vector<std::string>{"on-sync-failed"});
  CHECK(config.subscriptions[0].recipients == std::vector<Recipient>{{"slack", "deploys"}, {"github", ""}});
  CHECK(config.has_service("audit"));
  CHECK_FALSE(config.has_service("other"));
}

TEST_CASE("notification config: each bad key is an error naming the ConfigMap key, never a secret value",
          "[notifications]") {
  const Json data{{"service.slack", "username: gitmoor\n"},                 // no token
                  {"service.github", "token: $no-such-key\n"},              // a Secret key that does not exist
                  {"service.webhook.audit", "url: ftp://example.com\n"},    // not http(s)
                  {"service.webhook.ok", "url: http://127.0.0.1:1/hook\nhmacSecret: $hook-key\n"},
                  {"service.teams", "recipientUrls: {}\n"},                 // a service gitmoor has not
                  {"trigger.on-custom", "- when: true\n"},                  // triggers are built in
                  {"subscriptions", "recipients: [slack:x]\n"}};            // not a list
  const auto config = parse_notification_config(data, kSecrets, kSubject);
  INFO(all(config.problems));
  CHECK(config.problems.size() == 6);
  CHECK(mentions(config.problems, kSubject + " key service.slack: field token is required"));
  CHECK(mentions(config.problems, kSubject + " key service.github field token: $no-such-key is not a key of Secret "
                                             "gitmoor-notifications-secret"));
  CHECK(mentions(config.problems, kSubject + " key service.webhook.audit field url: expected an http:// or https:// URL"));
  CHECK(mentions(config.problems, kSubject + " key service.teams: unknown service"));
  CHECK(mentions(config.problems, kSubject + " key trigger.on-custom: not supported"));
  CHECK(mentions(config.problems, kSubject + " key subscriptions: expected a list"));
  for (const auto& [key, value] : kSecrets) CHECK_FALSE(mentions(config.problems, value));
  // The good key still works.
  CHECK(config.webhooks.count("ok") == 1);
  CHECK_FALSE(config.slack);
  CHECK_FALSE(config.github);
}

TEST_CASE("notification config: YAML that is not a mapping names its key", "[notifications]") {
  const auto config = parse_notification_config({{"service.slack", "token: [unclosed\n"}}, kSecrets, kSubject);
  REQUIRE(config.problems.size() == 1);
  CHECK(config.problems[0].rfind(kSubject + " key service.slack: not YAML", 0) == 0);
}

TEST_CASE("subscriptions from Argo CD's and gitmoor's annotations", "[notifications]") {
  const Json annotations{{"notifications.argoproj.io/subscribe.on-sync-succeeded.slack", "deploys; alerts"},
                         {"notifications.argoproj.io/subscribe.on-deployed.github", ""},
                         {"gitmoor.dev/subscribe.on-sync-failed.audit", ""},
                         {"notifications.argoproj.io/subscribe.slack", "no-trigger"},  // default triggers: none here
                         {"unrelated", "x"}};
  auto subscriptions = annotation_subscriptions(annotations);
  std::sort(subscriptions.begin(), subscriptions.end());
  const std::vector<std::pair<std::string, Recipient>> expected{{"on-deployed", {"github", ""}},
                                                                {"on-sync-failed", {"audit", ""}},
                                                                {"on-sync-succeeded", {"slack", "alerts"}},
                                                                {"on-sync-succeeded", {"slack", "deploys"}}};
  CHECK(subscriptions == expected);
  CHECK(parse_recipient("slack:deploys") == Recipient{"slack", "deploys"});
  CHECK(parse_recipient("github:") == Recipient{"github", ""});
  CHECK(parse_recipient("audit") == Recipient{"audit", ""});
}

TEST_CASE("triggers: which hold for an app's state, each for its revision", "[notifications]") {
  CHECK(trigger_names(app_at("Running", "OutOfSync", "Healthy")) == std::vector<std::string>{"on-sync-running"});
  // Right after the sync the status still holds the compare made before it: not deployed yet.
  CHECK(trigger_names(app_at("Succeeded", "OutOfSync", "Healthy")) == std::vector<std::string>{"on-sync-succeeded"});
  CHECK(trigger_names(app_at("Succeeded", "Synced", "Healthy")) ==
        std::vector<std::string>{"on-sync-succeeded", "on-deployed"});
  CHECK(trigger_names(app_at("Succeeded", "Synced", "Progressing")) == std::vector<std::string>{"on-sync-succeeded"});
  CHECK(trigger_names(app_at("Failed", "OutOfSync", "Healthy")) == std::vector<std::string>{"on-sync-failed"});
  CHECK(trigger_names(app_at("Error", "Unknown", "Unknown")) == std::vector<std::string>{"on-sync-failed"});
  CHECK(trigger_names(app_at("Succeeded", "Synced", "Degraded")) ==
        std::vector<std::string>{"on-sync-succeeded", "on-health-degraded"});
  auto dry = app_at("Succeeded", "Synced", "Healthy");
  dry.dry_run = true;
  CHECK(trigger_names(dry).empty());
  auto other = app_at("Succeeded", "Synced", "Healthy");
  other.sync_revision = std::string(40, 'f');  // synced to another revision since: that one is not "deployed" here
  CHECK(trigger_names(other) == std::vector<std::string>{"on-sync-succeeded"});
  CHECK(fired_triggers(app_at("Failed", "OutOfSync", "Healthy"))[0].revision == kSha);
}

TEST_CASE("GitHub commit status: URL from https and ssh repoURLs, state per trigger", "[notifications]") {
  CHECK(github_repository("https://github.com/Acme/Deploy.git") == std::pair<std::string, std::string>{"acme", "deploy"});
  CHECK(github_repository("git@github.com:acme/deploy.git") == std::pair<std::string, std::string>{"acme", "deploy"});
  CHECK(github_repository("ssh://git@github.com/acme/deploy") == std::pair<std::string, std::string>{"acme", "deploy"});
  CHECK_THROWS_WITH(github_repository("git://127.0.0.1:1/deploy"),
                    Catch::Contains("repoURL git://127.0.0.1:1/deploy is not a GitHub repository"));

  const GithubService github{.api_url = "http://127.0.0.1:9", .token = "ghp_secret"};
  const std::map<std::string, std::string> states{{"on-sync-running", "pending"},
                                                  {"on-sync-succeeded", "success"},
                                                  {"on-deployed", "success"},
                                                  {"on-sync-failed", "failure"},
                                                  {"on-health-degraded", "failure"}};
  for (const auto& [trigger, state] : states) {
    const auto request = github_request(github, {.trigger = trigger, .revision = kSha, .to = {"github", ""},
                                                 .app = app_at("Succeeded", "Synced", "Healthy")});
    CHECK(request.url == "http://127.0.0.1:9/repos/acme/deploy/statuses/" + kSha);
    const auto body = Json::parse(request.body);
    CHECK(body["state"] == state);
    CHECK(body["context"] == "gitmoor/tetris");
    CHECK(body["description"].get<std::string>().size() <= 140);
    CHECK(std::count(request.headers.begin(), request.headers.end(),
                     std::pair<std::string, std::string>{"Authorization", "token ghp_secret"}) == 1);
  }
  CHECK_THROWS_WITH(github_request(github, {.trigger = "on-deployed", .revision = "v1.2.3", .to = {"github", ""},
                                            .app = app_at("Succeeded", "Synced", "Healthy")}),
                    Catch::Contains("revision v1.2.3 is not a commit SHA"));
}

TEST_CASE("Slack message and webhook body carry the app, trigger and revision", "[notifications]") {
  auto failed = app_at("Failed", "OutOfSync", "Healthy");
  failed.operation_message = "one or more objects failed to apply";
  const Notification notification{.trigger = "on-sync-failed", .revision = kSha, .to = {"slack", "deploys"},
                                  .app = failed};
  const auto slack = slack_request({.api_url = "http://127.0.0.1:9/api", .token = "xoxb-secret", .username = "",
                                    .icon = ":rocket:"},
                                   notification);
  CHECK(slack.url == "http://127.0.0.1:9/api/chat.postMessage");
  const auto body = Json::parse(slack.body);
  CHECK(body["channel"] == "deploys");
  CHECK(body["text"] == "Application tetris: sync to " + kSha.substr(0, 12) +
                            " failed: one or more objects failed to apply");
  CHECK(body["icon_emoji"] == ":rocket:");

  const WebhookService hook{.name = "audit", .url = "http://127.0.0.1:9/hook", .headers = {}, .hmac_secret = "k"};
  const auto request = webhook_request(hook, {.trigger = "on-sync-failed", .revision = kSha, .to = {"audit", ""},
                                              .app = failed});
  const auto payload = Json::parse(request.body);
  CHECK(payload["trigger"] == "on-sync-failed");
  CHECK(payload["revision"] == kSha);
  CHECK(payload["application"]["name"] == "tetris");
  CHECK(payload["application"]["operationPhase"] == "Failed");
  CHECK(std::count(request.headers.begin(), request.headers.end(),
                   std::pair<std::string, std::string>{kSignatureHeader, webhook_signature("k", request.body)}) == 1);
}

TEST_CASE("HMAC-SHA256: RFC 4231 vectors and the signature header", "[notifications]") {
  // RFC 4231 test case 2
  CHECK(hmac_sha256_hex("Jefe", "what do ya want for nothing?") ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // RFC 4231 test case 1: key 0x0b × 20, "Hi There"
  CHECK(hmac_sha256_hex(std::string(20, '\x0b'), "Hi There") ==
        "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  CHECK(webhook_signature("Jefe", "what do ya want for nothing?") ==
        "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  CHECK(webhook_signature("other key", "body") != webhook_signature("Jefe", "body"));
}

TEST_CASE("the notified record: read back, bounded to the newest keys", "[notifications]") {
  NotifiedRecord record;
  for (int i = 0; i < 300; ++i) record[notification_key("on-deployed", "rev" + std::to_string(i), {"slack", "x"})] = 1000 + i;
  const Json annotations{{kNotifiedAnnotation, write_notified(record)}};
  const auto read = read_notified(annotations);
  CHECK(read.size() == kMaxNotified);
  CHECK(read.count("on-deployed:rev299:slack:x") == 1);
  CHECK(read.count("on-deployed:rev0:slack:x") == 0);
  CHECK(read_notified(Json{{kNotifiedAnnotation, "not json"}}).empty());
  CHECK(read_notified(Json::object()).empty());
}

TEST_CASE("Events of a status change: OperationStarted, OperationCompleted, ResourceUpdated", "[notifications]") {
  ApplicationStatus before;
  before.sync_status = "OutOfSync";
  before.health.status = gitmoor::differ::HealthStatus::Progressing;
  ApplicationStatus running = before;
  running.operation_state = OperationState{};
  running.operation_state->started_at = "2026-12-02T10:00:00Z";
  running.operation_state->revision = kSha;
  const auto summary_before = StatusSummary::of(before);
  const auto summary_running = StatusSummary::of(running);
  CHECK(status_events(&summary_before, summary_running) ==
        std::vector<StatusEvent>{{"Normal", "OperationStarted", "Initiated automated sync to '" + kSha + "'"}});
  CHECK(status_events(&summary_running, summary_running).empty());  // the same operation, still running

  ApplicationStatus done = running;
  done.operation_state->phase = OperationPhase::Succeeded;
  done.sync_status = "Synced";
  done.health.status = gitmoor::differ::HealthStatus::Healthy;
  CHECK(status_events(&summary_running, StatusSummary::of(done)) ==
        std::vector<StatusEvent>{{"Normal", "OperationCompleted", "Sync operation to " + kSha + " succeeded"},
                                 {"Normal", "ResourceUpdated", "Updated sync status: OutOfSync -> Synced"},
                                 {"Normal", "ResourceUpdated", "Updated health status: Progressing -> Healthy"}});

  ApplicationStatus failed = running;
  failed.operation_state->phase = OperationPhase::Failed;
  failed.operation_state->message = "apply failed";
  failed.operation_state->operation.initiated_by = "admin";
  failed.operation_state->started_at = "2026-12-02T10:05:00Z";
  // A new operation that failed at once (its Running state never written): only its completion.
  CHECK(status_events(&summary_running, StatusSummary::of(failed)) ==
        std::vector<StatusEvent>{{"Warning", "OperationCompleted", "Sync operation to " + kSha + " failed: apply failed"}});
  // An app seen for the first time: its sync and health are not changes.
  CHECK(status_events(nullptr, StatusSummary::of(before)).empty());
}

TEST_CASE("an Application Event is a core/v1 Event about the Application, as client-go writes one", "[notifications]") {
  const auto event = event_object({.api_version = "gitmoor.dev/v1alpha1", .name = "web", .ns = "gitmoor",
                                   .uid = "u-1", .type = "Warning", .reason = "OperationCompleted",
                                   .message = "Sync operation to abc failed: x"},
                                  "2026-12-02T10:00:00Z", 0x1a2b);
  CHECK(event["apiVersion"] == "v1");
  CHECK(event["kind"] == "Event");
  CHECK(event["metadata"] == Json{{"name", "web.1a2b"}, {"namespace", "gitmoor"}});
  CHECK(event["involvedObject"] == Json{{"apiVersion", "gitmoor.dev/v1alpha1"}, {"kind", "Application"},
                                        {"name", "web"}, {"namespace", "gitmoor"}, {"uid", "u-1"}});
  CHECK(event["source"] == Json{{"component", "gitmoor"}});
  CHECK(event["count"] == 1);
  CHECK(event["firstTimestamp"] == "2026-12-02T10:00:00Z");
  CHECK(event["lastTimestamp"] == "2026-12-02T10:00:00Z");
  CHECK(event["type"] == "Warning");
  CHECK(event["reason"] == "OperationCompleted");
  CHECK_FALSE(event.contains("eventTime"));
}
