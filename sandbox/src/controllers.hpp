#pragma once
// Simulated controllers, so workloads behave as on a cluster: Deployment → ReplicaSet → Pods that turn Running and
// Ready after a delay, rollouts on template changes, status and conditions; StatefulSet, DaemonSet, Job, PVC,
// LoadBalancer Service and HPA status. One thread; it reacts to store events and to its own timers.
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "cluster.hpp"
#include "hpa.hpp"
#include "usage.hpp"

namespace gitmoor::sandbox {

struct ControllerOptions {
  std::chrono::milliseconds pod_ready_delay{300};
  std::chrono::milliseconds hpa_sync_period{std::chrono::seconds(15)};
  const Usage* usage = nullptr;  // the Pods' simulated usage the HPAs scale on (null: default load only)
};

class Controllers {
 public:
  Controllers(Cluster& cluster, ControllerOptions options);
  ~Controllers();
  void stop();

 private:
  void run();
  void on_event(const Event& event);
  void reconcile(const ObjectRef& ref);

  Cluster& cluster_;
  ControllerOptions options_;
  std::mutex mutex_;  // guards the queue; taken inside the store mutex by on_event, never the other way round
  std::condition_variable cv_;
  std::set<ObjectRef> queue_;
  std::multimap<std::chrono::steady_clock::time_point, ObjectRef> timers_;
  std::map<std::string, std::chrono::steady_clock::time_point> pod_seen_;  // pod uid → first seen
  // Crash-looping Pods (uid): when the kubelet restarts their failed containers next.
  std::map<std::string, std::chrono::steady_clock::time_point> restart_due_;
  std::set<std::string> images_;       // images "pulled" on the node: later Pods find them present
  std::vector<Json> stopped_pods_;     // deleted Pods whose containers ran: the kubelet reports Killing
  unsigned lb_counter_ = 0;
  Usage default_usage_;
  HpaController hpa_;
  bool stopping_ = false;
  std::thread thread_;

  friend struct ControllerLogic;
};

}  // namespace gitmoor::sandbox
