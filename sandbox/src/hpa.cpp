#include "hpa.hpp"

#include <algorithm>
#include <climits>
#include <cmath>
#include <functional>
#include <set>

#include "events.hpp"
#include "gitmoor/core/quantity.hpp"
#include "selectors.hpp"
#include "status.hpp"

namespace gitmoor::sandbox {

namespace hpa {

namespace {

ScalingRules rules_from_json(const Json& rules, bool up) {
  ScalingRules r;
  if (up) r.stabilization_window_seconds = 0;  // scaleDown's stays unset: the controller's window applies
  if (rules.is_object() && rules.contains("stabilizationWindowSeconds") &&
      rules["stabilizationWindowSeconds"].is_number_integer()) {
    r.stabilization_window_seconds = rules["stabilizationWindowSeconds"].get<int>();
  }
  std::string select = rules.is_object() ? rules.value("selectPolicy", "Max") : "Max";
  r.select = select == "Min" ? SelectPolicy::Min : select == "Disabled" ? SelectPolicy::Disabled : SelectPolicy::Max;
  if (rules.is_object() && rules.contains("policies") && rules["policies"].is_array()) {
    for (const auto& p : rules["policies"]) {
      if (!p.is_object()) continue;
      r.policies.push_back({p.value("type", "") == "Percent" ? PolicyType::Percent : PolicyType::Pods,
                            p.value("value", 0), p.value("periodSeconds", 0)});
    }
  } else if (up) {
    r.policies = {{PolicyType::Pods, 4, 15}, {PolicyType::Percent, 100, 15}};
  } else {
    r.policies = {{PolicyType::Percent, 100, 15}};
  }
  return r;
}

// Replicas added (or removed) by the events of the last `period_seconds`.
int change_in_period(const std::vector<ScaleEvent>& events, int period_seconds, Time now) {
  const Time cutoff = now - std::chrono::seconds(period_seconds);
  int change = 0;
  for (const auto& e : events) {
    if (e.at > cutoff) change += e.change;
  }
  return change;
}

int scale_up_limit(int current, const History& h, const ScalingRules& rules, Time now) {
  if (rules.select == SelectPolicy::Disabled) return current;
  const bool min_change = rules.select == SelectPolicy::Min;
  long long result = min_change ? INT_MAX : INT_MIN;
  for (const auto& p : rules.policies) {
    const int start = current - change_in_period(h.scale_up, p.period_seconds, now) +
                      change_in_period(h.scale_down, p.period_seconds, now);
    // Rounded up: a small percentage of few replicas must still add one.
    long long proposed = p.type == PolicyType::Pods
                             ? static_cast<long long>(start) + p.value
                             : static_cast<long long>(std::ceil(start * (1.0 + p.value / 100.0)));
    result = min_change ? std::min(result, proposed) : std::max(result, proposed);
  }
  return static_cast<int>(result);
}

int scale_down_limit(int current, const History& h, const ScalingRules& rules, Time now) {
  if (rules.select == SelectPolicy::Disabled) return current;
  const bool min_change = rules.select == SelectPolicy::Min;
  long long result = min_change ? INT_MIN : INT_MAX;
  for (const auto& p : rules.policies) {
    const int start = current - change_in_period(h.scale_up, p.period_seconds, now) +
                      change_in_period(h.scale_down, p.period_seconds, now);
    long long proposed = p.type == PolicyType::Pods ? static_cast<long long>(start) - p.value
                                                    : static_cast<long long>(start * (1.0 - p.value / 100.0));
    result = min_change ? std::max(result, proposed) : std::min(result, proposed);
  }
  return static_cast<int>(result);
}

const ConditionReport kReadyForNewScale{true, "ReadyForNewScale", "recommended size matches current size"};
const ConditionReport kWithinRange{false, "DesiredWithinRange", "the desired count is within the acceptable range"};
const char* kTooMany = "the desired replica count is more than the maximum replica count";
const char* kTooFew = "the desired replica count is less than the minimum replica count";
const char* kUpLimit = "the desired replica count is increasing faster than the maximum scale rate";
const char* kDownLimit = "the desired replica count is decreasing faster than the maximum scale rate";

// Records a recommendation in the slot of the last obsolete one, or as a new one.
void add_recommendation(History& h, int replicas, Time now, const std::function<bool(Time)>& obsolete) {
  for (auto it = h.recommendations.rbegin(); it != h.recommendations.rend(); ++it) {
    if (obsolete(it->at)) {
      *it = {replicas, now};
      return;
    }
  }
  h.recommendations.push_back({replicas, now});
}

}  // namespace

std::optional<Behavior> behavior_from_json(const Json& spec) {
  if (!spec.is_object() || !spec.contains("behavior") || !spec["behavior"].is_object()) return std::nullopt;
  const Json& b = spec["behavior"];
  return Behavior{rules_from_json(b.value("scaleUp", Json()), true), rules_from_json(b.value("scaleDown", Json()), false)};
}

void record_initial_recommendation(History& history, int current, Time now) {
  if (history.recommendations.empty()) history.recommendations.push_back({current, now});
}

Normalized normalize(History& history, const Replicas& r, Time now, std::chrono::seconds downscale_window) {
  // stabilizeRecommendation: the highest recommendation of the window; the oldest sample's slot is reused.
  int stabilized = r.desired;
  const Time cutoff = now - downscale_window;
  std::optional<std::size_t> old;
  for (std::size_t i = 0; i < history.recommendations.size(); ++i) {
    const auto& rec = history.recommendations[i];
    if (rec.at < cutoff) {
      old = i;
    } else {
      stabilized = std::max(stabilized, rec.replicas);
    }
  }
  if (old) {
    history.recommendations[*old] = {r.desired, now};
  } else {
    history.recommendations.push_back({r.desired, now});
  }
  Normalized out;
  out.able_to_scale = stabilized != r.desired
                          ? ConditionReport{true, "ScaleDownStabilized",
                                            "recent recommendations were higher than current one, applying the "
                                            "highest recent recommendation"}
                          : kReadyForNewScale;
  // convertDesiredReplicasWithRules: never more than twice the current size (at least 4) in one step.
  const int up_limit = std::max(2 * r.current, 4);
  int maximum = r.max;
  ConditionReport over{true, "TooManyReplicas", kTooMany};
  if (r.max > up_limit) {
    maximum = up_limit;
    over = {true, "ScaleUpLimit", kUpLimit};
  }
  if (stabilized < r.min) {
    out.replicas = r.min;
    out.scaling_limited = {true, "TooFewReplicas", kTooFew};
  } else if (stabilized > maximum) {
    out.replicas = maximum;
    out.scaling_limited = over;
  } else {
    out.replicas = stabilized;
    out.scaling_limited = kWithinRange;
  }
  out.scaling_limited.status = out.replicas != stabilized;
  return out;
}

Normalized normalize_with_behavior(History& history, const Replicas& r, Behavior behavior, Time now,
                                   std::chrono::seconds downscale_window) {
  if (!behavior.scale_down.stabilization_window_seconds) {
    behavior.scale_down.stabilization_window_seconds = static_cast<int>(downscale_window.count());
  }
  if (!behavior.scale_up.stabilization_window_seconds) behavior.scale_up.stabilization_window_seconds = 0;
  // stabilizeRecommendationWithBehaviors: scale up no further than the lowest recommendation of the up window,
  // down no further than the highest of the down window.
  const Time up_cutoff = now - std::chrono::seconds(*behavior.scale_up.stabilization_window_seconds);
  const Time down_cutoff = now - std::chrono::seconds(*behavior.scale_down.stabilization_window_seconds);
  int up = r.desired;
  int down = r.desired;
  for (const auto& rec : history.recommendations) {
    if (rec.at > up_cutoff) up = std::min(up, rec.replicas);
    if (rec.at > down_cutoff) down = std::max(down, rec.replicas);
  }
  int stabilized = std::min(std::max(r.current, up), down);
  add_recommendation(history, r.desired, now, [&](Time at) { return at < up_cutoff && at < down_cutoff; });

  Normalized out;
  if (stabilized != r.desired) {
    out.able_to_scale = r.desired >= r.current
                            ? ConditionReport{true, "ScaleUpStabilized",
                                              "recent recommendations were lower than current one, applying the "
                                              "lowest recent recommendation"}
                            : ConditionReport{true, "ScaleDownStabilized",
                                              "recent recommendations were higher than current one, applying the "
                                              "highest recent recommendation"};
  } else {
    out.able_to_scale = kReadyForNewScale;
  }
  // convertDesiredReplicasWithBehaviorRate.
  out.replicas = stabilized;
  out.scaling_limited = kWithinRange;
  if (stabilized > r.current) {
    int limit = std::max(scale_up_limit(r.current, history, behavior.scale_up, now), r.current);
    int maximum = r.max;
    ConditionReport why{true, "TooManyReplicas", kTooMany};
    if (maximum > limit) {
      maximum = limit;
      why = {true, "ScaleUpLimit", kUpLimit};
    }
    if (stabilized > maximum) {
      out.replicas = maximum;
      out.scaling_limited = why;
    }
  } else if (stabilized < r.current) {
    int limit = std::min(scale_down_limit(r.current, history, behavior.scale_down, now), r.current);
    int minimum = r.min;
    ConditionReport why{true, "TooFewReplicas", kTooFew};
    if (minimum < limit) {
      minimum = limit;
      why = {true, "ScaleDownLimit", kDownLimit};
    }
    if (stabilized < minimum) {
      out.replicas = minimum;
      out.scaling_limited = why;
    }
  }
  out.scaling_limited.status = out.replicas != stabilized;
  return out;
}

void store_scale_event(History& history, const std::optional<Behavior>& behavior, int previous, int next, Time now) {
  if (!behavior) return;  // only the policies read them
  const bool up = next > previous;
  const ScalingRules& rules = up ? behavior->scale_up : behavior->scale_down;
  std::vector<ScaleEvent>& events = up ? history.scale_up : history.scale_down;
  int longest = 0;
  for (const auto& p : rules.policies) longest = std::max(longest, p.period_seconds);
  const Time cutoff = now - std::chrono::seconds(longest);
  for (auto& e : events) {
    if (e.at < cutoff) e.outdated = true;
  }
  ScaleEvent event{up ? next - previous : previous - next, now, false};
  for (auto it = events.rbegin(); it != events.rend(); ++it) {
    if (it->outdated) {
      *it = event;
      return;
    }
  }
  events.push_back(event);
}

namespace {

struct Grouped {
  int ready = 0;
  std::map<std::string, std::int64_t> metrics;  // by Pod name, for the Pods that count
  std::set<std::string> unready;
  std::set<std::string> missing;
};

// groupPods: deleted and failed Pods are ignored, Pending ones and (for cpu) not-Ready ones are unready, Running
// ones without metrics are missing.
Grouped group(const std::vector<PodSample>& pods, const std::string& resource) {
  if (std::none_of(pods.begin(), pods.end(), [](const PodSample& p) { return p.usage.has_value(); })) {
    throw MetricError("unable to get metrics for resource " + resource + ": no metrics returned from resource metrics API");
  }
  Grouped g;
  for (const auto& p : pods) {
    if (p.deleting || p.phase == "Failed") continue;
    if (p.phase == "Pending") {
      g.unready.insert(p.name);
      continue;
    }
    if (!p.usage) {
      g.missing.insert(p.name);
      continue;
    }
    if (resource == "cpu" && !p.ready) {
      g.unready.insert(p.name);
      continue;
    }
    ++g.ready;
    g.metrics[p.name] = *p.usage;
  }
  if (g.metrics.empty()) throw MetricError("did not receive metrics for targeted pods (pods might be unready)");
  return g;
}

bool within(double ratio, double tolerance) { return std::abs(1.0 - ratio) <= tolerance; }

}  // namespace

MetricResult utilization_replicas(int current, int target_utilization, const std::string& resource,
                                  const std::vector<PodSample>& pods, double tolerance) {
  Grouped g = group(pods, resource);
  std::map<std::string, std::int64_t> requests;
  for (const auto& p : pods) {
    if (!p.missing_request.empty()) {
      throw MetricError("missing request for " + resource + " in container " + p.missing_request + " of Pod " + p.name);
    }
    requests[p.name] = p.request;
  }
  // GetResourceUtilizationRatio: whole percents, as kube truncates them.
  auto ratio_of = [&](const std::map<std::string, std::int64_t>& metrics, int& utilization, std::int64_t& average) {
    std::int64_t used = 0;
    std::int64_t requested = 0;
    std::int64_t entries = 0;
    for (const auto& [name, value] : metrics) {
      auto r = requests.find(name);
      if (r == requests.end()) continue;
      used += value;
      requested += r->second;
      ++entries;
    }
    if (requested == 0) throw MetricError("no metrics returned matched known pods");
    utilization = static_cast<int>(used * 100 / requested);
    average = used / entries;
    return static_cast<double>(utilization) / static_cast<double>(target_utilization);
  };
  MetricResult out;
  const double ratio = ratio_of(g.metrics, out.utilization, out.average);
  const bool scale_up_with_unready = !g.unready.empty() && ratio > 1.0;
  if (!scale_up_with_unready && g.missing.empty()) {
    out.replicas = within(ratio, tolerance) ? current : static_cast<int>(std::ceil(ratio * g.ready));
    return out;
  }
  // Pods without metrics count as using the whole request on a scale-down and nothing on a scale-up; unready Pods
  // as nothing on a scale-up: both damp the change.
  auto metrics = g.metrics;
  if (ratio < 1.0) {
    const std::int64_t fallback = std::max(100, target_utilization);
    for (const auto& name : g.missing) metrics[name] = requests[name] * fallback / 100;
  } else if (ratio > 1.0) {
    for (const auto& name : g.missing) metrics[name] = 0;
  }
  if (scale_up_with_unready) {
    for (const auto& name : g.unready) metrics[name] = 0;
  }
  int ignored_utilization = 0;
  std::int64_t ignored_average = 0;
  const double new_ratio = ratio_of(metrics, ignored_utilization, ignored_average);
  if (within(new_ratio, tolerance) || (ratio < 1.0 && new_ratio > 1.0) || (ratio > 1.0 && new_ratio < 1.0)) {
    out.replicas = current;
    return out;
  }
  const int replicas = static_cast<int>(std::ceil(new_ratio * static_cast<double>(metrics.size())));
  out.replicas = (new_ratio < 1.0 && replicas > current) || (new_ratio > 1.0 && replicas < current) ? current : replicas;
  return out;
}

MetricResult average_value_replicas(int current, std::int64_t target_average, const std::string& resource,
                                    const std::vector<PodSample>& pods, double tolerance) {
  Grouped g = group(pods, resource);
  auto ratio_of = [&](const std::map<std::string, std::int64_t>& metrics, std::int64_t& average) {
    std::int64_t total = 0;
    for (const auto& [name, value] : metrics) total += value;
    average = total / static_cast<std::int64_t>(metrics.size());
    return static_cast<double>(average) / static_cast<double>(target_average);
  };
  MetricResult out;
  const double ratio = ratio_of(g.metrics, out.average);
  const bool scale_up_with_unready = !g.unready.empty() && ratio > 1.0;
  if (!scale_up_with_unready && g.missing.empty()) {
    out.replicas = within(ratio, tolerance) ? current : static_cast<int>(std::ceil(ratio * g.ready));
    return out;
  }
  auto metrics = g.metrics;
  if (ratio < 1.0) {
    for (const auto& name : g.missing) metrics[name] = target_average;
  } else if (ratio > 1.0) {
    for (const auto& name : g.missing) metrics[name] = 0;
  }
  if (scale_up_with_unready) {
    for (const auto& name : g.unready) metrics[name] = 0;
  }
  std::int64_t ignored = 0;
  const double new_ratio = ratio_of(metrics, ignored);
  if (within(new_ratio, tolerance) || (ratio < 1.0 && new_ratio > 1.0) || (ratio > 1.0 && new_ratio < 1.0)) {
    out.replicas = current;
    return out;
  }
  out.replicas = static_cast<int>(std::ceil(new_ratio * static_cast<double>(metrics.size())));
  return out;
}

}  // namespace hpa

namespace {

using hpa::Json;

const char* kManager = "kube-controller-manager";
const char* kComponent = "horizontal-pod-autoscaler";

// The HPA's conditions, updated in place as kube's setCondition does: a new type is appended, and
// lastTransitionTime changes only when the status does.
class Conditions {
 public:
  explicit Conditions(Json list) : list_(list.is_array() ? std::move(list) : Json::array()) {}
  void set(const std::string& type, bool status, const std::string& reason, const std::string& message) {
    const std::string value = status ? "True" : "False";
    for (auto& c : list_) {
      if (c.value("type", "") != type) continue;
      if (c.value("status", "") != value) c["lastTransitionTime"] = now_rfc3339();
      c["status"] = value;
      c["reason"] = reason;
      c["message"] = message;
      return;
    }
    list_.push_back(
        {{"type", type}, {"status", value}, {"reason", reason}, {"message", message}, {"lastTransitionTime", now_rfc3339()}});
  }
  void set(const std::string& type, const hpa::ConditionReport& r) { set(type, r.status, r.reason, r.message); }
  [[nodiscard]] const Json& json() const { return list_; }

