// The HPA controller's algorithm as pure functions with the time passed in: the replica calculator (ratio over the
// ready Pods, tolerance, missing and unready Pods, kube's errors) and the normalisation of the proposal (min/max,
// kube's scale-up limit without behavior; stabilisation windows and Pods/Percent policies with it), as kube's
// replica_calculator.go and horizontal.go compute them.
#include <catch2/catch.hpp>

#include "hpa.hpp"

using namespace gitmoor::sandbox::hpa;
using namespace std::chrono_literals;

namespace {

// A Running, Ready Pod using `usage` of `request` (milli-units).
PodSample running(const std::string& name, std::int64_t usage, std::int64_t request) {
  return {.name = name, .phase = "Running", .deleting = false, .ready = true, .usage = usage, .request = request,
          .missing_request = ""};
}

PodSample pending(const std::string& name, std::int64_t request) {
  return {.name = name, .phase = "Pending", .deleting = false, .ready = false, .usage = std::nullopt,
          .request = request, .missing_request = ""};
}

Behavior behavior(const std::string& yaml_like_json) {
  return *behavior_from_json(Json{{"behavior", Json::parse(yaml_like_json)}});
}

const Time t0 = Time{} + 1h;

}  // namespace

TEST_CASE("hpa: utilization ratio over the ready Pods, ceil(ratio * pods), no change within the 10% tolerance",
          "[hpa]") {
  // 2 Pods at 180m of 200m (90%) against a 50% target: ratio 1.8 → ceil(3.6) = 4.
  auto r = utilization_replicas(2, 50, "cpu", {running("a", 180, 200), running("b", 180, 200)});
  CHECK(r.replicas == 4);
  CHECK(r.utilization == 90);
  CHECK(r.average == 180);
  // 54% of a 50% target is within the tolerance (ratio 1.08): the current count stays.
  CHECK(utilization_replicas(3, 50, "cpu", {running("a", 108, 200), running("b", 108, 200)}).replicas == 3);
  // 10% of the request: ratio 0.2 → ceil(0.4) = 1 (min/max come later).
  CHECK(utilization_replicas(2, 50, "cpu", {running("a", 20, 200), running("b", 20, 200)}).replicas == 1);
  // Utilisation is whole percents, truncated as kube does: 199/400 is 49%.
  CHECK(utilization_replicas(2, 50, "cpu", {running("a", 100, 200), running("b", 99, 200)}).utilization == 49);
}

TEST_CASE("hpa: unready and missing Pods damp a scale-up, deleted and failed Pods are ignored", "[hpa]") {
  // One ready Pod at 90% and a Pending one: on a scale-up the Pending one counts as 0%, so the ratio is 0.9 — within
  // tolerance: no change (without it, ceil(1.8 * 1) = 2).
  CHECK(utilization_replicas(2, 50, "cpu", {running("a", 180, 200), pending("b", 200)}).replicas == 2);
  // A Running Pod without metrics counts as 0% on a scale-up: (180 + 0) / 400 = 45%, ratio 0.9: no change.
  PodSample no_metrics = running("b", 0, 200);
  no_metrics.usage.reset();
  CHECK(utilization_replicas(2, 50, "cpu", {running("a", 180, 200), no_metrics}).replicas == 2);
  // ... and as 100% of its request on a scale-down: (20 + 200) / 400 = 55%: the direction flips, no change.
  CHECK(utilization_replicas(2, 50, "cpu", {running("a", 20, 200), no_metrics}).replicas == 2);
  PodSample gone = running("c", 1000, 200);
  gone.deleting = true;
  PodSample failed = running("d", 1000, 200);
  failed.phase = "Failed";
  CHECK(utilization_replicas(2, 50, "cpu", {running("a", 100, 200), running("b", 100, 200), gone, failed}).replicas == 2);
}

