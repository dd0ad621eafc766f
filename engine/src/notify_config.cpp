// See notify_config.hpp.
#include "notify_config.hpp"

#include <algorithm>
#include <cctype>

#include "gitmoor/core/yaml.hpp"

namespace gitmoor::engine {

using core::Json;

namespace {

constexpr std::string_view kArgoSubscribe = "notifications.argoproj.io/subscribe.";
constexpr std::string_view kGitmoorSubscribe = "gitmoor.dev/subscribe.";

bool secret_key_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_' || c == '.'; }

std::string trim(std::string text) {
  const auto not_space = [](unsigned char c) { return std::isspace(c) == 0; };
  text.erase(text.begin(), std::find_if(text.begin(), text.end(), not_space));
  text.erase(std::find_if(text.rbegin(), text.rend(), not_space).base(), text.end());
  return text;
}

// The YAML object under `key`, every string field kept as text.
Json service_yaml(const Json& data, const std::string& key, const std::string& where) {
  const auto& value = data[key];
  if (!value.is_string()) throw NotificationConfigError(where + ": not a string");
  Json parsed;
  try {
    parsed = core::parse_yaml(value.get<std::string>());
  } catch (const std::exception& e) {
    throw NotificationConfigError(where + ": not YAML: " + e.what());
  }
  if (parsed.is_null()) parsed = Json::object();
  if (!parsed.is_object()) throw NotificationConfigError(where + ": expected a YAML mapping of fields");
  return parsed;
}

class FieldReader {
 public:
  FieldReader(const Json& object, std::string where, const std::map<std::string, std::string>& secrets,
              std::vector<std::string>& used)
      : object_(object), where_(std::move(where)), secrets_(secrets), used_(used) {}

  // The field as text with its `$key`s substituted; "" when absent.
  std::string text(const std::string& field, bool required = false) const {
    const auto it = object_.find(field);
    if (it == object_.end() || it->is_null()) {
      if (required) throw NotificationConfigError(where_ + ": field " + field + " is required");
      return {};
    }
    if (!it->is_string() && !it->is_number() && !it->is_boolean()) {
      throw NotificationConfigError(where_ + ": field " + field + " must be a string");
    }
    const std::string raw = it->is_string() ? it->get<std::string>() : it->dump();
    auto value = substitute_secrets(raw, secrets_, where_ + " field " + field, &used_);
    if (required && value.empty()) throw NotificationConfigError(where_ + ": field " + field + " is empty");
    return value;
  }

  void reject(const std::string& field, const std::string& why) const {
    if (object_.contains(field)) throw NotificationConfigError(where_ + ": field " + field + " " + why);
  }

 private:
  const Json& object_;
  std::string where_;
  const std::map<std::string, std::string>& secrets_;
  std::vector<std::string>& used_;
};

std::string http_url(const std::string& url, const std::string& where) {
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
    throw NotificationConfigError(where + ": expected an http:// or https:// URL");
  }
  std::string out = url;
  while (!out.empty() && out.back() == '/') out.pop_back();
  return out;
}

std::vector<std::string> string_list(const Json& value, const std::string& where) {
  std::vector<std::string> out;
  if (value.is_string()) return {value.get<std::string>()};
  if (!value.is_array()) throw NotificationConfigError(where + ": expected a list of strings");
  for (const auto& item : value) {
    if (!item.is_string()) throw NotificationConfigError(where + ": expected a list of strings");
    out.push_back(item.get<std::string>());
  }
  return out;
}

}  // namespace

bool NotificationConfig::has_service(const std::string& name) const {
  if (name == "github") return github.has_value();
  if (name == "slack") return slack.has_value();
  return webhooks.count(name) != 0;
}

std::string substitute_secrets(const std::string& value, const std::map<std::string, std::string>& secrets,
                               const std::string& where, std::vector<std::string>* used) {
  std::string out;
  for (std::size_t i = 0; i < value.size();) {
    if (value[i] != '$' || i + 1 >= value.size() || !secret_key_char(value[i + 1])) {
      out += value[i++];
      continue;
    }
    std::size_t end = i + 1;
    while (end < value.size() && secret_key_char(value[end])) ++end;
    const std::string key = value.substr(i + 1, end - i - 1);
    const auto it = secrets.find(key);
    if (it == secrets.end()) {
      throw NotificationConfigError(where + ": $" + key + " is not a key of Secret " + kNotificationsSecret);
    }
    out += it->second;
    if (used != nullptr && !it->second.empty()) used->push_back(it->second);
    i = end;
  }
  return out;
}

Recipient parse_recipient(const std::string& text) {
  const auto colon = text.find(':');
  if (colon == std::string::npos) return {trim(text), ""};
  return {trim(text.substr(0, colon)), trim(text.substr(colon + 1))};
}

std::vector<std::pair<std::string, Recipient>> annotation_subscriptions(const Json& annotations) {
  std::vector<std::pair<std::string, Recipient>> out;
  if (!annotations.is_object()) return out;
  for (const auto& [key, value] : annotations.items()) {
    std::string_view rest = key;
    if (rest.rfind(kArgoSubscribe, 0) == 0) {
      rest.remove_prefix(kArgoSubscribe.size());
    } else if (rest.rfind(kGitmoorSubscribe, 0) == 0) {
      rest.remove_prefix(kGitmoorSubscribe.size());
    } else {
      continue;
    }
    const auto dot = rest.find('.');
    if (dot == std::string_view::npos || dot == 0 || dot + 1 == rest.size()) continue;  // no trigger named
    const std::string trigger(rest.substr(0, dot));
    const std::string service(rest.substr(dot + 1));
    const std::string recipients = value.is_string() ? value.get<std::string>() : "";
    bool any = false;
    std::size_t start = 0;
    while (start <= recipients.size()) {
      const auto end = std::min(recipients.find(';', start), recipients.size());
      const auto to = trim(recipients.substr(start, end - start));
      if (!to.empty()) {
        out.push_back({trigger, Recipient{service, to}});
        any = true;
      }
      start = end + 1;
    }
    if (!any) out.push_back({trigger, Recipient{service, ""}});
  }
  return out;
}