 private:
  Json list_;
};

std::int64_t milli(const Json& quantity, bool& ok) {
  ok = false;
  if (!quantity.is_string() && !quantity.is_number()) return 0;
  auto q = core::Quantity::try_parse(quantity.is_string() ? quantity.get<std::string>() : quantity.dump());
  if (!q) return 0;
  ok = true;
  return q->milli_value();
}

// resource.NewMilliQuantity(v, DecimalSI).String(): "180m", "134217728".
std::string milli_quantity(std::int64_t value) {
  auto q = core::Quantity::try_parse(std::to_string(value) + "m");
  return q ? q->to_string() : std::to_string(value) + "m";
}

const Json* at_path(const Json& object, const std::string& path) {
  const Json* node = &object;
  std::size_t start = 0;
  while (true) {
    auto dot = path.find('.', start);
    std::string key = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (!node->is_object() || !node->contains(key)) return nullptr;
    node = &(*node)[key];
    if (dot == std::string::npos) return node;
    start = dot + 1;
  }
}

bool pod_ready(const Json& pod) {
  for (const auto& c : pod.value("status", Json::object()).value("conditions", Json::array())) {
    if (c.value("type", "") == "Ready") return c.value("status", "") == "True";
  }
  return false;
}

// What the replica calculator needs of each Pod for one resource (`container` empty: the whole Pod).
std::vector<hpa::PodSample> samples(const std::vector<ObjectPtr>& pods, const Usage& usage, const std::string& resource,
                                    const std::string& container) {
  std::vector<hpa::PodSample> out;
  for (const auto& pod : pods) {
    hpa::PodSample s;
    const Json& md = (*pod)["metadata"];
    s.name = md.value("name", "");
    s.phase = (*pod).value("status", Json::object()).value("phase", "");
    s.deleting = md.contains("deletionTimestamp");
    s.ready = pod_ready(*pod);
    for (const auto& c : (*pod)["spec"].value("containers", Json::array())) {
      const std::string name = c.value("name", "");
      if (!container.empty() && name != container) continue;
      const Json requests = c.value("resources", Json::object()).value("requests", Json::object());
      bool ok = false;
      std::int64_t request = requests.is_object() && requests.contains(resource) ? milli(requests[resource], ok) : 0;
      if (!ok && s.missing_request.empty()) s.missing_request = name;
      s.request += request;
    }
    if (s.phase == "Running") {
      // As the metrics client sums each container's usage quantity in milli-units (MilliValue rounds up).
      std::int64_t total = 0;
      for (const auto& c : usage.pod_usage(*pod)) {
        if (!container.empty() && c.name != container) continue;
        total += resource == "cpu" ? (c.cpu_nanocores + 999'999) / 1'000'000 : c.memory_bytes * 1000;
      }
      s.usage = total;
    }
    out.push_back(std::move(s));
  }
  return out;
}

// One metric of spec.metrics: its proposal, or the error that kube would report for it.
struct MetricOutcome {
  int replicas = 0;
  std::string name;      // "cpu resource utilization (percentage of request)"
  Json status = Json::object();
  std::string error;     // wrapped as computeReplicasForMetric returns it
  std::string reason;    // FailedGetResourceMetric...
  std::string condition_message;
};

MetricOutcome compute_metric(Cluster& cluster, const Json& hpa_object, const Json& metric, int current,
                             const std::vector<ObjectPtr>& pods, const Usage& usage) {
  MetricOutcome out;
  const std::string type = metric.value("type", "");
  auto fail = [&](const std::string& reason, const std::string& err, const std::string& wrapped) {
    // getUnableComputeReplicaCountCondition: a Warning event and the ScalingActive condition it proposes.
    record_event(cluster, hpa_object, {.type = "Warning", .reason = reason, .message = err, .component = kComponent});
    out.reason = reason;
    out.condition_message = "the HPA was unable to compute the replica count: " + err;
    out.error = wrapped;
    out.status = Json{{"type", ""}};
    return out;
  };
  if (type == "Resource" || type == "ContainerResource") {
    const bool container_metric = type == "ContainerResource";
    const Json source = metric.value(container_metric ? "containerResource" : "resource", Json::object());
    const std::string resource = source.value("name", "");
    const std::string container = container_metric ? source.value("container", "") : "";
    const Json target = source.value("target", Json::object());
    const std::string reason = container_metric ? "FailedGetContainerResourceMetric" : "FailedGetResourceMetric";
    const std::string wrap = container_metric ? "failed to get " + container + " container metric value: "
                                              : "failed to get " + resource + " resource metric value: ";
    bool has_average = false;
    const std::int64_t average = target.contains("averageValue") ? milli(target["averageValue"], has_average) : 0;
    auto s = samples(pods, usage, resource, container);
    try {
      Json current_value;
      if (has_average) {
        auto r = hpa::average_value_replicas(current, average, resource, s);
        out.replicas = r.replicas;
        out.name = resource + (container_metric ? " container resource" : " resource");
        current_value = {{"averageValue", milli_quantity(r.average)}};
      } else if (target.contains("averageUtilization") && target["averageUtilization"].is_number_integer()) {
        auto r = hpa::utilization_replicas(current, target["averageUtilization"].get<int>(), resource, s);
        out.replicas = r.replicas;
        out.name = resource + (container_metric ? " container" : "") + " resource utilization (percentage of request)";
        current_value = {{"averageUtilization", r.utilization}, {"averageValue", milli_quantity(r.average)}};
      } else {
        std::string err = "invalid resource metric source: neither an average utilization target nor an average "
                          "value (usage) target was set";
        return fail(reason, err, wrap + err);
      }
      Json status_source{{"name", resource}, {"current", current_value}};
      if (container_metric) status_source["container"] = container;
      out.status = {{"type", type}, {container_metric ? "containerResource" : "resource", status_source}};
      return out;
    } catch (const hpa::MetricError& e) {
      std::string err = std::string("failed to get ") + resource + (has_average ? " usage: " : " utilization: ") + e.what();
      return fail(reason, err, wrap + err);
    }
  }
  // Pods, Object and External metrics come from custom and external metrics APIs, which the sandbox does not serve.
  if (type == "Pods" || type == "Object") {
    const std::string name = metric.value(type == "Pods" ? "pods" : "object", Json::object())
                                 .value("metric", Json::object())
                                 .value("name", "");
    std::string err = "unable to get metric " + name +
                      ": unable to fetch metrics from custom metrics API: no custom metrics API "
                      "(custom.metrics.k8s.io) registered";
    return fail(type == "Pods" ? "FailedGetPodsMetric" : "FailedGetObjectMetric", err,
                std::string("failed to get ") + (type == "Pods" ? "pods" : "object") + " metric value: " + err);
  }
  if (type == "External") {
    const std::string name = metric.value("external", Json::object()).value("metric", Json::object()).value("name", "");
    std::string err = "unable to get external metric " + name +
                      ": unable to fetch metrics from external metrics API: no external metrics API "
                      "(external.metrics.k8s.io) registered";
    return fail("FailedGetExternalMetric", err, "failed to get " + name + " external metric value: " + err);
  }
  std::string err = "unknown metric source type \"" + type + "\"";
  return fail("InvalidMetricSourceType", err, err);
}

}  // namespace

std::optional<hpa::Time> HpaController::reconcile(Cluster& cluster, const Usage& usage, const ObjectPtr& hpa,
                                                  hpa::Time now) {
  const Json& md = (*hpa)["metadata"];
  if (md.contains("deletionTimestamp")) return std::nullopt;
  const std::string key = md.value("namespace", "") + "/" + md.value("name", "");
  const std::string uid = md.value("uid", "");
  const long long generation = md.value("generation", 0LL);
  auto [it, inserted] = states_.try_emplace(key);
  State& state = it->second;
  const bool fresh = inserted || state.uid != uid;
  if (fresh) {
    state = State{};
    state.uid = uid;
  }
  // kube syncs every HPA once per sync period; the sandbox also syncs at once a new HPA or a changed spec.
  if (fresh || state.generation != generation || now >= state.last_sync + sync_period_) {
    state.generation = generation;
    state.last_sync = now;
    state.next_visit = now + sync_period_;
    sync(cluster, usage, *hpa, state, now);
    return state.next_visit;
  }
  if (state.next_visit > now) return std::nullopt;
  state.next_visit = state.last_sync + sync_period_;
  return state.next_visit;
}

void HpaController::sync(Cluster& cluster, const Usage& usage, const Json& hpa_object, State& state, hpa::Time now) {
  const Json& md = hpa_object["metadata"];
  const std::string ns = md.value("namespace", "");
  const std::string name = md.value("name", "");
  const Json spec = hpa_object.value("spec", Json::object());
  const Json before = hpa_object.value("status", Json::object());
  Conditions conditions(before.value("conditions", Json::array()));
  Json status = before.is_object() ? before : Json::object();
  auto event = [&](const std::string& type, const std::string& reason, const std::string& message) {
    record_event(cluster, hpa_object, {.type = type, .reason = reason, .message = message, .component = kComponent});
  };
  auto write_status = [&](Json s) {
    s["conditions"] = conditions.json();
    if (s == before) return;
    const ResourceType* t = cluster.registry.find_by_id("horizontalpodautoscalers.autoscaling");
    ObjectPtr latest = cluster.store.get({t->id(), ns, name});
    if (!latest) return;
    Json after = *latest;
    after["status"] = std::move(s);
    cluster.commit(*t, ns, name, latest, std::move(after), {.manager = kManager, .subresource = "status"}, true);
  };
  // setCurrentReplicasAndMetricsInStatus: on an error, the desired count stays what it was.
  auto status_with = [&](int current, const Json& metrics) {
    Json s{{"currentReplicas", current}, {"desiredReplicas", status.value("desiredReplicas", 0)}};
    if (status.contains("lastScaleTime")) s["lastScaleTime"] = status["lastScaleTime"];
    if (!metrics.empty()) s["currentMetrics"] = metrics;
    return s;
  };

  // The target and its scale.
  const Json ref = spec.value("scaleTargetRef", Json::object());
  const std::string api_version = ref.value("apiVersion", "");
  const std::string group = api_version.find('/') == std::string::npos ? "" : api_version.substr(0, api_version.find('/'));
  const std::string kind = ref.value("kind", "");
  const std::string target_name = ref.value("name", "");
  const ResourceType* type = cluster.registry.find_kind(group, kind);
  ObjectPtr target;
  std::string scale_error;
  if (!type) {
    scale_error = "no matches for kind \"" + kind + "\" in group \"" + group + "\"";
  } else if (!type->scale_subresource) {
    scale_error = "the server could not find the requested resource";
  } else if (!(target = cluster.store.get({type->id(), ns, target_name}))) {
    scale_error = qualified_resource(type->group, type->plural) + " \"" + target_name + "\" not found";
  }
  if (!scale_error.empty()) {
    event("Warning", "FailedGetScale", scale_error);
    conditions.set("AbleToScale", false, "FailedGetScale",
                   "the HPA controller was unable to get the target's current scale: " + scale_error);
    Json s = status;
    write_status(s);
    return;
  }
  const ResourceType target_type = *type;  // the registry may change under later writes (CRDs)
  conditions.set("AbleToScale", true, "SucceededGetScale", "the HPA controller was able to get the target's current scale");
  const Json* spec_replicas = at_path(*target, target_type.spec_replicas_path);
  const int current = spec_replicas && spec_replicas->is_number_integer() ? spec_replicas->get<int>() : 0;
  hpa::record_initial_recommendation(state.history, current, now);
  const int min = spec.contains("minReplicas") && spec["minReplicas"].is_number_integer() ? spec["minReplicas"].get<int>() : 1;
  const int max = spec.value("maxReplicas", min);

  int desired = 0;
  std::string rescale_reason;
  bool rescale = true;
  Json metric_statuses = Json::array();
  if (current == 0 && min != 0) {
    desired = 0;
    rescale = false;
    conditions.set("ScalingActive", false, "ScalingDisabled", "scaling is disabled since the replica count of the target is zero");
  } else if (current > max) {
    rescale_reason = "Current number of replicas above Spec.MaxReplicas";
    desired = max;
  } else if (current < min) {
    rescale_reason = "Current number of replicas below Spec.MinReplicas";
    desired = min;
  } else {
    // The Pods of the target's scale selector.
    std::string selector_text;
    std::optional<LabelSelector> selector;
    try {
      if (target_type.custom) {
        const Json* s = at_path(*target, target_type.label_selector_path);
        if (s && s->is_string() && !s->get<std::string>().empty()) {
          selector_text = s->get<std::string>();
          selector = LabelSelector::parse(selector_text);
        }
      } else if ((*target)["spec"].contains("selector") && (*target)["spec"]["selector"].is_object() &&
                 !(*target)["spec"]["selector"].empty()) {
        const Json& s = (*target)["spec"]["selector"];
        // A ReplicationController's selector is a plain label map.
        selector = LabelSelector::from_json(s.contains("matchLabels") || s.contains("matchExpressions")
                                                ? s
                                                : Json{{"matchLabels", s}});
      }
    } catch (const ApiError& e) {
      std::string err = std::string("couldn't convert selector into a corresponding internal selector object: ") + e.what();
      event("Warning", "InvalidSelector", err);
      conditions.set("ScalingActive", false, "InvalidSelector", err);
      write_status(status_with(current, Json::array()));
      event("Warning", "FailedComputeMetricsReplicas", err);
      return;
    }
    if (!selector) {
      event("Warning", "SelectorRequired", "selector is required");
      conditions.set("ScalingActive", false, "InvalidSelector", "the HPA target's scale is missing a selector");
      write_status(status_with(current, Json::array()));
      event("Warning", "FailedComputeMetricsReplicas", "selector is required");
      return;
    }
    std::string next;
    std::size_t remaining = 0;
    auto pods = cluster.store.list(
        "pods", ns, "", 0, [&](const Json& p) { return selector->matches(p["metadata"].value("labels", Json::object())); },
        next, remaining);

    // computeReplicasForMetrics: the largest proposal of the valid metrics.
    const Json metrics = spec.value("metrics", Json::array());
    int proposal = 0;
    std::string metric_name;
    int invalid = 0;
    std::optional<MetricOutcome> first_invalid;
    for (const auto& m : metrics) {
      MetricOutcome o = compute_metric(cluster, hpa_object, m, current, pods, usage);
      metric_statuses.push_back(o.status);
      if (!o.error.empty()) {
        if (!first_invalid) first_invalid = o;
        ++invalid;
        continue;
      }
      if (proposal == 0 || o.replicas > proposal) {
        proposal = o.replicas;
        metric_name = o.name;
      }
    }
    const int count = static_cast<int>(metrics.size());
    if (invalid > 0 && (invalid >= count || proposal < current)) {
      conditions.set("ScalingActive", false, first_invalid->reason, first_invalid->condition_message);
      write_status(status_with(current, metric_statuses));
      event("Warning", "FailedComputeMetricsReplicas",
            "invalid metrics (" + std::to_string(invalid) + " invalid out of " + std::to_string(count) +
                "), first error is: " + first_invalid->error);
      return;
    }
    conditions.set("ScalingActive", true, "ValidMetricFound",
                   "the HPA was able to successfully calculate a replica count from " + metric_name);
    desired = proposal;
    if (desired > current) rescale_reason = metric_name + " above target";
    if (desired < current) rescale_reason = "All metrics below target";
    const auto behavior = hpa::behavior_from_json(spec);
    const hpa::Replicas replicas{current, desired, min, max};
    const hpa::Normalized n = behavior ? hpa::normalize_with_behavior(state.history, replicas, *behavior, now)
                                       : hpa::normalize(state.history, replicas, now);
    conditions.set("AbleToScale", n.able_to_scale);
    conditions.set("ScalingLimited", n.scaling_limited);
    desired = n.replicas;
    rescale = desired != current;
  }

  if (rescale) {
    try {
      // As kube's HPA controller: an Update of the target's scale subresource.
      cluster.update(target_type, ns, target_name, Json{{"spec", {{"replicas", desired}}}},
                     {.manager = kManager, .subresource = "scale",
                      .api_version = target_type.api_version(target_type.versions.front())});
    } catch (const ApiError& e) {
      event("Warning", "FailedRescale",
            "New size: " + std::to_string(desired) + "; reason: " + rescale_reason + "; error: " + e.what());
      conditions.set("AbleToScale", false, "FailedUpdateScale",
                     std::string("the HPA controller was unable to update the target scale: ") + e.what());
      write_status(status_with(current, metric_statuses));
      return;
    }
    conditions.set("AbleToScale", true, "SucceededRescale",
                   "the HPA controller was able to update the target scale to " + std::to_string(desired));
    event("Normal", "SuccessfulRescale", "New size: " + std::to_string(desired) + "; reason: " + rescale_reason);
    hpa::store_scale_event(state.history, hpa::behavior_from_json(spec), current, desired, now);
  } else {
    desired = current;
  }
  Json s{{"currentReplicas", current}, {"desiredReplicas", desired}};
  if (rescale) {
    s["lastScaleTime"] = now_rfc3339();
  } else if (status.contains("lastScaleTime")) {
    s["lastScaleTime"] = status["lastScaleTime"];
  }
  if (!metric_statuses.empty()) s["currentMetrics"] = metric_statuses;
  write_status(s);
}

}  // namespace gitmoor::sandbox
