// The applications event stream of a real `gitmoor serve`: the Controller says when an app changes, and a subscribed
// client hears of the new Application, of its first compare, and of the sync it was asked for.
#include <catch2/catch.hpp>

#include "../web/sse_client.hpp"
#include "serve_env.hpp"

using namespace gitmoor::test;

namespace {

std::uint16_t port_of(const std::string& url) { return static_cast<std::uint16_t>(std::stoi(url.substr(url.rfind(':') + 1))); }

// Reads frames until one about `name` satisfies `condition`; returns it (null when the stream ran dry first).
Json wait_frame(SseClient& client, const std::string& name, const std::function<bool(const Json&)>& condition) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    auto frame = client.next_data(std::chrono::seconds(60));
    if (!frame) break;
    const auto& result = (*frame)["result"];
    if (result["application"]["metadata"].value("name", "") == name && condition(result)) return *frame;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("serve: a stream client hears of a new Application, its compare and its sync", "[serve][sse]") {
  ServeEnv env;
  env.install_crd();
  const std::string commit = env.commit_example();
  env.start_serve();

  SseClient client(port_of(env.api()), "/api/v1/stream/applications");
  REQUIRE(client.head().result() == boost::beast::http::status::ok);

  env.kubectl_apply(application_yaml("watched", env.repo_url(), "helm/tetris", "watched",
                                     "    syncOptions:\n      - CreateNamespace=true\n"));
  auto added = wait_frame(client, "watched", [](const Json& r) { return r["type"] == "ADDED"; });
  INFO(env.logs());
  REQUIRE_FALSE(added.is_null());
  // The first compare: nothing deployed yet, so OutOfSync at the commit.
  auto compared = wait_frame(client, "watched", [&](const Json& r) {
    return r["type"] == "MODIFIED" && sync_status(r["application"]) == "OutOfSync" && revision(r["application"]) == commit;
  });
  REQUIRE_FALSE(compared.is_null());

  REQUIRE(http_request(env.api(), "POST", "/api/v1/applications/watched/sync", "{}").status == 200);
  auto synced = wait_frame(client, "watched", [](const Json& r) {
    return r["type"] == "MODIFIED" && sync_status(r["application"]) == "Synced" &&
           r["application"]["status"].value("operationState", Json::object()).value("phase", "") == "Succeeded";
  });
  CHECK_FALSE(synced.is_null());

  env.kubectl({"delete", "applications.gitmoor.dev", "watched", "-n", "gitmoor"});
  auto deleted = wait_frame(client, "watched", [](const Json& r) { return r["type"] == "DELETED"; });
  CHECK_FALSE(deleted.is_null());
}
