#pragma once
// The HTTP request each service gets for one notification: GitHub's commit status API, Slack's chat.postMessage, a
// webhook's JSON signed with HMAC-SHA256. Pure: no I/O.
#include <string>
#include <utility>
#include <vector>

#include "notify_config.hpp"
#include "notify_triggers.hpp"

namespace gitmoor::engine {

inline constexpr const char* kSignatureHeader = "X-Gitmoor-Signature-256";

struct Notification {
  std::string trigger;
  std::string revision;
  Recipient to;
  AppSnapshot app;
};

struct OutgoingRequest {
  std::string url;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

// One line for people: "Application tetris: sync to 1a2b3c4d5e6f succeeded."
std::string notification_text(const Notification& notification);

// owner and repository of a GitHub URL (https://host/owner/repo(.git), git@host:owner/repo.git, ssh://...).
// Throws NotificationConfigError naming the URL when it has no owner/repo path.
std::pair<std::string, std::string> github_repository(const std::string& repo_url);

// POST {apiURL}/repos/{owner}/{repo}/statuses/{sha}: state pending (on-sync-running), success (on-sync-succeeded,
// on-deployed) or failure (on-sync-failed, on-health-degraded); context gitmoor/<app>. Throws NotificationConfigError
// when the repository URL is not GitHub-shaped or the revision is not a commit SHA.
OutgoingRequest github_request(const GithubService& service, const Notification& notification);
// POST {apiURL}/chat.postMessage {channel, text, username, icon_emoji|icon_url, attachments}.
OutgoingRequest slack_request(const SlackService& service, const Notification& notification);
// POST url with a JSON body describing the app and the trigger; signed when the webhook has an hmacSecret.
OutgoingRequest webhook_request(const WebhookService& service, const Notification& notification);

// The request for `notification` with the service it names in `config`. Throws NotificationConfigError when that
// service is not configured or cannot address this app.
OutgoingRequest notification_request(const NotificationConfig& config, const Notification& notification);

}  // namespace gitmoor::engine
