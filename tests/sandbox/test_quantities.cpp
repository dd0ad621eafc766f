// Quantities are stored in the API server's canonical form, in the format the user chose: `0.5` → `500m`,
// `1024Mi` → `1Gi`, `1000M` → `1G`, `1.5Gi` and `1073741824` stay; fields that are not quantities are untouched.
#include <catch2/catch.hpp>

#include "api_client.hpp"
#include "quantities.hpp"

using gitmoor::sandbox::ApiOptions;
using gitmoor::sandbox::ApiServer;
using gitmoor::sandbox::canonicalise_quantities;
using gitmoor::test::call;
using gitmoor::test::quiet;
using Json = nlohmann::json;

namespace {

Json deployment(const Json& requests, const Json& limits) {
  return {{"apiVersion", "apps/v1"},
          {"kind", "Deployment"},
          {"metadata", {{"name", "web"}}},
          {"spec",
           {{"selector", {{"matchLabels", {{"app", "web"}}}}},
            {"template",
             {{"metadata", {{"labels", {{"app", "web"}}}}},
              {"spec",
               {{"containers", Json::array({{{"name", "web"},
                                             {"image", "nginx:1.25"},
                                             {"resources", {{"requests", requests}, {"limits", limits}}}}})},
                {"volumes", Json::array({{{"name", "tmp"}, {"emptyDir", {{"sizeLimit", "1024Mi"}}}}})}}}}}}}};
}
}  // namespace

TEST_CASE("container resources are stored canonical, in the format written", "[sandbox][quantity]") {
  ApiServer api(quiet());
  auto created = call(api, "POST", "/apis/apps/v1/namespaces/default/deployments",
                      deployment({{"cpu", "0.5"}, {"memory", "1.5Gi"}, {"ephemeral-storage", 1073741824}},
                                 {{"cpu", 2}, {"memory", "1000M"}, {"nvidia.com/gpu", "1000m"}}));
  REQUIRE(created.status == 201);
  const Json& pod = created.body["spec"]["template"]["spec"];
  const Json& resources = pod["containers"][0]["resources"];
  CHECK(resources["requests"] == Json{{"cpu", "500m"}, {"memory", "1536Mi"}, {"ephemeral-storage", "1073741824"}});
  CHECK(resources["limits"] == Json{{"cpu", "2"}, {"memory", "1G"}, {"nvidia.com/gpu", "1"}});
  CHECK(pod["volumes"][0]["emptyDir"]["sizeLimit"] == "1Gi");
}

TEST_CASE("a quantity applied in another spelling is the same value: no conflict, no write", "[sandbox][quantity]") {
  ApiServer api(quiet());
  const std::string url = "/apis/apps/v1/namespaces/default/deployments/web";
  auto first = call(api, "PATCH", url + "?fieldManager=alice", deployment({{"cpu", "500m"}}, Json::object()),
                    "application/apply-patch+yaml");
  REQUIRE(first.status == 201);
  // bob applies 0.5: the same quantity, shared ownership rather than a conflict with alice.
  auto bob = call(api, "PATCH", url + "?fieldManager=bob", deployment({{"cpu", "0.5"}}, Json::object()),
                  "application/apply-patch+yaml");
  INFO(bob.raw.body);
  REQUIRE(bob.status == 200);
  CHECK(bob.body["spec"]["template"]["spec"]["containers"][0]["resources"]["requests"]["cpu"] == "500m");
  // alice again with 0.5: nothing changes, the resourceVersion stays.
  auto again = call(api, "PATCH", url + "?fieldManager=alice", deployment({{"cpu", "0.5"}}, Json::object()),
                    "application/apply-patch+yaml");
  REQUIRE(again.status == 200);
  CHECK(again.body["metadata"]["resourceVersion"] == bob.body["metadata"]["resourceVersion"]);
}

TEST_CASE("claims, HPA targets, LimitRanges and ResourceQuotas, non-quantity fields untouched", "[sandbox][quantity]") {
  Json pvc{{"spec", {{"resources", {{"requests", {{"storage", "1024Mi"}}}}}}}, {"status", {{"capacity", {{"storage", "2048Mi"}}}}}};
  canonicalise_quantities("PersistentVolumeClaim", pvc);
  CHECK(pvc["spec"]["resources"]["requests"]["storage"] == "1Gi");
  CHECK(pvc["status"]["capacity"]["storage"] == "2Gi");

  Json hpa{{"spec",
            {{"metrics", Json::array({{{"type", "Pods"},
                                       {"pods", {{"target", {{"type", "AverageValue"}, {"averageValue", "0.5"}}}}}}})},
             {"behavior", {{"scaleUp", {{"policies", Json::array({{{"type", "Percent"}, {"value", 100}}})}}}}}}}};
  canonicalise_quantities("HorizontalPodAutoscaler", hpa);
  CHECK(hpa["spec"]["metrics"][0]["pods"]["target"]["averageValue"] == "500m");
  CHECK(hpa["spec"]["behavior"]["scaleUp"]["policies"][0]["value"] == 100);  // an integer, not a quantity

  Json limits{{"spec", {{"limits", Json::array({{{"type", "Container"}, {"default", {{"cpu", "0.2"}}},
                                                 {"max", {{"memory", "1000Mi"}}}}})}}}};
  canonicalise_quantities("LimitRange", limits);
  CHECK(limits["spec"]["limits"][0]["default"]["cpu"] == "200m");
  CHECK(limits["spec"]["limits"][0]["max"]["memory"] == "1000Mi");
  CHECK(limits["spec"]["limits"][0]["type"] == "Container");

  Json quota{{"spec", {{"hard", {{"requests.cpu", "1000m"}, {"requests.memory", "0.5Gi"}, {"pods", 10}}}}}};
  canonicalise_quantities("ResourceQuota", quota);
  CHECK(quota["spec"]["hard"] == Json{{"requests.cpu", "1"}, {"requests.memory", "512Mi"}, {"pods", "10"}});

  Json custom{{"spec", {{"requests", {{"cpu", "0.5"}}}}}};
  canonicalise_quantities("Widget", custom);
  CHECK(custom["spec"]["requests"]["cpu"] == "0.5");
  Json odd{{"spec", {{"containers", Json::array({{{"resources", {{"requests", {{"cpu", "lots"}}}}}}})}}}};
  canonicalise_quantities("Pod", odd);
  CHECK(odd["spec"]["containers"][0]["resources"]["requests"]["cpu"] == "lots");  // left as written
}