TEST_CASE("hpa: the replica calculator's errors are kube's", "[hpa]") {
  CHECK_THROWS_WITH(utilization_replicas(1, 50, "cpu", {pending("a", 200)}),
                    "unable to get metrics for resource cpu: no metrics returned from resource metrics API");
  PodSample not_ready = running("a", 100, 200);
  not_ready.ready = false;
  PodSample only_pending = pending("b", 200);
  only_pending.usage = 0;
  CHECK_THROWS_WITH(utilization_replicas(1, 50, "cpu", {not_ready, only_pending}),
                    "did not receive metrics for targeted pods (pods might be unready)");
  PodSample no_request = running("web-1", 100, 0);
  no_request.missing_request = "app";
  CHECK_THROWS_WITH(utilization_replicas(1, 50, "cpu", {running("web-0", 100, 200), no_request}),
                    "missing request for cpu in container app of Pod web-1");
  // Readiness only matters for cpu: a not-Ready Pod's memory counts.
  CHECK(utilization_replicas(1, 50, "memory", {not_ready}).replicas == 1);
}

TEST_CASE("hpa: an AverageValue target divides the average usage per Pod by the target", "[hpa]") {
  auto r = average_value_replicas(3, 100, "cpu", {running("a", 300, 0), running("b", 300, 0), running("c", 300, 0)});
  CHECK(r.replicas == 9);
  CHECK(r.average == 300);
  CHECK(average_value_replicas(3, 290, "cpu", {running("a", 300, 0), running("b", 300, 0), running("c", 300, 0)})
            .replicas == 3);
}

TEST_CASE("hpa: without behavior, min/max, the scale-up limit max(2x, 4) and the 5-minute downscale window", "[hpa]") {
  History h;
  record_initial_recommendation(h, 1, t0);
  auto n = normalize(h, {.current = 1, .desired = 10, .min = 1, .max = 10}, t0);
  CHECK(n.replicas == 4);
  CHECK(n.scaling_limited.status);
  CHECK(n.scaling_limited.reason == "ScaleUpLimit");
  n = normalize(h, {.current = 4, .desired = 12, .min = 1, .max = 10}, t0 + 15s);
  CHECK(n.replicas == 8);
  n = normalize(h, {.current = 8, .desired = 12, .min = 1, .max = 10}, t0 + 30s);
  CHECK(n.replicas == 10);
  CHECK(n.scaling_limited.reason == "TooManyReplicas");
  // The load goes: the highest recommendation of the last 5 minutes (12, capped at max 10) holds.
  n = normalize(h, {.current = 10, .desired = 2, .min = 1, .max = 10}, t0 + 60s);
  CHECK(n.replicas == 10);
  CHECK(n.able_to_scale.reason == "ScaleDownStabilized");
  n = normalize(h, {.current = 10, .desired = 2, .min = 3, .max = 10}, t0 + 60s + 301s);
  CHECK(n.replicas == 3);
  CHECK(n.able_to_scale.reason == "ReadyForNewScale");
  CHECK(n.scaling_limited.reason == "TooFewReplicas");
  CHECK(n.scaling_limited.status);
  n = normalize(h, {.current = 3, .desired = 3, .min = 3, .max = 10}, t0 + 400s);
  CHECK(n.replicas == 3);
  CHECK(n.scaling_limited.reason == "DesiredWithinRange");
  CHECK_FALSE(n.scaling_limited.status);
}

TEST_CASE("hpa: behavior's Pods policy adds at most `value` Pods per period, counting the period's scale events",
          "[hpa]") {
  const Behavior b = behavior(R"({"scaleUp":{"policies":[{"type":"Pods","value":1,"periodSeconds":60}]}})");
  History h;
  record_initial_recommendation(h, 2, t0);
  auto n = normalize_with_behavior(h, {.current = 2, .desired = 6, .min = 2, .max = 10}, b, t0);
  CHECK(n.replicas == 3);
  CHECK(n.scaling_limited.reason == "ScaleUpLimit");
  CHECK(n.scaling_limited.message == "the desired replica count is increasing faster than the maximum scale rate");
  store_scale_event(h, b, 2, 3, t0);
  // Within the same minute the one Pod has been added: no more.
  n = normalize_with_behavior(h, {.current = 3, .desired = 6, .min = 2, .max = 10}, b, t0 + 30s);
  CHECK(n.replicas == 3);
  n = normalize_with_behavior(h, {.current = 3, .desired = 6, .min = 2, .max = 10}, b, t0 + 61s);
  CHECK(n.replicas == 4);
  store_scale_event(h, b, 3, 4, t0 + 61s);
  // At maxReplicas the limit is the maximum's.
  n = normalize_with_behavior(h, {.current = 4, .desired = 9, .min = 2, .max = 4}, b, t0 + 200s);
  CHECK(n.replicas == 4);
  CHECK(n.scaling_limited.reason == "TooManyReplicas");
}

