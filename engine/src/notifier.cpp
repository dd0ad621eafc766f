// See notifier.hpp.
#include "notifier.hpp"

#include <algorithm>
#include <chrono>
#include <utility>

#include "gitmoor/core/logging.hpp"
#include "notify_payloads.hpp"

namespace gitmoor::engine {

using core::Json;

namespace {

spdlog::logger& log() {
  static const auto logger = core::logger("notifications");
  return *logger;
}

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// Every (trigger, recipient) the app subscribes to: its annotations, then the ConfigMap's defaults. A GitHub
// destination also gets `pending` while a sync of the revision runs (on-sync-running), as the status of a commit
// being deployed.
std::set<std::pair<std::string, Recipient>> subscriptions_of(const AppSnapshot& app, const NotificationConfig& config) {
  std::set<std::pair<std::string, Recipient>> out;
  for (auto& subscription : annotation_subscriptions(app.annotations)) out.insert(std::move(subscription));
  for (const auto& subscription : config.subscriptions) {
    for (const auto& trigger : subscription.triggers) {
      for (const auto& recipient : subscription.recipients) out.insert({trigger, recipient});
    }
  }
  std::set<std::pair<std::string, Recipient>> pending;
  for (const auto& [trigger, recipient] : out) {
    if (recipient.service == "github") pending.insert({std::string(kOnSyncRunning), recipient});
  }
  out.insert(pending.begin(), pending.end());
  return out;
}

}  // namespace

Notifier::Notifier(applier::Client& client, std::string apps_namespace, NotifierOptions options)
    : client_(client), ns_(std::move(apps_namespace)), options_(options) {}

Notifier::~Notifier() { stop(); }

void Notifier::start() {
  if (thread_.joinable()) return;
  thread_ = std::jthread([this](std::stop_token stop) { run(stop); });
  if (options_.watch_config) {
    config_watch_ = std::make_unique<NotificationConfigWatch>(client_, ns_,
                                                              [this](NotificationConfig config) { set_config(std::move(config)); });
    config_watch_->start();
  }
}

void Notifier::stop() {
  if (config_watch_) config_watch_->stop();
  if (thread_.joinable()) {
    thread_.request_stop();
    wake_.notify_all();
    thread_.join();
  }
  // The dispatcher is gone: nobody else touches the queues now. Each stop cancels its request in flight.
  for (auto& [service, queue] : queues_) queue->stop();
  queues_.clear();
}

void Notifier::set_config(NotificationConfig config) {
  {
    std::lock_guard lock(mutex_);
    config_ = std::move(config);
    logged_.clear();
    for (auto& [name, state] : apps_) {
      state.given_up.clear();  // a fixed configuration gets its chance
      dirty_.insert(name);
    }
  }
  wake_.notify_all();
}

void Notifier::observe(AppSnapshot app) {
  {
    std::lock_guard lock(mutex_);
    auto& state = apps_[app.name];
    if (state.snapshot == app) return;
    for (const auto& [key, at] : read_notified(app.annotations)) state.sent.emplace(key, at);
    for (auto& fired : fired_triggers(app)) {
      const bool known = std::any_of(state.seen.begin(), state.seen.end(),
                                     [&](const auto& entry) { return entry.first == fired; });
      if (!known) state.seen.emplace_back(std::move(fired), app);
    }
    dirty_.insert(app.name);
    state.snapshot = std::move(app);
  }
  wake_.notify_all();
}

void Notifier::run(std::stop_token stop) {
  for (;;) {
    std::set<std::string> dirty, to_record;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, stop, [&] { return !dirty_.empty() || !to_record_.empty(); });
      if (stop.stop_requested()) return;
      dirty.swap(dirty_);
      to_record.swap(to_record_);
    }
    for (const auto& name : dirty) evaluate(name);
    for (const auto& name : to_record) write_record(name);
  }
}

DeliveryQueue& Notifier::queue_for(const std::string& service) {
  auto& queue = queues_[service];
  if (!queue) {
    queue = std::make_unique<DeliveryQueue>(service, options_.delivery,
                                            [this](const Delivery& delivery, bool ok) { delivered(delivery, ok); });
  }
  return *queue;
}

