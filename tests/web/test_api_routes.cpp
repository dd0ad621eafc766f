// handle_request without sockets: every route, every error status, and the JSON each answers with.
#include <string>

#include <catch2/catch.hpp>

#include "api_routes.hpp"
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

core::Json json_of(const Response& response) {
  REQUIRE(response[http::field::content_type] == "application/json");
  return core::Json::parse(response.body());
}

std::string error_of(const Response& response) { return json_of(response).at("error").get<std::string>(); }

}  // namespace

TEST_CASE("healthz answers ok and readyz follows the engine's readiness", "[web][routes]") {
  test::FakeOperations ops;
  auto health = call(ops, http::verb::get, "/healthz");
  CHECK(health.result() == http::status::ok);
  CHECK(health.body() == "ok");

  CHECK(call(ops, http::verb::get, "/readyz").result() == http::status::ok);
  ops.set_ready(false);
  auto not_ready = call(ops, http::verb::get, "/readyz");
  CHECK(not_ready.result() == http::status::service_unavailable);
  CHECK_THAT(not_ready.body(), Catch::Contains("loading Applications"));
  // Health does not depend on readiness: the process is alive while it loads.
  CHECK(call(ops, http::verb::get, "/healthz").result() == http::status::ok);
}

TEST_CASE("GET /api/v1/applications lists every Application under items", "[web][routes]") {
  test::FakeOperations ops;
  auto empty = call(ops, http::verb::get, "/api/v1/applications");
  CHECK(empty.result() == http::status::ok);
  CHECK(json_of(empty) == core::Json{{"items", core::Json::array()}, {"metadata", {{"resourceVersion", "0"}}}});

  ops.add("guestbook");
  ops.add("tetris", "OutOfSync");
  auto list = json_of(call(ops, http::verb::get, "/api/v1/applications"));
  REQUIRE(list["items"].size() == 2);
  CHECK(list["items"][0]["metadata"]["name"] == "guestbook");
  CHECK(list["items"][1]["metadata"]["name"] == "tetris");
  CHECK(list["items"][1]["status"]["sync"]["status"] == "OutOfSync");
  CHECK(call(ops, http::verb::get, "/api/v1/applications/").result() == http::status::ok);  // trailing slash
}

TEST_CASE("GET /api/v1/applications/{name} answers the Application or 404", "[web][routes]") {
  test::FakeOperations ops;
  ops.add("tetris");
  auto found = call(ops, http::verb::get, "/api/v1/applications/tetris");
  CHECK(found.result() == http::status::ok);
  CHECK(json_of(found)["spec"]["source"]["repoURL"] == "https://example.com/tetris.git");

  auto missing = call(ops, http::verb::get, "/api/v1/applications/pacman");
  CHECK(missing.result() == http::status::not_found);
  CHECK_THAT(error_of(missing), Catch::Contains("pacman"));
  // A name with bytes that are not UTF-8 still gets a JSON error.
  auto odd = call(ops, http::verb::get, "/api/v1/applications/%FF");
  CHECK(odd.result() == http::status::not_found);
  CHECK(json_of(odd).contains("error"));
}

TEST_CASE("POST refresh queues a normal or hard refresh (202), 404 for an unknown app", "[web][routes]") {
  test::FakeOperations ops;
  ops.add("tetris");
  auto normal = call(ops, http::verb::post, "/api/v1/applications/tetris/refresh");
  CHECK(normal.result() == http::status::accepted);
  CHECK(json_of(normal)["refresh"] == "normal");
  CHECK(call(ops, http::verb::post, "/api/v1/applications/tetris/refresh?hard=true").result() ==
        http::status::accepted);
  CHECK(call(ops, http::verb::post, "/api/v1/applications/tetris/refresh?x=1&hard=false").result() ==
        http::status::accepted);
  REQUIRE(ops.refreshes.size() == 3);
  CHECK(ops.refreshes[0] == std::pair<std::string, bool>{"tetris", false});
  CHECK(ops.refreshes[1] == std::pair<std::string, bool>{"tetris", true});
  CHECK(ops.refreshes[2] == std::pair<std::string, bool>{"tetris", false});

  CHECK(call(ops, http::verb::post, "/api/v1/applications/tetris/refresh?hard=maybe").result() ==
        http::status::bad_request);
  auto unknown = call(ops, http::verb::post, "/api/v1/applications/pacman/refresh");
  CHECK(unknown.result() == http::status::not_found);
  CHECK_THAT(error_of(unknown), Catch::Contains("pacman"));
  CHECK(ops.refreshes.size() == 3);
}

