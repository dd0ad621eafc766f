// The application operations' routes over the fake engine: list filters and fields, get with refresh, rollback,
// terminate as DELETE .../operation, and delete with cascade and propagationPolicy.
#include <string>

#include <catch2/catch.hpp>

#include "api_routes.hpp"
#include "application_filters.hpp"
#include "fake_operations.hpp"

namespace gitmoor::web {
namespace {

namespace http = boost::beast::http;

Response call(engine::Operations& ops, http::verb method, const std::string& target, const std::string& body = "") {
  Request request{method, target, 11};
  request.body() = body;
  request.prepare_payload();
  return handle_request(ops, request);
}

core::Json json_of(const Response& response) { return core::Json::parse(response.body()); }
std::string error_of(const Response& response) { return json_of(response).at("error").get<std::string>(); }

core::Json application(const std::string& name, core::Json labels, const std::string& health, bool automated) {
  core::Json spec{{"source", {{"repoURL", "https://example.com/" + name + ".git"}}}};
  if (automated) spec["syncPolicy"] = {{"automated", {{"prune", true}}}};
  return {{"metadata", {{"name", name}, {"labels", std::move(labels)}, {"resourceVersion", name == "a" ? "41" : "7"}}},
          {"spec", std::move(spec)},
          {"status",
           {{"sync", {{"status", "Synced"}}},
            {"health", {{"status", health}}},
            {"history", {{{"id", 0}, {"revision", "aaa"}}, {{"id", 1}, {"revision", "bbb"}}}}}}};
}

}  // namespace

TEST_CASE("GET /api/v1/applications filters by selector and health, keeps fields, 400 for a bad selector", "[web][routes]") {
  test::FakeOperations ops;
  ops.put("a", application("a", {{"team", "games"}}, "Healthy", false));
  ops.put("b", application("b", {{"team", "shop"}}, "Degraded", false));

  const auto list = json_of(call(ops, http::verb::get, "/api/v1/applications?selector=team%3Dgames"));
  REQUIRE(list["items"].size() == 1);
  CHECK(list["items"][0]["metadata"]["name"] == "a");
  CHECK(list["metadata"]["resourceVersion"] == "41");
  CHECK(json_of(call(ops, http::verb::get, "/api/v1/applications?health=Degraded"))["items"][0]["metadata"]["name"] == "b");

  const auto narrow = json_of(call(ops, http::verb::get, "/api/v1/applications?fields=items.metadata.name"));
  CHECK(narrow == core::Json{{"items", {{{"metadata", {{"name", "a"}}}}, {{"metadata", {{"name", "b"}}}}}}});

  const auto bad = call(ops, http::verb::get, "/api/v1/applications?selector=team%20within%20(x)");
  CHECK(bad.result() == http::status::bad_request);
  CHECK_THAT(error_of(bad), Catch::Contains("team within (x)"));
}

TEST_CASE("GET an application with refresh=normal|hard waits for a refresh first, 400 for another value", "[web][routes]") {
  test::FakeOperations ops;
  ops.add("tetris");
  CHECK(call(ops, http::verb::get, "/api/v1/applications/tetris?refresh=hard").result() == http::status::ok);
  CHECK(call(ops, http::verb::get, "/api/v1/applications/tetris?refresh=normal").result() == http::status::ok);
  CHECK(ops.refreshes == std::vector<std::pair<std::string, bool>>{{"tetris", true}, {"tetris", false}});
  CHECK(ops.waited_refreshes.size() == 2);
  const auto bad = call(ops, http::verb::get, "/api/v1/applications/tetris?refresh=soft");
  CHECK(bad.result() == http::status::bad_request);
  CHECK_THAT(error_of(bad), Catch::Contains("soft"));
  CHECK(ops.refreshes.size() == 2);
  CHECK(call(ops, http::verb::get, "/api/v1/applications/pacman?refresh=hard").result() == http::status::not_found);
}

TEST_CASE("POST rollback: the app back, 409 with auto-sync on, 400 naming an unknown id or a bad body", "[web][routes]") {
  test::FakeOperations ops;
  ops.put("manual", application("manual", core::Json::object(), "Healthy", false));
  ops.put("auto", application("auto", core::Json::object(), "Healthy", true));

  const auto ok = call(ops, http::verb::post, "/api/v1/applications/manual/rollback", R"({"id":"0","prune":true})");
  CHECK(ok.result() == http::status::ok);
  CHECK(json_of(ok)["metadata"]["name"] == "manual");
  REQUIRE(ops.rollbacks.size() == 1);
  CHECK(ops.rollbacks[0].second.id == 0);
  CHECK(ops.rollbacks[0].second.prune);
  CHECK(ops.rollbacks[0].second.initiated_by == "api");

  const auto refused = call(ops, http::verb::post, "/api/v1/applications/auto/rollback", R"({"id":0})");
  CHECK(refused.result() == http::status::conflict);
  CHECK(json_of(refused)["code"] == 9);  // FailedPrecondition, as Argo CD
  CHECK_THAT(error_of(refused), Catch::Contains("rollback cannot be initiated when auto-sync is enabled"));

  const auto unknown = call(ops, http::verb::post, "/api/v1/applications/manual/rollback", R"({"id":9})");
  CHECK(unknown.result() == http::status::bad_request);
  CHECK_THAT(error_of(unknown), Catch::Contains("id 9"));
  CHECK(call(ops, http::verb::post, "/api/v1/applications/manual/rollback", R"({"id":"x"})").result() ==
        http::status::bad_request);
  CHECK(ops.rollbacks.size() == 1);
}

TEST_CASE("DELETE .../operation terminates the running operation", "[web][routes]") {
  test::FakeOperations ops;
  ops.add("tetris");
  CHECK(call(ops, http::verb::delete_, "/api/v1/applications/tetris/operation").result() == http::status::conflict);
  REQUIRE(call(ops, http::verb::post, "/api/v1/applications/tetris/sync").result() == http::status::ok);
  const auto stopped = call(ops, http::verb::delete_, "/api/v1/applications/tetris/operation");
  CHECK(stopped.result() == http::status::ok);
  CHECK(json_of(stopped) == core::Json::object());
  CHECK(ops.terminations == std::vector<std::string>{"tetris"});
}

TEST_CASE("DELETE an application: cascade and propagationPolicy passed on, 400 for bad values or a file app", "[web][routes]") {
  test::FakeOperations ops;
  ops.add("tetris");
  CHECK(call(ops, http::verb::delete_, "/api/v1/applications/tetris").result() == http::status::ok);
  CHECK(call(ops, http::verb::delete_, "/api/v1/applications/tetris?cascade=false").result() == http::status::ok);
  CHECK(call(ops, http::verb::delete_, "/api/v1/applications/tetris?cascade=true&propagationPolicy=background")
            .result() == http::status::ok);
  REQUIRE(ops.deletions.size() == 3);
  CHECK(ops.deletions[0].second.cascade);
  CHECK(ops.deletions[0].second.propagation_policy == "foreground");
  CHECK_FALSE(ops.deletions[1].second.cascade);
  CHECK(ops.deletions[2].second.propagation_policy == "background");

  const auto bad = call(ops, http::verb::delete_, "/api/v1/applications/tetris?cascade=maybe");
  CHECK(bad.result() == http::status::bad_request);
  CHECK_THAT(error_of(bad), Catch::Contains("cascade") && Catch::Contains("maybe"));

  ops.put("from-file", {{"metadata", {{"name", "from-file"}, {"annotations", {{"gitmoor.dev/source-file", "apps.yaml"}}}}}});
  const auto file = call(ops, http::verb::delete_, "/api/v1/applications/from-file");
  CHECK(file.result() == http::status::bad_request);
  CHECK_THAT(error_of(file), Catch::Contains("--apps file"));
  CHECK(call(ops, http::verb::delete_, "/api/v1/applications/pacman").result() == http::status::not_found);
  CHECK(ops.deletions.size() == 3);
}


TEST_CASE("GET /api/v1/applications written one app at a time answers what keep_fields cuts from the whole list",
          "[web][routes]") {
  test::FakeOperations ops;
  ops.put("a", application("a", {{"team", "games"}}, "Healthy", false));
  ops.put("b", application("b", {{"team", "shop"}}, "Degraded", false));
  ops.put("c", application("c", {{"team", "games"}}, "Degraded", false));
  core::Json whole = {{"items", core::Json::array()}, {"metadata", {{"resourceVersion", "41"}}}};
  for (const auto& app : ops.list_applications()) whole["items"].push_back(app);

  CHECK(json_of(call(ops, http::verb::get, "/api/v1/applications")) == whole);
  for (const std::string fields : {"items.metadata.name,items.status.sync", "items.metadata,metadata.resourceVersion",
                                   "metadata", "items", "items.spec.nothing", "items.status.history.revision"}) {
    INFO("fields=" << fields);
    std::vector<std::string> paths;
    for (std::size_t start = 0;;) {
      const auto comma = fields.find(',', start);
      paths.push_back(fields.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    CHECK(json_of(call(ops, http::verb::get, "/api/v1/applications?fields=" + fields)) == keep_fields(whole, paths));
  }
  // Filtered: only the matching apps, the list's version still the newest of all.
  const auto games = json_of(call(ops, http::verb::get, "/api/v1/applications?selector=team%3Dgames&health=Degraded"));
  REQUIRE(games["items"].size() == 1);
  CHECK(games["items"][0]["metadata"]["name"] == "c");
  CHECK(games["metadata"]["resourceVersion"] == "41");
}

}  // namespace gitmoor::web
