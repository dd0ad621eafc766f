// See notify_payloads.hpp.
#include "notify_payloads.hpp"

#include <algorithm>
#include <cctype>

#include "gitmoor/engine/repo_url.hpp"
#include "notify_hmac.hpp"

namespace gitmoor::engine {

using core::Json;

namespace {

std::string short_revision(const std::string& revision) { return revision.substr(0, 12); }

bool is_commit_sha(const std::string& revision) {
  return revision.size() == 40 &&
         std::all_of(revision.begin(), revision.end(), [](unsigned char c) { return std::isxdigit(c) != 0; });
}

std::string github_state(const std::string& trigger) {
  if (trigger == kOnSyncRunning) return "pending";
  if (trigger == kOnSyncSucceeded || trigger == kOnDeployed) return "success";
  return "failure";
}

// Slack's attachment colour per trigger (Argo CD's catalog uses these).
std::string slack_color(const std::string& trigger) {
  if (trigger == kOnSyncRunning) return "#0DADEA";
  if (trigger == kOnSyncSucceeded || trigger == kOnDeployed) return "#18be52";
  return "#E96D76";
}

}  // namespace

std::string notification_text(const Notification& n) {
  const auto& app = n.app;
  const std::string revision = short_revision(n.revision);
  if (n.trigger == kOnSyncRunning) return "Application " + app.name + ": sync to " + revision + " started.";
  if (n.trigger == kOnSyncSucceeded) return "Application " + app.name + ": sync to " + revision + " succeeded.";
  if (n.trigger == kOnDeployed) return "Application " + app.name + ": revision " + revision + " is deployed and Healthy.";
  if (n.trigger == kOnSyncFailed) {
    return "Application " + app.name + ": sync to " + revision + " failed" +
           (app.operation_message.empty() ? "." : ": " + app.operation_message);
  }
  if (n.trigger == kOnHealthDegraded) {
    return "Application " + app.name + " is Degraded at revision " + revision +
           (app.health_message.empty() ? "." : ": " + app.health_message);
  }
  return "Application " + app.name + ": " + n.trigger + " at revision " + revision + ".";
}

std::pair<std::string, std::string> github_repository(const std::string& repo_url) {
  // host[:port]/owner/repo, lower-cased, without scheme, user and .git
  const std::string normalized = normalize_repo_url(repo_url);
  const auto first = normalized.find('/');
  if (first != std::string::npos && normalized.rfind("file://", 0) != 0) {
    const std::string path = normalized.substr(first + 1);
    const auto slash = path.find('/');
    if (slash != std::string::npos && slash > 0 && slash + 1 < path.size() &&
        path.find('/', slash + 1) == std::string::npos) {
      return {path.substr(0, slash), path.substr(slash + 1)};
    }
  }
  throw NotificationConfigError("repoURL " + repo_url + " is not a GitHub repository (owner/repo)");
}

OutgoingRequest github_request(const GithubService& service, const Notification& n) {
  const auto [owner, repo] = github_repository(n.app.repo_url);
  if (!is_commit_sha(n.revision)) {
    throw NotificationConfigError("revision " + n.revision + " is not a commit SHA: GitHub has no status for it");
  }
  std::string description = notification_text(n);
  if (description.size() > 140) description = description.substr(0, 137) + "...";  // GitHub's limit
  const Json body{{"state", github_state(n.trigger)}, {"context", "gitmoor/" + n.app.name}, {"description", description}};
  return {.url = service.api_url + "/repos/" + owner + "/" + repo + "/statuses/" + n.revision,
          .body = body.dump(),
          .headers = {{"Authorization", "token " + service.token},
                      {"Accept", "application/vnd.github+json"},
                      {"Content-Type", "application/json"}}};
}

OutgoingRequest slack_request(const SlackService& service, const Notification& n) {
  Json body{{"channel", n.to.to},
            {"text", notification_text(n)},
            {"attachments",
             Json::array({{{"color", slack_color(n.trigger)},
                           {"title", n.app.name},
                           {"fields",
                            Json::array({{{"title", "Sync Status"}, {"value", n.app.sync_status}, {"short", true}},
                                         {{"title", "Health"}, {"value", n.app.health_status}, {"short", true}},
                                         {{"title", "Revision"}, {"value", n.revision}, {"short", false}},
                                         {{"title", "Repository"}, {"value", n.app.repo_url}, {"short", false}}})}}})}};
  if (!service.username.empty()) body["username"] = service.username;
  if (!service.icon.empty()) body[service.icon.rfind("http", 0) == 0 ? "icon_url" : "icon_emoji"] = service.icon;
  return {.url = service.api_url + "/chat.postMessage",
          .body = body.dump(),
          .headers = {{"Authorization", "Bearer " + service.token},
                      {"Content-Type", "application/json; charset=utf-8"}}};
}

OutgoingRequest webhook_request(const WebhookService& service, const Notification& n) {
  const auto& app = n.app;
  const Json body{{"trigger", n.trigger},
                  {"message", notification_text(n)},
                  {"revision", n.revision},
                  {"recipient", n.to.to},
                  {"application",
                   {{"name", app.name},
                    {"namespace", app.ns},
                    {"repoURL", app.repo_url},
                    {"syncStatus", app.sync_status},
                    {"healthStatus", app.health_status},
                    {"healthMessage", app.health_message},
                    {"operationPhase", app.operation_phase},
                    {"operationMessage", app.operation_message}}}};
  OutgoingRequest out{.url = service.url, .body = body.dump(), .headers = service.headers};
  const bool has_type = std::any_of(out.headers.begin(), out.headers.end(), [](const auto& header) {
    std::string name = header.first;
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    return name == "content-type";
  });
  if (!has_type) out.headers.emplace_back("Content-Type", "application/json");
  if (!service.hmac_secret.empty()) out.headers.emplace_back(kSignatureHeader, webhook_signature(service.hmac_secret, out.body));
  return out;
}

OutgoingRequest notification_request(const NotificationConfig& config, const Notification& n) {
  const auto& service = n.to.service;
  if (service == "github") {
    if (!config.github) throw NotificationConfigError("service github is not configured (key service.github)");
    return github_request(*config.github, n);
  }
  if (service == "slack") {
    if (!config.slack) throw NotificationConfigError("service slack is not configured (key service.slack)");
    if (n.to.to.empty()) throw NotificationConfigError("a slack subscription needs a channel as recipient");
    return slack_request(*config.slack, n);
  }
  const auto it = config.webhooks.find(service);
  if (it == config.webhooks.end()) {
    throw NotificationConfigError("service " + service + " is not configured (no key service.webhook." + service + ")");
  }
  return webhook_request(it->second, n);
}

}  // namespace gitmoor::engine