TEST_CASE("POST sync passes the options through and answers the app, 409 while an operation runs, 404 for an unknown app", "[web][routes]") {
  test::FakeOperations ops;
  ops.add("tetris");
  ops.add("guestbook");

  SECTION("no body: a full sync with defaults") {
    auto response = call(ops, http::verb::post, "/api/v1/applications/guestbook/sync");
    CHECK(response.result() == http::status::ok);
    CHECK(json_of(response)["metadata"]["name"] == "guestbook");  // Argo CD answers with the Application
    REQUIRE(ops.syncs.size() == 1);
    const auto& request = ops.syncs[0].second;
    CHECK(request.revision.empty());
    CHECK_FALSE(request.prune);
    CHECK(request.resources.empty());
    CHECK(request.initiated_by == "api");
  }
  SECTION("every option") {
    auto response = call(ops, http::verb::post, "/api/v1/applications/tetris/sync",
                         R"({"revision":"abc123","prune":true,"dryRun":true,"force":true,
                             "resources":[{"group":"apps","kind":"Deployment","namespace":"game","name":"backend"},
                                          {"kind":"Service","namespace":"game","name":"frontend"}]})");
    CHECK(response.result() == http::status::ok);
    REQUIRE(ops.syncs.size() == 1);
    const auto& [name, request] = ops.syncs[0];
    CHECK(name == "tetris");
    CHECK(request.revision == "abc123");
    CHECK(request.prune);
    CHECK(request.dry_run);
    CHECK(request.force);
    REQUIRE(request.resources.size() == 2);
    CHECK(request.resources[0] == core::ResourceKey{"apps", "Deployment", "game", "backend"});
    CHECK(request.resources[1] == core::ResourceKey{"", "Service", "game", "frontend"});

    auto again = call(ops, http::verb::post, "/api/v1/applications/tetris/sync", "{}");
    CHECK(again.result() == http::status::conflict);
    CHECK_THAT(error_of(again), Catch::Contains("already running"));
    CHECK(ops.syncs.size() == 1);
  }
  SECTION("bad bodies are 400 naming the problem, and nothing is started") {
    auto not_json = call(ops, http::verb::post, "/api/v1/applications/tetris/sync", "{prune: yes");
    CHECK(not_json.result() == http::status::bad_request);
    CHECK_THAT(error_of(not_json), Catch::Contains("not JSON"));
    auto wrong_type = call(ops, http::verb::post, "/api/v1/applications/tetris/sync", R"({"prune":"yes"})");
    CHECK(wrong_type.result() == http::status::bad_request);
    CHECK_THAT(error_of(wrong_type), Catch::Contains("prune"));
    auto no_kind = call(ops, http::verb::post, "/api/v1/applications/tetris/sync", R"({"resources":[{"name":"x"}]})");
    CHECK(no_kind.result() == http::status::bad_request);
    CHECK_THAT(error_of(no_kind), Catch::Contains("resources[0]"));
    CHECK(call(ops, http::verb::post, "/api/v1/applications/tetris/sync", "[1]").result() ==
          http::status::bad_request);
    CHECK(ops.syncs.empty());
  }
  SECTION("unknown application") {
    auto response = call(ops, http::verb::post, "/api/v1/applications/pacman/sync", "{}");
    CHECK(response.result() == http::status::not_found);
    CHECK_THAT(error_of(response), Catch::Contains("pacman"));
  }
}

