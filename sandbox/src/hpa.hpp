#pragma once
// The HorizontalPodAutoscaler controller, after kube's pkg/controller/podautoscaler (horizontal.go,
// replica_calculator.go): Resource metrics (cpu, memory; Utilization and AverageValue targets) from the simulated
// usage (usage.hpp) of the ready Pods the target's scale selects, tolerance 0.1, desired = ceil(ratio * pods),
// then min/max, stabilisation windows and scaling policies over the history of recommendations and scale events
// (normalizeDesiredReplicasWithBehaviors). It writes the target's replicas through its scale subresource as
// kube-controller-manager, the status in autoscaling/v2 shape, and Events. Each HPA is synced when first seen,
// when its spec changes, and then every sync period (kube's --horizontal-pod-autoscaler-sync-period, 15 s).
//
// The algorithm is in namespace hpa as pure functions with the time passed in, so it is unit-tested without a
// clock; HpaController adapts it to the store.
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cluster.hpp"
#include "usage.hpp"

namespace gitmoor::sandbox {

namespace hpa {

using Json = nlohmann::json;
using Clock = std::chrono::steady_clock;
using Time = Clock::time_point;

inline constexpr double kTolerance = 0.1;  // kube's --horizontal-pod-autoscaler-tolerance
inline constexpr std::chrono::seconds kDownscaleStabilisation{300};  // --horizontal-pod-autoscaler-downscale-stabilization

enum class PolicyType { Pods, Percent };
struct ScalingPolicy {
  PolicyType type = PolicyType::Pods;
  int value = 0;
  int period_seconds = 0;
};
enum class SelectPolicy { Max, Min, Disabled };
struct ScalingRules {
  std::optional<int> stabilization_window_seconds;  // unset for scaleDown: the controller's 300 s
  SelectPolicy select = SelectPolicy::Max;
  std::vector<ScalingPolicy> policies;
};
struct Behavior {
  ScalingRules scale_up;
  ScalingRules scale_down;
};
// spec.behavior (as the API server defaulted it: what is missing gets kube's default rules); nullopt without one.
std::optional<Behavior> behavior_from_json(const Json& spec);

struct Recommendation {
  int replicas = 0;
  Time at;
};
struct ScaleEvent {
  int change = 0;  // replicas added (scale_up) or removed (scale_down)
  Time at;
  bool outdated = false;  // older than the longest policy period: its slot is reused
};
// What the controller remembers of one HPA between syncs.
struct History {
  std::vector<Recommendation> recommendations;
  std::vector<ScaleEvent> scale_up;
  std::vector<ScaleEvent> scale_down;
};

struct Replicas {
  int current = 0;
  int desired = 0;  // what the metrics ask for
  int min = 1;
  int max = 1;
};
struct ConditionReport {
  bool status = true;
  std::string reason;
  std::string message;
};
struct Normalized {
  int replicas = 0;
  ConditionReport able_to_scale;
  ConditionReport scaling_limited;
};

// The first recommendation of an HPA is its target's current size.
void record_initial_recommendation(History& history, int current, Time now);
// Without spec.behavior: the highest recommendation of the downscale window, then min, max and the scale-up limit
// max(2 * current, 4) (normalizeDesiredReplicas).
Normalized normalize(History& history, const Replicas& replicas, Time now,
                     std::chrono::seconds downscale_window = kDownscaleStabilisation);
// With spec.behavior: stabilisation windows, then the policies' rate over the recorded scale events, then min/max.
Normalized normalize_with_behavior(History& history, const Replicas& replicas, Behavior behavior, Time now,
                                   std::chrono::seconds downscale_window = kDownscaleStabilisation);
// Records a rescale from `previous` to `next` (reusing an outdated slot), for the policies' periods.
void store_scale_event(History& history, const std::optional<Behavior>& behavior, int previous, int next, Time now);

// One Pod the target's selector picks, as the replica calculator sees it.
struct PodSample {
  std::string name;
  std::string phase;  // Pending, Running, Failed...
  bool deleting = false;
  bool ready = false;                 // condition Ready True
  std::optional<std::int64_t> usage;  // milli-units from the metrics API; unset: no metrics for this Pod
  std::int64_t request = 0;           // milli-units, summed over the containers
  std::string missing_request;        // the first container without a request for the resource
};
struct MetricResult {
  int replicas = 0;
  int utilization = 0;           // percent of the requests (Utilization targets)
  std::int64_t average = 0;      // milli-units per Pod
};
// The replica calculator's refusals, in kube's words ("missing request for cpu in container app of Pod web-1").
class MetricError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
// GetResourceReplicas: a target utilisation (percent of the requests) of `resource` ("cpu", "memory").
MetricResult utilization_replicas(int current, int target_utilization, const std::string& resource,
                                  const std::vector<PodSample>& pods, double tolerance = kTolerance);
// GetRawResourceReplicas: a target average value per Pod, in milli-units.
MetricResult average_value_replicas(int current, std::int64_t target_average, const std::string& resource,
                                    const std::vector<PodSample>& pods, double tolerance = kTolerance);

}  // namespace hpa

class HpaController {
 public:
  explicit HpaController(std::chrono::milliseconds sync_period) : sync_period_(sync_period) {}

  // Syncs `hpa` if it is due (first seen, spec changed, or a sync period since its last sync). Returns when it wants
  // to be reconciled next, or nullopt when a visit is already scheduled. Runs with the store mutex held.
  std::optional<hpa::Time> reconcile(Cluster& cluster, const Usage& usage, const ObjectPtr& hpa, hpa::Time now);

 private:
  struct State {
    std::string uid;
    long long generation = 0;
    hpa::Time last_sync;
    hpa::Time next_visit;
    hpa::History history;
  };
  void sync(Cluster& cluster, const Usage& usage, const Json& hpa, State& state, hpa::Time now);

  std::chrono::milliseconds sync_period_;
  std::map<std::string, State> states_;  // by namespace/name
};

}  // namespace gitmoor::sandbox
