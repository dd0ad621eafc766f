// See notify_config_watch.hpp.
#include "notify_config_watch.hpp"

#include "base64.hpp"
#include "gitmoor/core/logging.hpp"

namespace gitmoor::engine {

using core::Json;

namespace {

spdlog::logger& log() {
  static const auto logger = core::logger("notifications");
  return *logger;
}

applier::ApiResource core_resource(const char* kind, const char* plural) {
  return applier::ApiResource{.gvk = {.group = "", .version = "v1", .kind = kind},
                              .resource = plural,
                              .namespaced = true,
                              .verbs = {"list", "watch"}};
}

constexpr auto kRetryInterval = std::chrono::seconds(10);

}  // namespace

NotificationConfigWatch::NotificationConfigWatch(applier::Client& client, std::string ns, Changed changed)
    : client_(client), ns_(std::move(ns)), changed_(std::move(changed)) {}

NotificationConfigWatch::~NotificationConfigWatch() { stop(); }

void NotificationConfigWatch::start() {
  retry_.start([this] { return try_start(); }, kRetryInterval);
}

bool NotificationConfigWatch::try_start() {
  const std::vector<applier::WatchTarget> targets{
      {.resource = core_resource("ConfigMap", "configmaps"), .ns = ns_, .label_selector = "",
       .field_selector = std::string("metadata.name=") + kNotificationsConfigMap},
      {.resource = core_resource("Secret", "secrets"), .ns = ns_, .label_selector = "",
       .field_selector = std::string("metadata.name=") + kNotificationsSecret}};
  std::vector<std::unique_ptr<applier::LiveCache>> caches;
  try {
    for (const auto& target : targets) {
      caches.push_back(std::make_unique<applier::LiveCache>(client_, std::vector<applier::WatchTarget>{target}));
      caches.back()->on_change([this](applier::LiveEvent, const core::Object&) { rebuild(); });
      caches.back()->start();
    }
  } catch (const std::exception& e) {
    for (auto& cache : caches) cache->stop();
    log().error("notifications: cannot list ConfigMap {} and Secret {} in namespace {} (tried again every {} s; no "
                "notifications until then): {}",
                kNotificationsConfigMap, kNotificationsSecret, ns_, kRetryInterval.count(), e.what());
    return false;
  }
  {
    std::lock_guard lock(mutex_);
    caches_ = std::move(caches);
  }
  rebuild();
  return true;
}

void NotificationConfigWatch::stop() {
  retry_.stop();
  std::vector<std::unique_ptr<applier::LiveCache>> caches;
  {
    std::lock_guard lock(mutex_);
    caches = std::move(caches_);
    caches_.clear();
  }
  for (auto& cache : caches) cache->stop();
}

void NotificationConfigWatch::rebuild() {
  std::lock_guard lock(mutex_);
  if (caches_.size() != 2) return;  // still starting, or stopped
  Json data = Json::object();
  for (const auto& object : caches_[0]->objects()) data = object.json().value("data", Json::object());
  std::map<std::string, std::string> secrets;
  for (const auto& object : caches_[1]->objects()) {
    const Json secret_data = object.json().value("data", Json::object());
    for (const auto& [key, value] : secret_data.items()) {
      if (value.is_string()) secrets[key] = base64_decode(value.get<std::string>());
    }
  }
  const std::string subject = "ConfigMap " + ns_ + "/" + kNotificationsConfigMap;
  auto config = parse_notification_config(data, secrets, subject);
  std::string secret_fingerprint;
  for (const auto& [key, value] : secrets) secret_fingerprint += key + "=" + std::to_string(std::hash<std::string>{}(value)) + ";";
  const std::string fingerprint = data.dump() + "|" + secret_fingerprint;
  if (fingerprint == fingerprint_) return;
  fingerprint_ = fingerprint;
  std::set<std::string> problems(config.problems.begin(), config.problems.end());
  for (const auto& problem : problems) {
    if (logged_.count(problem) == 0) log().error("notifications: {}", problem);
  }
  logged_ = std::move(problems);
  log().info("notifications: configuration from {} read: {}{}{} webhook(s), {} default subscription(s)", subject,
             config.github ? "github, " : "", config.slack ? "slack, " : "", config.webhooks.size(),
             config.subscriptions.size());
  if (changed_) changed_(std::move(config));
}

}  // namespace gitmoor::engine
