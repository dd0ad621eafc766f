// See chart_repository_server.hpp.
#include "chart_repository_server.hpp"

#include <openssl/evp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "git_fixtures.hpp"
#include "gitmoor/core/subprocess.hpp"
#include "gitmoor/core/tools.hpp"

namespace gitmoor::test {

namespace fs = std::filesystem;
namespace http = boost::beast::http;
using tcp = boost::asio::ip::tcp;

namespace {

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

void write_file(const fs::path& path, const std::string& content) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << content;
}

std::string helm(const std::vector<std::string>& args) {
  std::vector<std::string> argv{core::tool_path(core::Tool::Helm).string()};
  argv.insert(argv.end(), args.begin(), args.end());
  const auto result = core::run_subprocess(argv, {.timeout = std::chrono::seconds(120)});
  if (!result.ok()) throw std::runtime_error("helm " + args.front() + " failed: " + result.stderr_data);
  return result.stdout_data;
}

std::string etag_of(const std::string& content) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(content.data(), content.size(), digest, &length, EVP_sha256(), nullptr);
  std::string out = "\"";
  for (unsigned i = 0; i < 8; ++i) {
    static const char* hex = "0123456789abcdef";
    out += hex[digest[i] >> 4];
    out += hex[digest[i] & 15];
  }
  return out + "\"";
}

}  // namespace

ChartRepositoryServer::ChartRepositoryServer(fs::path dir, std::string username, std::string password)
    : served_(dir / "charts") {
  fs::create_directories(served_);
  if (!username.empty()) expected_authorization_ = "Basic " + base64_encode(username + ":" + password);
  listen_fd_ = listen_on_loopback(port_);
  thread_ = std::thread([this] { serve(); });
}

ChartRepositoryServer::~ChartRepositoryServer() {
  stop_ = true;
  thread_.join();
  close(listen_fd_);
}

std::string ChartRepositoryServer::url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/charts"; }

std::string ChartRepositoryServer::add_chart(const fs::path& chart_dir) {
  if (fs::exists(chart_dir / "charts") || read_file(chart_dir / "Chart.yaml").find("dependencies:") != std::string::npos) {
    helm({"dependency", "build", chart_dir.string()});
  }
  const auto out = helm({"package", chart_dir.string(), "--destination", served_.string()});
  // "Successfully packaged chart and saved it to: <path>"
  const auto colon = out.rfind(": ");
  std::string archive = out.substr(colon + 2);
  while (!archive.empty() && (archive.back() == '\n' || archive.back() == '\r')) archive.pop_back();
  helm({"repo", "index", served_.string(), "--url", url()});
  return fs::path(archive).filename().string();
}

std::size_t ChartRepositoryServer::downloads(const std::string& path) const {
  std::lock_guard lock(mutex_);
  const auto it = downloads_.find(path);
  return it == downloads_.end() ? 0 : it->second;
}

std::size_t ChartRepositoryServer::not_modified(const std::string& path) const {
  std::lock_guard lock(mutex_);
  const auto it = not_modified_.find(path);
  return it == not_modified_.end() ? 0 : it->second;
}

void ChartRepositoryServer::serve() {
  boost::asio::io_context io;
  while (!stop_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    tcp::socket socket(io);
    socket.assign(tcp::v4(), fd);
    boost::beast::flat_buffer buffer;
    http::request<http::string_body> request;
    boost::system::error_code ec;
    http::read(socket, buffer, request, ec);
    if (ec) continue;
    http::response<http::string_body> response{http::status::ok, request.version()};
    const std::string target(request.target());
    const std::string prefix = "/charts/";
    const std::string name = target.rfind(prefix, 0) == 0 ? target.substr(prefix.size()) : std::string();
    if (!expected_authorization_.empty() && request[http::field::authorization] != expected_authorization_) {
      ++rejected_;
      response.result(http::status::unauthorized);
      response.set(http::field::www_authenticate, "Basic realm=\"charts\"");
    } else if (name.empty() || name.find('/') != std::string::npos || name.find("..") != std::string::npos ||
               !fs::is_regular_file(served_ / name)) {
      response.result(http::status::not_found);
    } else {
      const auto content = read_file(served_ / name);
      const auto etag = etag_of(content);
      response.set(http::field::etag, etag);
      std::lock_guard lock(mutex_);
      if (request[http::field::if_none_match] == etag) {
        response.result(http::status::not_modified);
        ++not_modified_[target];
      } else {
        response.body() = content;
        ++downloads_[target];
      }
    }
    response.keep_alive(false);
    response.prepare_payload();
    http::write(socket, response, ec);
    socket.shutdown(tcp::socket::shutdown_send, ec);
  }
}

fs::path write_test_chart(const fs::path& parent, const TestChart& chart) {
  const fs::path dir = parent / chart.name;
  fs::remove_all(dir);
  std::string chart_yaml = "apiVersion: v2\nname: " + chart.name + "\nversion: " + chart.version + "\n";
  if (chart.with_dependency) {
    chart_yaml += "dependencies:\n  - name: " + chart.name + "-sub\n    version: 0.1.0\n    repository: file://../" +
                  chart.name + "-sub\n";
    write_file(parent / (chart.name + "-sub") / "Chart.yaml", "apiVersion: v2\nname: " + chart.name + "-sub\nversion: 0.1.0\n");
    write_file(parent / (chart.name + "-sub") / "templates" / "sub.yaml",
               "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-sub\ndata:\n  from: subchart\n");
  }
  write_file(dir / "Chart.yaml", chart_yaml);
  write_file(dir / "values.yaml", "message: " + chart.message + "\n");
  write_file(dir / "templates" / "settings.yaml",
             "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-settings\ndata:\n"
             "  message: {{ .Values.message | quote }}\n  chartVersion: {{ .Chart.Version | quote }}\n");
  if (chart.with_crd) {
    write_file(dir / "crds" / "gadgets.yaml", R"(apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: gadgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {plural: gadgets, singular: gadget, kind: Gadget}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
)");
  }
  return dir;
}

}  // namespace gitmoor::test
