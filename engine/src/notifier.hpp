#pragma once
// Notifications, off the reconcile path: observe() takes a snapshot of an Application (cheap, never blocks); the
// dispatcher thread finds the triggers that hold and the subscriptions that ask for them (the app's annotations and
// the ConfigMap's defaults), skips what was already sent (the app's notified.gitmoor.dev annotation, and what this
// process sent or is sending), and hands each notification to its service's DeliveryQueue. A delivered notification
// is recorded in the annotation (a metadata-only change: the controller does not take it for a spec change).
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "gitmoor/applier/client.hpp"
#include "notify_config.hpp"
#include "notify_config_watch.hpp"
#include "notify_delivery.hpp"
#include "notify_record.hpp"
#include "notify_triggers.hpp"

namespace gitmoor::engine {

struct NotifierOptions {
  DeliveryOptions delivery;
  bool watch_config = true;  // false: set_config() only (tests)
};

class Notifier {
 public:
  Notifier(applier::Client& client, std::string apps_namespace, NotifierOptions options = {});
  ~Notifier();
  Notifier(const Notifier&) = delete;
  Notifier& operator=(const Notifier&) = delete;

  void start();
  void stop();

  // The app as it is now (from any thread; returns at once).
  void observe(AppSnapshot app);
  void set_config(NotificationConfig config);

 private:
  struct AppState {
    AppSnapshot snapshot;
    // Triggers seen holding since the last evaluation, each with the app as it was then: a state that passes
    // quickly (a sync running for a few milliseconds) is not lost to a later snapshot.
    std::vector<std::pair<FiredTrigger, AppSnapshot>> seen;
    NotifiedRecord sent;               // delivered: from the annotation and from this process
    std::set<std::string> in_flight;   // queued or being delivered
    std::set<std::string> given_up;    // failed for good (until the configuration changes or a restart)
    bool record_dirty = false;         // sent has keys the annotation lacks
  };

  void run(std::stop_token stop);
  void evaluate(const std::string& name);
  void write_record(const std::string& name);
  void delivered(const Delivery& delivery, bool ok);
  DeliveryQueue& queue_for(const std::string& service);

  applier::Client& client_;
  std::string ns_;
  NotifierOptions options_;
  std::unique_ptr<NotificationConfigWatch> config_watch_;

  std::mutex mutex_;
  std::condition_variable_any wake_;
  NotificationConfig config_;
  std::map<std::string, AppState> apps_;
  std::set<std::string> dirty_;     // apps to evaluate
  std::set<std::string> to_record_;  // apps whose annotation to write
  std::set<std::string> logged_;    // problems logged once
  std::map<std::string, std::unique_ptr<DeliveryQueue>> queues_;  // by service; used by the dispatcher only
  std::jthread thread_;
};

}  // namespace gitmoor::engine