TEST_CASE("hpa: behavior's defaults: up by max(100%, 4 Pods) per 15 s, down by 100% after a 300 s window", "[hpa]") {
  const Behavior b = behavior(R"({})");
  CHECK(b.scale_up.stabilization_window_seconds == 0);
  CHECK_FALSE(b.scale_down.stabilization_window_seconds.has_value());
  REQUIRE(b.scale_up.policies.size() == 2);
  History h;
  record_initial_recommendation(h, 2, t0);
  CHECK(normalize_with_behavior(h, {.current = 2, .desired = 20, .min = 1, .max = 50}, b, t0).replicas == 6);
  CHECK(normalize_with_behavior(h, {.current = 10, .desired = 30, .min = 1, .max = 50}, b, t0 + 15s).replicas == 20);
  // Down: the highest recommendation of the last 300 s holds.
  auto n = normalize_with_behavior(h, {.current = 20, .desired = 1, .min = 1, .max = 50}, b, t0 + 100s);
  CHECK(n.replicas == 20);
  CHECK(n.able_to_scale.reason == "ScaleDownStabilized");
  n = normalize_with_behavior(h, {.current = 20, .desired = 1, .min = 1, .max = 50}, b, t0 + 100s + 301s);
  CHECK(n.replicas == 1);
}

TEST_CASE("hpa: a scale-up stabilisation window applies the lowest recent recommendation", "[hpa]") {
  const Behavior b = behavior(R"({"scaleUp":{"stabilizationWindowSeconds":60}})");
  History h;
  record_initial_recommendation(h, 2, t0);
  auto n = normalize_with_behavior(h, {.current = 2, .desired = 5, .min = 1, .max = 10}, b, t0 + 10s);
  CHECK(n.replicas == 2);
  CHECK(n.able_to_scale.reason == "ScaleUpStabilized");
  n = normalize_with_behavior(h, {.current = 2, .desired = 5, .min = 1, .max = 10}, b, t0 + 75s);
  CHECK(n.replicas == 5);
}

TEST_CASE("hpa: Percent scale-down per period, selectPolicy Min and Disabled", "[hpa]") {
  const Behavior half = behavior(
      R"({"scaleDown":{"stabilizationWindowSeconds":0,"policies":[{"type":"Percent","value":50,"periodSeconds":60}]}})");
  History h;
  record_initial_recommendation(h, 8, t0);
  auto n = normalize_with_behavior(h, {.current = 8, .desired = 1, .min = 1, .max = 10}, half, t0);
  CHECK(n.replicas == 4);
  CHECK(n.scaling_limited.reason == "ScaleDownLimit");
  store_scale_event(h, half, 8, 4, t0);
  CHECK(normalize_with_behavior(h, {.current = 4, .desired = 1, .min = 1, .max = 10}, half, t0 + 30s).replicas == 4);
  CHECK(normalize_with_behavior(h, {.current = 4, .desired = 1, .min = 1, .max = 10}, half, t0 + 61s).replicas == 2);

  const Behavior min_change = behavior(R"({"scaleUp":{"selectPolicy":"Min","policies":[
      {"type":"Pods","value":4,"periodSeconds":15},{"type":"Percent","value":100,"periodSeconds":15}]}})");
  History h2;
  CHECK(normalize_with_behavior(h2, {.current = 2, .desired = 20, .min = 1, .max = 50}, min_change, t0).replicas == 4);

  const Behavior disabled = behavior(R"({"scaleDown":{"selectPolicy":"Disabled","stabilizationWindowSeconds":0}})");
  History h3;
  CHECK(normalize_with_behavior(h3, {.current = 6, .desired = 1, .min = 1, .max = 10}, disabled, t0).replicas == 6);
}
