// See health_rules_watch.hpp.
#include "health_rules_watch.hpp"

#include "gitmoor/core/logging.hpp"

namespace gitmoor::engine {

namespace {

spdlog::logger& log() {
  static const auto logger = core::logger("engine");
  return *logger;
}

constexpr auto kRetryInterval = std::chrono::seconds(10);

}  // namespace

HealthRulesWatch::HealthRulesWatch(applier::Client& client, std::string ns, Changed changed)
    : client_(client), ns_(std::move(ns)), changed_(std::move(changed)) {}

HealthRulesWatch::~HealthRulesWatch() { stop(); }

void HealthRulesWatch::start() {
  retry_.start([this] { return try_start(); }, kRetryInterval);
}

bool HealthRulesWatch::try_start() {
  const applier::WatchTarget target{
      .resource = applier::ApiResource{.gvk = {.group = "", .version = "v1", .kind = "ConfigMap"},
                                       .resource = "configmaps",
                                       .namespaced = true,
                                       .verbs = {"list", "watch"}},
      .ns = ns_,
      .label_selector = "",
      .field_selector = "metadata.name=" + std::string(kSettingsConfigMap)};
  auto cache = std::make_unique<applier::LiveCache>(client_, std::vector<applier::WatchTarget>{target});
  cache->on_change([this](applier::LiveEvent, const core::Object&) { rebuild(); });
  try {
    cache->start();
  } catch (const std::exception& e) {
    cache->stop();
    log().error("health rules: cannot list ConfigMap {}/{} (tried again every {} s; built-in health rules only until "
                "then): {}",
                ns_, kSettingsConfigMap, kRetryInterval.count(), e.what());
    return false;
  }
  {
    std::lock_guard lock(mutex_);
    cache_ = std::move(cache);
  }
  rebuild();
  return true;
}

void HealthRulesWatch::stop() {
  retry_.stop();
  std::unique_ptr<applier::LiveCache> cache;
  {
    std::lock_guard lock(mutex_);
    cache = std::move(cache_);
  }
  // Outside the lock: a watch thread may be waiting for it in rebuild(), and stopping joins the watch threads.
  if (cache) cache->stop();
}

void HealthRulesWatch::rebuild() {
  std::lock_guard lock(mutex_);
  if (!cache_) return;  // still starting, or stopped
  std::map<std::string, std::string> rules;
  for (const auto& object : cache_->objects()) {
    const auto data = object.json().value("data", core::Json::object());  // kept: items() refers to it
    if (!data.is_object()) continue;
    for (const auto& [key, value] : data.items()) {
      if (key.starts_with(differ::kLuaHealthKeyPrefix) && key.size() > differ::kLuaHealthKeyPrefix.size() &&
          value.is_string()) {
        rules[key] = value.get<std::string>();
      }
    }
  }
  if (rules == rules_) return;  // an edit to other keys (accounts) changes no health
  rules_ = rules;
  std::string kinds;
  for (const auto& [key, script] : rules_) {
    kinds += (kinds.empty() ? "" : ", ") + key.substr(differ::kLuaHealthKeyPrefix.size());
  }
  log().info("health rules from ConfigMap {}/{}: {}", ns_, kSettingsConfigMap, kinds.empty() ? "none" : kinds);
  if (changed_) changed_(std::make_shared<const differ::LuaHealthRules>(differ::LuaHealthRules::from_config_map(rules)));
}

}  // namespace gitmoor::engine
