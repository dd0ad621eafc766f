// The disruption controller's arithmetic (disruption.hpp) and its status on a PodDisruptionBudget in a sandbox; and
// the objects a fresh sandbox cluster already has (the local-path StorageClass, the system PriorityClasses).
#include <catch2/catch.hpp>

#include <chrono>
#include <memory>
#include <thread>

#include "api_client.hpp"
#include "disruption.hpp"

using gitmoor::sandbox::ApiOptions;
using gitmoor::sandbox::ApiServer;
using gitmoor::sandbox::disruption_status;
using gitmoor::sandbox::ObjectPtr;
using gitmoor::test::call;
using Json = nlohmann::json;

namespace {

ObjectPtr pod(const std::string& name, const std::string& app, bool ready) {
  return std::make_shared<const Json>(Json{
      {"metadata", {{"name", name}, {"labels", {{"app", app}}}}},
      {"status",
       {{"phase", "Running"}, {"conditions", {{{"type", "Ready"}, {"status", ready ? "True" : "False"}}}}}}});
}

Json budget(const Json& spec) {
  return {{"metadata", {{"name", "web"}, {"generation", 2}}}, {"spec", spec}};
}

const Json kSelector = {{"matchLabels", {{"app", "web"}}}};

}  // namespace

TEST_CASE("disruption: minAvailable and maxUnavailable, as numbers and percentages, over the Pods selected",
          "[disruption]") {
  std::vector<ObjectPtr> pods{pod("web-1", "web", true), pod("web-2", "web", true), pod("web-3", "web", false),
                              pod("other", "db", true)};
  Json s = disruption_status(budget({{"minAvailable", 1}, {"selector", kSelector}}), pods, Json::object(), "T0");
  CHECK(s["expectedPods"] == 3);
  CHECK(s["currentHealthy"] == 2);
  CHECK(s["desiredHealthy"] == 1);
  CHECK(s["disruptionsAllowed"] == 1);
  CHECK(s["observedGeneration"] == 2);
  CHECK(s["conditions"][0]["type"] == "DisruptionAllowed");
  CHECK(s["conditions"][0]["status"] == "True");
  CHECK(s["conditions"][0]["reason"] == "SufficientPods");

  // 50% of 3 expected rounds up to 2 healthy: nothing may be disrupted.
  s = disruption_status(budget({{"minAvailable", "50%"}, {"selector", kSelector}}), pods, s, "T1");
  CHECK(s["desiredHealthy"] == 2);
  CHECK(s["disruptionsAllowed"] == 0);
  CHECK(s["conditions"][0]["status"] == "False");
  CHECK(s["conditions"][0]["reason"] == "InsufficientPods");
  CHECK(s["conditions"][0]["lastTransitionTime"] == "T1");

  s = disruption_status(budget({{"maxUnavailable", 1}, {"selector", kSelector}}), pods, s, "T2");
  CHECK(s["desiredHealthy"] == 2);
  CHECK(s["disruptionsAllowed"] == 0);
  CHECK(s["conditions"][0]["lastTransitionTime"] == "T1");  // still False: the transition time stays

  s = disruption_status(budget({{"maxUnavailable", "34%"}, {"selector", kSelector}}), pods, s, "T3");
  CHECK(s["desiredHealthy"] == 1);  // 34% of 3 rounds up to 2 unavailable
  CHECK(s["disruptionsAllowed"] == 1);

  // policy/v1: an empty selector covers the namespace, a missing one nothing.
  s = disruption_status(budget({{"minAvailable", 1}, {"selector", Json::object()}}), pods, s, "T4");
  CHECK(s["expectedPods"] == 4);
  s = disruption_status(budget({{"minAvailable", 1}}), pods, s, "T5");
  CHECK(s["expectedPods"] == 0);
  CHECK(s["disruptionsAllowed"] == 0);
}

TEST_CASE("disruption: the sandbox keeps a PodDisruptionBudget's status as its Pods come and go", "[disruption]") {
  ApiOptions options;
  options.pod_ready_delay = std::chrono::milliseconds(5);
  ApiServer api(options);
  Json deployment{{"apiVersion", "apps/v1"},
                  {"kind", "Deployment"},
                  {"metadata", {{"name", "web"}}},
                  {"spec",
                   {{"replicas", 3},
                    {"selector", kSelector},
                    {"template",
                     {{"metadata", {{"labels", {{"app", "web"}}}}},
                      {"spec", {{"containers", {{{"name", "web"}, {"image", "nginx:1.27"}}}}}}}}}}};
  REQUIRE(call(api, "POST", "/apis/apps/v1/namespaces/default/deployments", deployment).status == 201);
  Json pdb{{"apiVersion", "policy/v1"},
           {"kind", "PodDisruptionBudget"},
           {"metadata", {{"name", "web"}}},
           {"spec", {{"minAvailable", 2}, {"selector", kSelector}}}};
  REQUIRE(call(api, "POST", "/apis/policy/v1/namespaces/default/poddisruptionbudgets", pdb).status == 201);
  auto status = [&] {
    return call(api, "GET", "/apis/policy/v1/namespaces/default/poddisruptionbudgets/web")
        .body.value("status", Json::object());
  };
  auto until = [&](auto predicate) {
    for (int i = 0; i < 500 && !predicate(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    return predicate();
  };
  CHECK(until([&] { return status().value("currentHealthy", 0) == 3 && status().value("disruptionsAllowed", 0) == 1; }));
  REQUIRE(call(api, "PATCH", "/apis/apps/v1/namespaces/default/deployments/web/scale", Json::parse(R"({"spec":{"replicas":1}})"),
               "application/merge-patch+json")
              .status == 200);
  CHECK(until([&] { return status().value("expectedPods", 0) == 1 && status().value("disruptionsAllowed", 1) == 0; }));
}

TEST_CASE("disruption: a fresh cluster has the local-path StorageClass and the system PriorityClasses",
          "[disruption]") {
  ApiServer api(ApiOptions{.controllers = false});
  auto sc = call(api, "GET", "/apis/storage.k8s.io/v1/storageclasses/local-path");
  REQUIRE(sc.status == 200);
  CHECK(sc.body["provisioner"] == "rancher.io/local-path");
  auto pc = call(api, "GET", "/apis/scheduling.k8s.io/v1/priorityclasses/system-cluster-critical");
  REQUIRE(pc.status == 200);
  CHECK(pc.body["value"] == 2000000000);
}
