// Fault injection and request counters through the admin endpoint (outside /api).
#include <catch2/catch.hpp>

#include "api_client.hpp"

using gitmoor::sandbox::ApiOptions;
using gitmoor::sandbox::ApiServer;
using gitmoor::sandbox::WatchStream;
using gitmoor::test::call;
using gitmoor::test::quiet;
using gitmoor::test::configmap;
using Json = nlohmann::json;

namespace {
const std::string kCms = "/api/v1/namespaces/default/configmaps";

std::uint64_t counted(ApiServer& api, const std::string& verb, const std::string& resource, int code) {
  auto r = call(api, "GET", "/sandbox/counters");
  for (const auto& c : r.body["counters"]) {
    if (c["verb"] == verb && c["resource"] == resource && c["code"] == code) return c["count"];
  }
  return 0;
}
}  // namespace

TEST_CASE("request counters count by verb, resource and code", "[sandbox][faults]") {
  ApiServer api(quiet());
  REQUIRE(call(api, "POST", kCms, configmap("a")).status == 201);
  REQUIRE(call(api, "POST", kCms, configmap("a")).status == 409);
  REQUIRE(call(api, "PATCH", kCms + "/a?fieldManager=m", configmap("a", {{"x", "1"}}), "application/apply-patch+yaml")
              .status == 200);
  REQUIRE(call(api, "GET", kCms).status == 200);
  CHECK(counted(api, "create", "configmaps", 201) == 1);
  CHECK(counted(api, "create", "configmaps", 409) == 1);
  CHECK(counted(api, "patch", "configmaps", 200) == 1);
  CHECK(counted(api, "list", "configmaps", 200) == 1);
  REQUIRE(call(api, "DELETE", "/sandbox/counters").status == 200);
  CHECK(counted(api, "create", "configmaps", 201) == 0);
}

TEST_CASE("injected errors: 429 with Retry-After, 503, 500 and 409, limited by times and scoped by verb", "[sandbox][faults]") {
  ApiServer api(quiet());
  REQUIRE(call(api, "POST", "/sandbox/faults",
               Json{{"verb", "create"}, {"resource", "configmaps"}, {"code", 429}, {"times", 2}, {"retryAfterSeconds", 3}})
              .status == 200);
  auto throttled = call(api, "POST", kCms, configmap("a"));
  CHECK(throttled.status == 429);
  CHECK(throttled.body["reason"] == "TooManyRequests");
  bool retry_after = false;
  for (const auto& [k, v] : throttled.raw.headers) retry_after = retry_after || (k == "Retry-After" && v == "3");
  CHECK(retry_after);
  CHECK(call(api, "GET", kCms).status == 200);  // other verbs are untouched
  CHECK(call(api, "POST", kCms, configmap("a")).status == 429);
  CHECK(call(api, "POST", kCms, configmap("a")).status == 201);  // the rule is used up

  REQUIRE(call(api, "DELETE", "/sandbox/faults").status == 200);
  for (int code : {503, 500, 409}) {
    REQUIRE(call(api, "POST", "/sandbox/faults", Json{{"verb", "*"}, {"resource", "*"}, {"code", code}, {"times", 1}})
                .status == 200);
    CHECK(call(api, "GET", kCms + "/a").status == code);
    CHECK(call(api, "GET", kCms + "/a").status == 200);
  }
  auto rules = call(api, "GET", "/sandbox/faults");
  CHECK(rules.body["rules"].size() == 3);
  CHECK(call(api, "POST", "/sandbox/faults", Json("not json")).status == 400);
}

TEST_CASE("injected latency delays the request without failing it", "[sandbox][faults]") {
  ApiServer api(quiet());
  REQUIRE(call(api, "POST", "/sandbox/faults", Json{{"verb", "get"}, {"latencyMs", 20}, {"times", 1}}).status == 200);
  REQUIRE(call(api, "POST", kCms, configmap("a")).status == 201);
  CHECK(call(api, "GET", kCms + "/a").status == 200);
  CHECK(call(api, "GET", "/sandbox/faults").body["rules"][0]["times"] == 0);
}

TEST_CASE("the admin endpoint closes watches and forces 410 on resumption", "[sandbox][faults]") {
  ApiServer api(quiet());
  auto first = call(api, "POST", kCms, configmap("a"));
  std::string rv = first.body["metadata"]["resourceVersion"];
  auto w = call(api, "GET", kCms + "?watch=true&resourceVersion=" + rv);
  REQUIRE(w.raw.watch);
  REQUIRE(call(api, "POST", "/sandbox/watches/close").status == 200);
  std::string line;
  auto next = w.raw.watch->next(line, std::chrono::milliseconds(1000));
  CHECK(next == WatchStream::Next::End);

  REQUIRE(call(api, "POST", "/sandbox/watches/expire").status == 200);
  auto gone = call(api, "GET", kCms + "?watch=true&resourceVersion=" + rv);
  REQUIRE(gone.raw.watch);
  REQUIRE(gone.raw.watch->next(line, std::chrono::milliseconds(1000)) == WatchStream::Next::Data);
  auto event = Json::parse(line);
  CHECK(event["type"] == "ERROR");
  CHECK(event["object"]["code"] == 410);
  // A fresh watch (no resourceVersion) still works.
  auto fresh = call(api, "GET", kCms + "?watch=true");
  REQUIRE(fresh.raw.watch);
  REQUIRE(fresh.raw.watch->next(line, std::chrono::milliseconds(1000)) == WatchStream::Next::Data);
  CHECK(Json::parse(line)["type"] == "ADDED");
}

TEST_CASE("a bearer token is required when set", "[sandbox][faults]") {
  ApiOptions options = quiet();
  options.token = "t0k";
  ApiServer api(options);
  auto refused = call(api, "GET", "/api/v1/namespaces");
  CHECK(refused.status == 401);
  CHECK(refused.body["reason"] == "Unauthorized");
  gitmoor::sandbox::Request r;
  r.method = "GET";
  r.target = "/api/v1/namespaces";
  r.headers["authorization"] = "Bearer t0k";
  CHECK(api.handle(r).status == 200);
  CHECK(call(api, "GET", "/healthz").status == 200);
}
