#pragma once
// The notifications configuration: ConfigMap gitmoor-notifications-cm and Secret gitmoor-notifications-secret in the
// apps namespace, in Argo CD notifications' format (argocd-notifications-cm / -secret), a subset of it:
//   service.github          token (a GitHub token), apiURL (default https://api.github.com)
//   service.slack           token, apiURL (default https://slack.com/api), username, icon
//   service.webhook.<name>  url, headers [{name, value}], hmacSecret (signs the body: X-Gitmoor-Signature-256)
//   subscriptions           [{recipients: [<service>[:<recipient>]], triggers: [<trigger>]}]: defaults for every app
// Any value may name a Secret key as `$key` (Argo CD's convention); it is replaced by that key's value. Triggers are
// built in (notify_triggers.hpp); `trigger.*`, `template.*` and `defaultTriggers*` keys are not supported and said so.
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "gitmoor/core/error.hpp"
#include "gitmoor/core/object.hpp"

namespace gitmoor::engine {

inline constexpr const char* kNotificationsConfigMap = "gitmoor-notifications-cm";
inline constexpr const char* kNotificationsSecret = "gitmoor-notifications-secret";

// What a configuration key or a subscription got wrong; the message names the ConfigMap key. Never a secret value.
class NotificationConfigError : public core::InvalidInput {
 public:
  using core::InvalidInput::InvalidInput;
};

struct GithubService {
  std::string api_url = "https://api.github.com";
  std::string token;
};

struct SlackService {
  std::string api_url = "https://slack.com/api";
  std::string token;
  std::string username;
  std::string icon;  // an emoji (:rocket:) or an image URL
};

struct WebhookService {
  std::string name;
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string hmac_secret;  // "" = the body is not signed
};

// One destination: a service name as subscriptions write it (github, slack, a webhook's name) and a recipient (a
// Slack channel; "" for services that have none).
struct Recipient {
  std::string service;
  std::string to;
  friend auto operator<=>(const Recipient&, const Recipient&) = default;
};

struct NotificationSubscription {
  std::vector<std::string> triggers;
  std::vector<Recipient> recipients;
};

struct NotificationConfig {
  std::optional<GithubService> github;
  std::optional<SlackService> slack;
  std::map<std::string, WebhookService> webhooks;  // by name
  std::vector<NotificationSubscription> subscriptions;         // the ConfigMap's defaults
  // Keys that could not be used, each message naming its key: logged; the other keys still work.
  std::vector<std::string> problems;
  // Every secret value substituted: the sender masks them out of anything it logs.
  std::vector<std::string> secret_values;

  [[nodiscard]] bool has_service(const std::string& name) const;
  [[nodiscard]] bool empty() const { return !github && !slack && webhooks.empty(); }
};

// `data`: the ConfigMap's data (strings); `secrets`: the Secret's values, decoded. `subject` names the ConfigMap
// ("ConfigMap gitmoor/gitmoor-notifications-cm") in messages. Never throws: problems are collected per key.
NotificationConfig parse_notification_config(const core::Json& data, const std::map<std::string, std::string>& secrets,
                                             const std::string& subject);

// `value` with every `$key` replaced by secrets[key]. Throws NotificationConfigError naming `where` and the key
// (not its value) when the Secret has no such key.
std::string substitute_secrets(const std::string& value, const std::map<std::string, std::string>& secrets,
                               const std::string& where, std::vector<std::string>* used = nullptr);

// A recipient as Argo CD writes one: `slack:my-channel`, `github`, `github:`, `my-webhook`.
Recipient parse_recipient(const std::string& text);

// The subscriptions an Application asks for with annotations notifications.argoproj.io/subscribe.<trigger>.<service>
// (or gitmoor.dev/subscribe.<trigger>.<service>): value = recipients separated by `;` ("" for github and webhooks).
std::vector<std::pair<std::string, Recipient>> annotation_subscriptions(const core::Json& annotations);

}  // namespace gitmoor::engine
