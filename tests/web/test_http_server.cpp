// The real server on 127.0.0.1:0, spoken to over TCP: keep-alive, concurrent clients, malformed requests, a failing
// handler and a graceful stop, none of which may stop it serving.
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <catch2/catch.hpp>

#include "fake_operations.hpp"
#include "gitmoor/web/http_server.hpp"

namespace gitmoor::web {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

// A blocking HTTP/1.1 client over one connection.
class Connection {
 public:
  explicit Connection(std::uint16_t port) : socket_(io_) {
    socket_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  }

  http::response<http::string_body> request(http::verb method, const std::string& target, const std::string& body = "",
                                            bool keep_alive = true) {
    http::request<http::string_body> req{method, target, 11};
    req.set(http::field::host, "127.0.0.1");
    req.keep_alive(keep_alive);
    req.body() = body;
    req.prepare_payload();
    http::write(socket_, req);
    return read_response();
  }
  void send_raw(const std::string& bytes) { asio::write(socket_, asio::buffer(bytes)); }
  http::response<http::string_body> read_response() {
    http::response<http::string_body> response;
    http::read(socket_, buffer_, response);
    return response;
  }
  // True when the server has closed the connection (a read gets end of file).
  bool closed_by_server() {
    char byte;
    boost::system::error_code ec;
    socket_.read_some(asio::buffer(&byte, 1), ec);
    return ec == asio::error::eof || ec == asio::error::connection_reset;
  }

 private:
  asio::io_context io_;
  tcp::socket socket_;
  beast::flat_buffer buffer_;
};

}  // namespace

TEST_CASE("the server binds port 0, answers the API and keeps a connection alive across requests", "[web][server]") {
  test::FakeOperations ops;
  ops.add("tetris");
  HttpServer server(ops, {});
  server.start();
  REQUIRE(server.port() != 0);
  CHECK(server.url() == "http://127.0.0.1:" + std::to_string(server.port()));

  Connection connection(server.port());
  auto health = connection.request(http::verb::get, "/healthz");
  CHECK(health.result() == http::status::ok);
  CHECK(health.body() == "ok");
  CHECK(health.keep_alive());
  // The same socket serves the next requests.
  auto list = connection.request(http::verb::get, "/api/v1/applications");
  CHECK(list.result() == http::status::ok);
  CHECK(core::Json::parse(list.body())["items"][0]["metadata"]["name"] == "tetris");
  auto sync = connection.request(http::verb::post, "/api/v1/applications/tetris/sync", R"({"prune":true})");
  CHECK(sync.result() == http::status::ok);
  auto conflict = connection.request(http::verb::post, "/api/v1/applications/tetris/sync");
  CHECK(conflict.result() == http::status::conflict);
  // Connection: close is honoured.
  auto last = connection.request(http::verb::get, "/api/v1/applications/tetris", "", false);
  CHECK(last.result() == http::status::ok);
  CHECK(connection.closed_by_server());

  server.stop();
  REQUIRE(ops.syncs.size() == 1);
  CHECK(ops.syncs[0].second.prune);
}

TEST_CASE("a malformed request gets 400 and its connection closes, and the server keeps serving", "[web][server]") {
  test::FakeOperations ops;
  HttpServer server(ops, {});
  server.start();
  for (const std::string& garbage : {std::string("NOT HTTP AT ALL\r\n\r\n"),
                                    std::string("GET /healthz HTTP/1.1\r\nContent-Length: nope\r\n\r\n"),
                                    std::string("GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n"),
                                    std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n", 16)}) {
    INFO(garbage);
    Connection bad(server.port());
    bad.send_raw(garbage);
    auto response = bad.read_response();
    CHECK(response.result() == http::status::bad_request);
    CHECK(core::Json::parse(response.body()).contains("error"));
    CHECK(bad.closed_by_server());
  }
  {
    // A client that hangs up half-way through a request.
    Connection half(server.port());
    half.send_raw("POST /api/v1/applications/x/sync HTTP/1.1\r\nContent-Length: 100\r\n\r\n{\"pru");
  }
  Connection good(server.port());
  CHECK(good.request(http::verb::get, "/healthz").result() == http::status::ok);
  server.stop();
}

TEST_CASE("a handler failure is a 500 on that request only", "[web][server]") {
  test::FakeOperations ops;
  ops.add("tetris");
  HttpServer server(ops, {});
  server.start();
  Connection connection(server.port());
  ops.set_failing(true);
  auto failed = connection.request(http::verb::get, "/api/v1/applications");
  CHECK(failed.result() == http::status::internal_server_error);
  CHECK_THAT(core::Json::parse(failed.body())["error"].get<std::string>(), Catch::Contains("list exploded"));
  ops.set_failing(false);
  CHECK(connection.request(http::verb::get, "/api/v1/applications").result() == http::status::ok);
  server.stop();
}

TEST_CASE("several clients at once on several threads each get their own answers", "[web][server]") {
  test::FakeOperations ops;
  for (int i = 0; i < 8; ++i) ops.add("app-" + std::to_string(i));
  HttpServer server(ops, {.threads = 2});
  server.start();
  std::vector<std::thread> clients;
  std::vector<int> ok(8, 0);
  for (int i = 0; i < 8; ++i) {
    clients.emplace_back([&, i] {
      Connection connection(server.port());
      for (int n = 0; n < 20; ++n) {
        auto response = connection.request(http::verb::get, "/api/v1/applications/app-" + std::to_string(i));
        if (response.result() == http::status::ok &&
            core::Json::parse(response.body())["metadata"]["name"] == "app-" + std::to_string(i)) {
          ++ok[static_cast<std::size_t>(i)];
        }
      }
    });
  }
  for (auto& client : clients) client.join();
  server.stop();
  CHECK(ok == std::vector<int>(8, 20));
}

TEST_CASE("stop() closes idle keep-alive connections and refuses new ones", "[web][server]") {
  test::FakeOperations ops;
  HttpServer server(ops, {});
  server.start();
  const auto port = server.port();
  Connection idle(port);
  REQUIRE(idle.request(http::verb::get, "/healthz").result() == http::status::ok);
  server.stop();  // returns although `idle` is still open
  CHECK(idle.closed_by_server());
  asio::io_context io;
  tcp::socket socket(io);
  boost::system::error_code ec;
  socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
  CHECK(ec == asio::error::connection_refused);
  server.stop();  // idempotent
}

TEST_CASE("start() on an address in use names it", "[web][server]") {
  test::FakeOperations ops;
  HttpServer first(ops, {});
  first.start();
  HttpServer second(ops, {.port = first.port()});
  CHECK_THROWS_WITH(second.start(), Catch::Contains("127.0.0.1:" + std::to_string(first.port())));
}

}  // namespace gitmoor::web