NotificationConfig parse_notification_config(const Json& data, const std::map<std::string, std::string>& secrets,
                                             const std::string& subject) {
  NotificationConfig config;
  if (!data.is_object()) return config;
  for (const auto& [key, value] : data.items()) {
    const std::string where = subject + " key " + key;
    try {
      if (key == "service.github") {
        const auto yaml = service_yaml(data, key, where);
        FieldReader fields(yaml, where, secrets, config.secret_values);
        fields.reject("appID", "(a GitHub App) is not supported: give a token");
        fields.reject("privateKey", "(a GitHub App) is not supported: give a token");
        GithubService github;
        github.token = fields.text("token", true);
        if (auto url = fields.text("apiURL"); !url.empty()) github.api_url = http_url(url, where + " field apiURL");
        config.github = std::move(github);
      } else if (key == "service.slack") {
        const auto yaml = service_yaml(data, key, where);
        FieldReader fields(yaml, where, secrets, config.secret_values);
        SlackService slack;
        slack.token = fields.text("token", true);
        if (auto url = fields.text("apiURL"); !url.empty()) slack.api_url = http_url(url, where + " field apiURL");
        slack.username = fields.text("username");
        slack.icon = fields.text("icon");
        config.slack = std::move(slack);
      } else if (key.rfind("service.webhook.", 0) == 0) {
        WebhookService webhook;
        webhook.name = key.substr(std::string("service.webhook.").size());
        if (webhook.name.empty()) throw NotificationConfigError(where + ": the webhook has no name");
        if (webhook.name == "github" || webhook.name == "slack") {
          throw NotificationConfigError(where + ": the name " + webhook.name + " is taken by a built-in service");
        }
        const auto yaml = service_yaml(data, key, where);
        FieldReader fields(yaml, where, secrets, config.secret_values);
        webhook.url = http_url(fields.text("url", true), where + " field url");
        webhook.hmac_secret = fields.text("hmacSecret");
        if (const auto it = yaml.find("headers"); it != yaml.end() && !it->is_null()) {
          if (!it->is_array()) throw NotificationConfigError(where + ": field headers must be a list of {name, value}");
          for (const auto& header : *it) {
            if (!header.is_object() || !header.contains("name")) {
              throw NotificationConfigError(where + ": field headers must be a list of {name, value}");
            }
            FieldReader header_fields(header, where + " header", secrets, config.secret_values);
            const auto name = header_fields.text("name", true);
            if (name.find_first_of("\r\n:") != std::string::npos) {
              throw NotificationConfigError(where + ": header name " + name + " is not a header name");
            }
            const auto header_value = header_fields.text("value");
            if (header_value.find_first_of("\r\n") != std::string::npos) {
              throw NotificationConfigError(where + ": the value of header " + name + " has a line break");
            }
            webhook.headers.emplace_back(name, header_value);
          }
        }
        config.webhooks[webhook.name] = std::move(webhook);
      } else if (key == "subscriptions") {
        if (!value.is_string()) throw NotificationConfigError(where + ": not a string");
        Json list;
        try {
          list = core::parse_yaml(value.get<std::string>());
        } catch (const std::exception& e) {
          throw NotificationConfigError(where + ": not YAML: " + e.what());
        }
        if (list.is_null()) continue;
        if (!list.is_array()) throw NotificationConfigError(where + ": expected a list of {recipients, triggers}");
        for (std::size_t i = 0; i < list.size(); ++i) {
          const auto& item = list[i];
          const std::string item_where = where + " item " + std::to_string(i + 1);
          if (!item.is_object()) throw NotificationConfigError(item_where + ": expected {recipients, triggers}");
          NotificationSubscription subscription;
          for (const auto& text : string_list(item.value("recipients", Json::array()), item_where + " recipients")) {
            subscription.recipients.push_back(parse_recipient(text));
          }
          subscription.triggers = string_list(item.value("triggers", Json::array()), item_where + " triggers");
          if (subscription.recipients.empty()) throw NotificationConfigError(item_where + ": no recipients");
          if (subscription.triggers.empty()) throw NotificationConfigError(item_where + ": no triggers");
          config.subscriptions.push_back(std::move(subscription));
        }
      } else if (key.rfind("service.", 0) == 0) {
        throw NotificationConfigError(where + ": unknown service (github, slack and webhook.<name> are supported)");
      } else if (key.rfind("trigger.", 0) == 0 || key.rfind("template.", 0) == 0 || key.rfind("defaultTriggers", 0) == 0) {
        throw NotificationConfigError(where + ": not supported: gitmoor's triggers and messages are built in");
      }
      // Other keys (context, ...) are Argo CD settings gitmoor has no use for: ignored.
    } catch (const NotificationConfigError& e) {
      config.problems.push_back(e.what());
    }
  }
  return config;
}

}  // namespace gitmoor::engine
