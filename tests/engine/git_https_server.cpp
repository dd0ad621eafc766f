// https:// for the engine tests: a private CA made with the openssl CLI, and a TLS terminator (Asio + OpenSSL)
// in front of GitHttpServer, so libgit2's TLS client meets a real handshake and real certificate checks.
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <stdexcept>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "git_fixtures.hpp"
#include "gitmoor/core/subprocess.hpp"

namespace gitmoor::test {

namespace fs = std::filesystem;
namespace http = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = boost::asio::ip::tcp;

namespace {

void openssl(const std::vector<std::string>& args) {
  std::vector<std::string> argv{"openssl"};
  argv.insert(argv.end(), args.begin(), args.end());
  core::SubprocessOptions options;
  options.timeout = std::chrono::seconds(60);
  const auto result = core::run_subprocess(argv, options);
  if (!result.ok()) throw std::runtime_error("openssl " + args.front() + ": " + result.stderr_data);
}

}  // namespace

TestCertificateAuthority::TestCertificateAuthority(fs::path dir, const std::string& name)
    : dir_(std::move(dir)), certificate_(dir_ / (name + ".crt")), key_(dir_ / (name + ".key")) {
  fs::create_directories(dir_);
  openssl({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
           "-subj", "/CN=" + name, "-keyout", key_.string(), "-out", certificate_.string(), "-addext",
           "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"});
}

TestCertificateAuthority::Identity TestCertificateAuthority::issue(const std::string& name,
                                                                   const std::string& subject_alt_names) const {
  const Identity identity{dir_ / (name + ".crt"), dir_ / (name + ".key")};
  const fs::path request = dir_ / (name + ".csr");
  const fs::path extensions = dir_ / (name + ".ext");
  openssl({"req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-subj",
           "/CN=" + name, "-keyout", identity.private_key.string(), "-out", request.string()});
  std::ofstream(extensions) << "subjectAltName=" << subject_alt_names << "\nextendedKeyUsage=serverAuth\n";
  openssl({"x509", "-req", "-in", request.string(), "-CA", certificate_.string(), "-CAkey", key_.string(),
           "-CAcreateserial", "-days", "2", "-extfile", extensions.string(), "-out", identity.certificate.string()});
  return identity;
}

GitHttpsServer::GitHttpsServer(const GitHttpServer& backend, TestCertificateAuthority::Identity identity)
    : backend_port_(backend.port()), identity_(std::move(identity)) {
  SilentServer probe;  // binds 127.0.0.1:0 and listens; its descriptor is taken over below
  listen_fd_ = dup(probe.fd());
  port_ = probe.port();
  thread_ = std::thread([this] { serve(); });
}

GitHttpsServer::~GitHttpsServer() {
  stop_ = true;
  thread_.join();
  close(listen_fd_);
}

std::string GitHttpsServer::url(const std::string& repository) const {
  return "https://127.0.0.1:" + std::to_string(port_) + "/" + repository;
}

void GitHttpsServer::serve() {
  boost::asio::io_context io;
  ssl::context tls(ssl::context::tls_server);
  tls.use_certificate_chain_file(identity_.certificate.string());
  tls.use_private_key_file(identity_.private_key.string(), ssl::context::pem);
  const tcp::endpoint backend(boost::asio::ip::address_v4::loopback(), static_cast<unsigned short>(backend_port_));
  while (!stop_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    ssl::stream<tcp::socket> client(io, tls);
    client.next_layer().assign(tcp::v4(), fd);
    boost::system::error_code ec;
    client.handshake(ssl::stream_base::server, ec);
    if (ec) continue;  // the client refused the certificate
    ++handshakes_;
    boost::beast::flat_buffer buffer;
    http::request<http::string_body> request;
    http::read(client, buffer, request, ec);
    if (ec) continue;  // libgit2 checks the certificate after the handshake and may hang up here
    ++forwarded_;
    tcp::socket upstream(io);
    upstream.connect(backend, ec);
    if (ec) continue;
    http::write(upstream, request, ec);
    boost::beast::flat_buffer upstream_buffer;
    http::response<http::string_body> response;
    http::read(upstream, upstream_buffer, response, ec);
    if (ec) continue;
    http::write(client, response, ec);
    client.shutdown(ec);
  }
}

}  // namespace gitmoor::test