void Notifier::evaluate(const std::string& name) {
  std::vector<Delivery> deliveries;
  {
    std::lock_guard lock(mutex_);
    const auto it = apps_.find(name);
    if (it == apps_.end()) return;
    auto& state = it->second;
    if (config_.empty()) {
      state.seen.clear();  // nothing configured: nothing to tell, now or later
      return;
    }
    // What holds now, and what held since the last evaluation (each with the app as it was).
    auto fired = std::exchange(state.seen, {});
    for (auto& now : fired_triggers(state.snapshot)) fired.emplace_back(std::move(now), state.snapshot);
    for (const auto& [trigger, recipient] : subscriptions_of(state.snapshot, config_)) {
      if (!is_trigger(trigger)) {
        const auto problem = "application " + name + " subscribes to " + trigger +
                             ", which is no trigger (on-sync-succeeded, on-sync-failed, on-health-degraded, "
                             "on-deployed, on-sync-running)";
        if (logged_.insert(problem).second) log().error("notifications: {}", problem);
        continue;
      }
      for (const auto& [fire, snapshot] : fired) {
        if (fire.trigger != trigger) continue;
        const auto key = notification_key(trigger, fire.revision, recipient);
        if (state.sent.count(key) != 0 || state.in_flight.count(key) != 0 || state.given_up.count(key) != 0) continue;
        const Notification notification{.trigger = trigger, .revision = fire.revision, .to = recipient,
                                        .app = snapshot};
        const std::string subject =
            trigger + " to " + recipient.service + (recipient.to.empty() ? "" : ":" + recipient.to);
        try {
          auto request = notification_request(config_, notification);
          deliveries.push_back({.key = key,
                                .app = name,
                                .service = recipient.service,
                                .subject = subject,
                                .request = {.url = std::move(request.url),
                                            .body = std::move(request.body),
                                            .headers = std::move(request.headers)},
                                .secrets = config_.secret_values});
          state.in_flight.insert(key);
        } catch (const NotificationConfigError& e) {
          state.given_up.insert(key);
          log().error("notifications: {} of application {} not sent: {}", subject, name, e.what());
        }
      }
    }
  }
  for (auto& delivery : deliveries) {
    const std::string service = delivery.service;
    const std::string key = delivery.key;
    if (!queue_for(service).push(std::move(delivery))) {
      std::lock_guard lock(mutex_);
      apps_[name].in_flight.erase(key);  // the queue is full: the next change of the app tries again
      log().warn("notifications: the queue of {} is full; a notification of application {} waits", service, name);
    }
  }
}

void Notifier::delivered(const Delivery& delivery, bool ok) {
  {
    std::lock_guard lock(mutex_);
    auto& state = apps_[delivery.app];
    state.in_flight.erase(delivery.key);
    if (ok) {
      state.sent[delivery.key] = unix_now();
      trim_notified(state.sent);  // what the annotation keeps, so memory stays bounded too
      to_record_.insert(delivery.app);
    } else {
      state.given_up.insert(delivery.key);
    }
  }
  wake_.notify_all();
}

void Notifier::write_record(const std::string& name) {
  AppSnapshot app;
  NotifiedRecord sent;
  {
    std::lock_guard lock(mutex_);
    const auto it = apps_.find(name);
    if (it == apps_.end()) return;
    app = it->second.snapshot;
    sent = it->second.sent;
  }
  if (app.ns.empty() || app.api_version.empty()) return;  // a file Application: kept in memory only
  const Json patch{{"metadata", {{"annotations", {{kNotifiedAnnotation, write_notified(sent)}}}}}};
  try {
    const auto response = client_.send({.method = "PATCH",
                                        .path = "/apis/" + app.api_version + "/namespaces/" + app.ns + "/applications/" + name,
                                        .body = patch.dump(),
                                        .content_type = "application/merge-patch+json"});
    if (response.status >= 300 && response.status != 404) {
      log().warn("notifications: the record of application {} not written: HTTP {} (a restart may notify again)",
                 name, response.status);
    }
  } catch (const std::exception& e) {
    log().warn("notifications: the record of application {} not written: {} (a restart may notify again)", name,
               e.what());
  }
}

}  // namespace gitmoor::engine
