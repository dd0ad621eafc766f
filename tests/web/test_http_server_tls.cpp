// TLS: the server serves the API over HTTPS with an openssl-made certificate, picks up a replaced certificate for
// new connections, keeps the last good one when the new files are bad, and refuses to start on unusable files.
#include <filesystem>
#include <fstream>
#include <string>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <catch2/catch.hpp>
#include <openssl/x509.h>
#include <unistd.h>

#include "fake_operations.hpp"
#include "gitmoor/core/error.hpp"
#include "gitmoor/core/subprocess.hpp"
#include "gitmoor/web/http_server.hpp"

namespace gitmoor::web {
namespace {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;
namespace fs = std::filesystem;

struct TempDir {
  TempDir() : path(fs::temp_directory_path() / ("gitmoor-tls-" + std::to_string(::getpid()) + "-" +
                                                 std::to_string(counter++))) {
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
  static inline int counter = 0;
  fs::path path;
};

// A self-signed certificate for CN=`name` (and its key) made by the openssl command.
void make_certificate(const fs::path& cert, const fs::path& key, const std::string& name) {
  const auto result = core::run_subprocess({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                                            "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj",
                                            "/CN=" + name, "-keyout", key.string(), "-out", cert.string()});
  REQUIRE(result.ok());
}

struct Answer {
  http::status status;
  std::string body;
  std::string common_name;  // of the certificate the server presented
};

Answer get_over_tls(std::uint16_t port, const std::string& target) {
  asio::io_context io;
  ssl::context context(ssl::context::tls_client);
  context.set_verify_mode(ssl::verify_none);  // self-signed: the test looks at which certificate it got
  ssl::stream<tcp::socket> stream(io, context);
  stream.next_layer().connect({asio::ip::make_address("127.0.0.1"), port});
  stream.handshake(ssl::stream_base::client);
  Answer answer{};
  if (X509* cert = SSL_get1_peer_certificate(stream.native_handle())) {
    char name[256] = {};
    X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, name, sizeof name);
    answer.common_name = name;
    X509_free(cert);
  }
  http::request<http::string_body> request{http::verb::get, target, 11};
  request.set(http::field::host, "127.0.0.1");
  http::write(stream, request);
  boost::beast::flat_buffer buffer;
  http::response<http::string_body> response;
  http::read(stream, buffer, response);
  answer.status = response.result();
  answer.body = response.body();
  return answer;
}

}  // namespace

TEST_CASE("the server speaks TLS with --tls-cert/--tls-key and serves a replaced certificate after reload", "[web][server][tls]") {
  TempDir dir;
  const auto cert = dir.path / "tls.crt";
  const auto key = dir.path / "tls.key";
  make_certificate(cert, key, "first.gitmoor.test");
  test::FakeOperations ops;
  ops.add("tetris");
  HttpServerOptions options;
  options.tls_cert = cert;
  options.tls_key = key;
  options.tls_check_interval = std::chrono::milliseconds(0);  // look at the files on every new connection
  HttpServer server(ops, options);
  server.start();
  CHECK(server.url().rfind("https://", 0) == 0);

  auto first = get_over_tls(server.port(), "/api/v1/applications/tetris");
  CHECK(first.status == http::status::ok);
  CHECK(first.common_name == "first.gitmoor.test");
  CHECK(core::Json::parse(first.body)["metadata"]["name"] == "tetris");

  // Replaced in place (as cert-manager does): the next connection gets the new certificate.
  make_certificate(cert, key, "second.gitmoor.test");
  CHECK(get_over_tls(server.port(), "/healthz").common_name == "second.gitmoor.test");

  // A bad new pair (a certificate that is not one): the last good pair stays in use.
  std::ofstream(cert, std::ios::trunc) << "not a certificate\n";
  auto after_bad = get_over_tls(server.port(), "/healthz");
  CHECK(after_bad.status == http::status::ok);
  CHECK(after_bad.common_name == "second.gitmoor.test");

  // A plain-HTTP client on the TLS port does not disturb the server.
  {
    asio::io_context io;
    tcp::socket plain(io);
    plain.connect({asio::ip::make_address("127.0.0.1"), server.port()});
    asio::write(plain, asio::buffer(std::string("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")));
    char byte;
    boost::system::error_code ec;
    plain.read_some(asio::buffer(&byte, 1), ec);  // an alert or a close, not an HTTP answer
  }
  CHECK(get_over_tls(server.port(), "/healthz").status == http::status::ok);
}

TEST_CASE("start() refuses unusable TLS files, naming the file", "[web][server][tls]") {
  TempDir dir;
  const auto cert = dir.path / "tls.crt";
  const auto key = dir.path / "tls.key";
  make_certificate(cert, key, "gitmoor.test");
  test::FakeOperations ops;
  {
    HttpServerOptions options;
    options.tls_cert = dir.path / "missing.crt";
    options.tls_key = key;
    HttpServer server(ops, options);
    CHECK_THROWS_WITH(server.start(), Catch::Contains("missing.crt"));
  }
  {
    const auto other_cert = dir.path / "other.crt";
    const auto other_key = dir.path / "other.key";
    make_certificate(other_cert, other_key, "other.test");
    HttpServerOptions options;
    options.tls_cert = cert;
    options.tls_key = other_key;  // not the certificate's key
    HttpServer server(ops, options);
    CHECK_THROWS_WITH(server.start(), Catch::Contains("other.key") && Catch::Contains("does not match"));
  }
  {
    HttpServerOptions options;
    options.tls_cert = cert;  // a certificate without a key
    HttpServer server(ops, options);
    CHECK_THROWS_AS(server.start(), core::InvalidInput);
  }
}

}  // namespace gitmoor::web
