// The server-sent event streams over the real server: what a client is sent (Argo CD's frames), what it is not
// (duplicates, reconciledAt-only changes, other apps), keep-alives, and what happens to a client that stops reading.
#include <string>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <catch2/catch.hpp>

#include "eventually.hpp"
#include "fake_operations.hpp"
#include "gitmoor/web/http_server.hpp"
#include "sse_client.hpp"

namespace gitmoor::web {
namespace {

using test::SseClient;
namespace http = boost::beast::http;
using namespace std::chrono_literals;

// The fake with a resource tree per app (the views engineer's Controller computes the real one).
class TreeOperations : public test::FakeOperations {
 public:
  core::Json resource_tree(const std::string& name) const override {
    std::lock_guard lock(tree_mutex_);
    if (!get_application(name)) throw engine::ApplicationNotFound("application " + name + " not found");
    auto it = trees_.find(name);
    return it == trees_.end() ? core::Json{{"nodes", core::Json::array()}} : it->second;
  }
  void set_tree(const std::string& name, core::Json tree) {
    {
      std::lock_guard lock(tree_mutex_);
      trees_[name] = std::move(tree);
    }
    app_events.changed(name);
  }

 private:
  mutable std::mutex tree_mutex_;
  std::map<std::string, core::Json> trees_;
};

HttpServerOptions quiet_options() {
  HttpServerOptions options;
  options.streams.keepalive = 1h;  // no comments unless a test asks for them
  options.streams.resync = 1h;     // changes reach clients only through watch_applications
  options.streams.tree_interval = 1h;
  return options;
}

std::string type_of(const core::Json& event) { return event["result"]["type"].get<std::string>(); }
std::string name_of(const core::Json& event) {
  return event["result"]["application"]["metadata"]["name"].get<std::string>();
}

}  // namespace

TEST_CASE("the applications stream sends ADDED for each app, then MODIFIED and DELETED as they happen", "[web][sse]") {
  test::FakeOperations ops;
  ops.add("guestbook");
  ops.add("tetris");
  HttpServer server(ops, quiet_options());
  server.start();

  SseClient client(server.port(), "/api/v1/stream/applications");
  CHECK(client.head().result() == http::status::ok);
  CHECK(client.head()[http::field::content_type] == "text/event-stream");
  auto first = client.next_data();
  auto second = client.next_data();
  REQUIRE(first);
  REQUIRE(second);
  CHECK(type_of(*first) == "ADDED");
  CHECK(name_of(*first) == "guestbook");
  CHECK(type_of(*second) == "ADDED");
  CHECK(name_of(*second) == "tetris");
  CHECK((*second)["result"]["application"]["status"]["sync"]["status"] == "Synced");

  ops.set_field("tetris", "/status/sync/status", "OutOfSync");
  auto modified = client.next_data();
  REQUIRE(modified);
  CHECK(type_of(*modified) == "MODIFIED");
  CHECK(name_of(*modified) == "tetris");
  CHECK((*modified)["result"]["application"]["status"]["sync"]["status"] == "OutOfSync");

  ops.add("pacman");
  auto added = client.next_data();
  REQUIRE(added);
  CHECK(type_of(*added) == "ADDED");
  CHECK(name_of(*added) == "pacman");

  ops.remove("guestbook");
  auto deleted = client.next_data();
  REQUIRE(deleted);
  CHECK(type_of(*deleted) == "DELETED");
  CHECK(name_of(*deleted) == "guestbook");
}

TEST_CASE("a change to reconciledAt only, or to the same JSON, sends no frame", "[web][sse]") {
  test::FakeOperations ops;
  ops.add("tetris");
  HttpServer server(ops, quiet_options());
  server.start();
  SseClient client(server.port(), "/api/v1/stream/applications");
  REQUIRE(client.next_data());  // ADDED

  ops.set_field("tetris", "/status/reconciledAt", "2026-12-02T04:00:00Z");
  ops.set_field("tetris", "/status/reconciledAt", "2026-12-02T04:01:00Z");
  ops.set_field("tetris", "/status/sync/status", "Synced");  // unchanged
  ops.set_field("tetris", "/status/health", core::Json{{"status", "Degraded"}});
  auto next = client.next_data();
  REQUIRE(next);
  // The first frame after the ADDED is the health change: the three before it changed nothing a client sees.
  CHECK((*next)["result"]["application"]["status"]["health"]["status"] == "Degraded");
  CHECK((*next)["result"]["application"]["status"]["reconciledAt"] == "2026-12-02T04:01:00Z");
}

TEST_CASE("?name= and ?selector= choose the apps a client hears of, a bad selector is 400", "[web][sse]") {
  test::FakeOperations ops;
  ops.add("tetris");
  ops.add("guestbook");
  ops.set_field("guestbook", "/metadata/labels", core::Json{{"team", "games"}, {"tier", "web"}});
  HttpServer server(ops, quiet_options());
  server.start();

  SseClient by_name(server.port(), "/api/v1/stream/applications?name=tetris");
  SseClient by_label(server.port(), "/api/v1/stream/applications?selector=team%3Dgames,tier%20in%20(web,api)");
  auto named = by_name.next_data();
  REQUIRE(named);
  CHECK(name_of(*named) == "tetris");
  auto labelled = by_label.next_data();
  REQUIRE(labelled);
  CHECK(name_of(*labelled) == "guestbook");

  ops.set_field("guestbook", "/status/sync/status", "OutOfSync");
  ops.set_field("tetris", "/status/sync/status", "OutOfSync");
  auto tetris = by_name.next_data();
  REQUIRE(tetris);
  CHECK(name_of(*tetris) == "tetris");
  auto guestbook = by_label.next_data();
  REQUIRE(guestbook);
  CHECK(name_of(*guestbook) == "guestbook");
  CHECK_FALSE(by_name.next_data(300ms));  // the guestbook change was not for this client

  SseClient bad(server.port(), "/api/v1/stream/applications?selector=team%20in%20web");
  CHECK(bad.head().result() == http::status::bad_request);
  CHECK(core::Json::parse(bad.read_all())["message"].get<std::string>().find("label selector") != std::string::npos);
}

TEST_CASE("the stream routes answer 400 to a client that does not accept text/event-stream", "[web][sse]") {
  test::FakeOperations ops;
  ops.add("tetris");
  HttpServer server(ops, quiet_options());
  server.start();
  for (const std::string target : {"/api/v1/stream/applications", "/api/v1/stream/applications/tetris/resource-tree"}) {
    SseClient client(server.port(), target, false);
    CHECK(client.head().result() == http::status::bad_request);
    const auto body = core::Json::parse(client.read_all());
    CHECK(body["code"] == 3);
    CHECK(body["message"].get<std::string>().find("Accept: text/event-stream") != std::string::npos);
  }
  SseClient unknown(server.port(), "/api/v1/stream/applications/nope/resource-tree");
  CHECK(unknown.head().result() == http::status::not_found);
}

TEST_CASE("a quiet stream gets keep-alive comments", "[web][sse]") {
  test::FakeOperations ops;
  auto options = quiet_options();
  options.streams.keepalive = 50ms;
  HttpServer server(ops, options);
  server.start();
  SseClient client(server.port(), "/api/v1/stream/applications");
  CHECK(client.next() == ": keep-alive");
  CHECK(client.next() == ": keep-alive");
}

TEST_CASE("the engine's changes reach clients through a resync when the engine does not say", "[web][sse]") {
  // An Operations whose watch_applications is the default (never calls): the periodic listing still finds changes.
  class SilentOperations : public test::FakeOperations {
   public:
    engine::Subscription watch_applications(engine::ApplicationChanged) override { return {}; }
  } ops;
  ops.add("tetris");
  auto options = quiet_options();
  options.streams.resync = 100ms;
  HttpServer server(ops, options);
  server.start();
  SseClient client(server.port(), "/api/v1/stream/applications");
  REQUIRE(client.next_data());
  ops.set_field("tetris", "/status/sync/status", "OutOfSync");
  auto modified = client.next_data();
  REQUIRE(modified);
  CHECK(type_of(*modified) == "MODIFIED");
  ops.remove("tetris");
  auto deleted = client.next_data();
  REQUIRE(deleted);
  CHECK(type_of(*deleted) == "DELETED");
}

TEST_CASE("the resource-tree stream sends the tree, then each tree that differs, and ends when the app goes", "[web][sse]") {
  TreeOperations ops;
  ops.add("tetris");
  ops.set_tree("tetris", {{"nodes", {{{"kind", "Deployment"}, {"name", "tetris"}}}}});
  HttpServer server(ops, quiet_options());
  server.start();
  SseClient client(server.port(), "/api/v1/stream/applications/tetris/resource-tree");
  REQUIRE(client.head().result() == http::status::ok);
  auto first = client.next_data();
  REQUIRE(first);
  CHECK(first->at("result")["nodes"][0]["kind"] == "Deployment");

  ops.set_field("tetris", "/status/sync/status", "OutOfSync");  // the tree did not change: nothing sent
  ops.set_tree("tetris", {{"nodes", {{{"kind", "Deployment"}, {"name", "tetris"}}, {{"kind", "ReplicaSet"}}}}});
  auto second = client.next_data();
  REQUIRE(second);
  CHECK(second->at("result")["nodes"].size() == 2);

  ops.remove("tetris");
  CHECK(client.ended());
}

TEST_CASE("a client that never reads is disconnected while another keeps getting events", "[web][sse]") {
  test::FakeOperations ops;
  ops.add("tetris");
  auto options = quiet_options();
  options.stream_buffer_bytes = 64 * 1024;
  HttpServer server(ops, options);
  server.start();

  // The stuck client: asks for the stream and never reads a byte.
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket stuck(io);
  stuck.open(boost::asio::ip::tcp::v4());
  stuck.set_option(boost::asio::socket_base::receive_buffer_size(4096));
  stuck.connect({boost::asio::ip::make_address("127.0.0.1"), server.port()});
  boost::asio::write(stuck, boost::asio::buffer(std::string(
                                "GET /api/v1/stream/applications HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n")));
  SseClient reader(server.port(), "/api/v1/stream/applications");
  REQUIRE(reader.next_data());

  // Large frames, many of them: the stuck client's socket buffers fill, then its queue, and it is dropped.
  const std::string padding(32 * 1024, 'x');
  int sent = 0;
  int received = 0;
  for (; sent < 400; ++sent) {
    ops.set_field("tetris", "/metadata/annotations", core::Json{{"pad", padding}, {"n", std::to_string(sent)}});
    // The reader keeps up: it reads each change (frames may be coalesced, so it reads to the latest).
    while (auto event = reader.next_data(10s)) {
      ++received;
      if ((*event)["result"]["application"]["metadata"]["annotations"]["n"] == std::to_string(sent)) break;
    }
  }
  CHECK(received > 0);
  // The stuck client now drains what the kernel buffered and then finds the connection closed by the server.
  std::size_t drained = 0;
  boost::system::error_code ec;
  char scratch[64 * 1024];
  while (!ec && drained < 64u * 1024 * 1024) drained += stuck.read_some(boost::asio::buffer(scratch), ec);
  CHECK((ec == boost::asio::error::eof || ec == boost::asio::error::connection_reset));
  CHECK(drained < 400u * padding.size());  // it did not get everything: it was cut off

  // The server keeps serving: the reader gets the next change.
  ops.set_field("tetris", "/status/sync/status", "OutOfSync");
  bool seen = false;
  while (auto event = reader.next_data(10s)) {
    if ((*event)["result"]["application"]["status"]["sync"]["status"] == "OutOfSync") {
      seen = true;
      break;
    }
  }
  CHECK(seen);
}

TEST_CASE("stop() ends open streams and returns", "[web][sse]") {
  test::FakeOperations ops;
  ops.add("tetris");
  HttpServer server(ops, quiet_options());
  server.start();
  SseClient client(server.port(), "/api/v1/stream/applications");
  REQUIRE(client.next_data());
  std::thread stopper([&] { server.stop(); });
  CHECK(client.ended());
  stopper.join();
}

}  // namespace gitmoor::web