TEST_CASE("POST terminate: 202 while an operation runs, 409 when none does, 404 unknown", "[web][routes]") {
  test::FakeOperations ops;
  ops.add("tetris");
  auto idle = call(ops, http::verb::post, "/api/v1/applications/tetris/terminate");
  CHECK(idle.result() == http::status::conflict);
  CHECK_THAT(error_of(idle), Catch::Contains("no operation"));

  REQUIRE(call(ops, http::verb::post, "/api/v1/applications/tetris/sync").result() == http::status::ok);
  CHECK(call(ops, http::verb::post, "/api/v1/applications/tetris/terminate").result() == http::status::accepted);
  CHECK(ops.terminations == std::vector<std::string>{"tetris"});
  CHECK(call(ops, http::verb::post, "/api/v1/applications/pacman/terminate").result() == http::status::not_found);
}

TEST_CASE("wrong methods are 405 with Allow, unknown paths 404, all errors JSON", "[web][routes]") {
  test::FakeOperations ops;
  ops.add("tetris");
  struct Case {
    http::verb method;
    std::string target;
    std::string allow;
  };
  for (const auto& c : {Case{http::verb::post, "/healthz", "GET"}, Case{http::verb::delete_, "/readyz", "GET"},
                        Case{http::verb::post, "/api/v1/applications", "GET"},
                        Case{http::verb::put, "/api/v1/applications/tetris", "DELETE, GET"},
                        Case{http::verb::get, "/api/v1/applications/tetris/rollback", "POST"},
                        Case{http::verb::get, "/api/v1/applications/tetris/operation", "DELETE"},
                        Case{http::verb::get, "/api/v1/applications/tetris/sync", "POST"},
                        Case{http::verb::delete_, "/api/v1/applications/tetris/refresh", "POST"}}) {
    INFO(c.target);
    auto response = call(ops, c.method, c.target);
    CHECK(response.result() == http::status::method_not_allowed);
    CHECK(response[http::field::allow] == c.allow);
    CHECK_THAT(error_of(response), Catch::Contains(c.target));
  }
  for (const char* target : {"/settings", "/api", "/api/v2/applications", "/api/v1/projects",
                                   "/api/v1/applications/tetris/history", "/api/v1/applications/tetris/sync/x"}) {
    INFO(target);
    auto response = call(ops, http::verb::get, target);
    CHECK(response.result() == http::status::not_found);
    CHECK_THAT(error_of(response), Catch::Contains("no route"));
  }
  CHECK(ops.syncs.empty());
  CHECK(ops.refreshes.empty());
}

TEST_CASE("a failing engine call is a 500 naming the request, not an exception", "[web][routes]") {
  test::FakeOperations ops;
  ops.add("tetris");
  ops.set_failing(true);
  auto list = call(ops, http::verb::get, "/api/v1/applications");
  CHECK(list.result() == http::status::internal_server_error);
  CHECK_THAT(error_of(list), Catch::Contains("GET /api/v1/applications") && Catch::Contains("list exploded"));
  CHECK(call(ops, http::verb::get, "/api/v1/applications/tetris").result() == http::status::internal_server_error);
}

TEST_CASE("responses follow the request's HTTP version and keep-alive", "[web][routes]") {
  test::FakeOperations ops;
  Request old{http::verb::get, "/healthz", 10};
  auto response = handle_request(ops, old);
  CHECK(response.version() == 10);
  CHECK_FALSE(response.keep_alive());
  Request close{http::verb::get, "/healthz", 11};
  close.keep_alive(false);
  CHECK_FALSE(handle_request(ops, close).keep_alive());
  CHECK(handle_request(ops, Request{http::verb::get, "/healthz", 11}).keep_alive());
}

}  // namespace gitmoor::web
