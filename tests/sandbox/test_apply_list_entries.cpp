// Server-side apply and list-map entries: an entry (a container, keyed by name) the applying manager owned and no
// longer applies is removed with everything in it, unless another manager still owns fields in it.
#include <catch2/catch.hpp>

#include "api_client.hpp"

using gitmoor::sandbox::ApiOptions;
using gitmoor::sandbox::ApiServer;
using gitmoor::test::call;
using gitmoor::test::quiet;
using Json = nlohmann::json;

namespace {


const std::string kDeploy = "/apis/apps/v1/namespaces/default/deployments/backend";

Json deployment(const Json& containers) {
  return {{"apiVersion", "apps/v1"},
          {"kind", "Deployment"},
          {"metadata", {{"name", "backend"}, {"labels", {{"app", "backend"}}}}},
          {"spec",
           {{"replicas", 2},
            {"selector", {{"matchLabels", {{"app", "backend"}}}}},
            {"template", {{"metadata", {{"labels", {{"app", "backend"}}}}}, {"spec", {{"containers", containers}}}}}}}};
}

const Json kApi = {{"name", "api"}, {"image", "tetris/backend:abc"}};
const Json kWorker = {{"name", "worker"}, {"image", "tetris/backend:abc"}, {"args", {"worker"}}};

Json containers_of(const Json& object) { return object["spec"]["template"]["spec"]["containers"]; }

Json ssa(ApiServer& api, const Json& body, const std::string& manager = "gitmoor") {
  auto r = call(api, "PATCH", kDeploy + "?fieldManager=" + manager, body, "application/apply-patch+yaml");
  INFO(r.raw.body);
  REQUIRE(r.status < 300);
  return r.body;
}

}  // namespace

TEST_CASE("server-side apply removes a container the manager no longer applies, defaults included",
          "[sandbox][apply]") {
  ApiServer api(quiet());
  Json both = ssa(api, deployment(Json::array({kApi, kWorker})));
  REQUIRE(containers_of(both).size() == 2);
  CHECK(containers_of(both)[1]["terminationMessagePath"] == "/dev/termination-log");  // defaulted, unowned

  Json one = ssa(api, deployment(Json::array({kApi})));
  REQUIRE(containers_of(one).size() == 1);
  CHECK(containers_of(one)[0]["name"] == "api");
  const Json& fields = one["metadata"]["managedFields"][0]["fieldsV1"]["f:spec"]["f:template"]["f:spec"]["f:containers"];
  CHECK(fields.contains(R"(k:{"name":"api"})"));
  CHECK_FALSE(fields.contains(R"(k:{"name":"worker"})"));
  CHECK(one["metadata"]["generation"] == 2);

  // Applying it back adds it again, at the end.
  Json again = ssa(api, deployment(Json::array({kApi, kWorker})));
  REQUIRE(containers_of(again).size() == 2);
  CHECK(containers_of(again)[1]["args"] == Json::array({"worker"}));
}

TEST_CASE("a dropped container stays while another manager owns fields in it, with only those fields",
          "[sandbox][apply]") {
  ApiServer api(quiet());
  ssa(api, deployment(Json::array({kApi, kWorker})));
  // Another manager (an Update, as `kubectl set image` and `set env` make) changes the worker's image and adds an
  // env var. (Had it owned only env, the remaining container would lack an image: 422, as on a real server.)
  auto patched = call(api, "PATCH", kDeploy + "?fieldManager=operator",
                      Json{{"spec",
                            {{"template",
                              {{"spec",
                                {{"containers",
                                  Json::array({{{"name", "worker"},
                                                {"image", "tetris/backend:def"},
                                                {"env", {{{"name", "MODE"}, {"value", "x"}}}}}})}}}}}}}},
                      "application/strategic-merge-patch+json");
  REQUIRE(patched.status == 200);

  Json one = ssa(api, deployment(Json::array({kApi})));
  REQUIRE(containers_of(one).size() == 2);
  const Json worker = containers_of(one)[1];
  CHECK(worker["name"] == "worker");
  CHECK(worker["env"][0]["name"] == "MODE");
  CHECK(worker["image"] == "tetris/backend:def");
  CHECK_FALSE(worker.contains("args"));  // gitmoor's own fields in it are gone
}

TEST_CASE("a container owned by two appliers stays until the last one drops it", "[sandbox][apply]") {
  ApiServer api(quiet());
  ssa(api, deployment(Json::array({kApi, kWorker})), "gitmoor");
  ssa(api, deployment(Json::array({kApi, kWorker})), "helm");
  Json first = ssa(api, deployment(Json::array({kApi})), "gitmoor");
  REQUIRE(containers_of(first).size() == 2);
  CHECK(containers_of(first)[1]["image"] == "tetris/backend:abc");  // helm still applies it
  Json second = ssa(api, deployment(Json::array({kApi})), "helm");
  REQUIRE(containers_of(second).size() == 1);
}
