// The HTTP API under load (issue 13), the server in a child process of its own (so its RSS is its own), over an
// in-memory engine::Operations holding 1,000 Applications shaped like the Controller's (spec, status with 12
// resources, health, sync, history): the server, router, JSON and streams are measured, not the reconcile loop.
//   list: GET /api/v1/applications (1,000 apps) from 4 keep-alive connections for --list-seconds: requests/s and
//         latency p50/p99.
//   sse:  --clients clients (100) on /api/v1/stream/applications for --sse-seconds (default 10; the figure
//         is 60), an app changing every --change-ms (100): delivery latency (change → frame read by a client)
//         p50/p99, frames delivered, and the server's RSS before the clients, once they have their snapshots, and
//         at the end (bounded: it must not grow with time).
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include "gitmoor/core/logging.hpp"
#include "gitmoor/engine/operations.hpp"
#include "gitmoor/web/http_server.hpp"

using namespace gitmoor;
using Clock = std::chrono::steady_clock;
using core::Json;
namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
}

double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const auto index = static_cast<std::size_t>(p * static_cast<double>(values.size() - 1) + 0.5);
  return values[std::min(index, values.size() - 1)];
}

long rss_kib(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

// 1,000 Applications as the Controller shows them; change() edits one and says so, as the Controller does.
class BenchOperations : public engine::Operations {
 public:
  explicit BenchOperations(int count) {
    for (int i = 0; i < count; ++i) {
      const std::string name = "app-" + std::to_string(i);
      Json resources = Json::array();
      for (int r = 0; r < 12; ++r) {
        resources.push_back({{"group", r % 2 ? "apps" : ""},
                             {"version", "v1"},
                             {"kind", r % 2 ? "Deployment" : "Service"},
                             {"namespace", "team-" + std::to_string(i % 20)},
                             {"name", name + "-part-" + std::to_string(r)},
                             {"status", "Synced"},
                             {"health", {{"status", "Healthy"}}}});
      }
      apps_[name] = Json{
          {"apiVersion", "gitmoor.dev/v1alpha1"},
          {"kind", "Application"},
          {"metadata", {{"name", name}, {"namespace", "gitmoor"}, {"labels", {{"team", "team-" + std::to_string(i % 20)}}}}},
          {"spec",
           {{"project", "default"},
            {"source", {{"repoURL", "https://git.example.com/platform/apps.git"}, {"path", "apps/" + name}, {"targetRevision", "main"}}},
            {"destination", {{"server", "https://kubernetes.default.svc"}, {"namespace", "team-" + std::to_string(i % 20)}}},
            {"syncPolicy", {{"automated", {{"prune", true}, {"selfHeal", true}}}}}}},
          {"status",
           {{"sync", {{"status", "Synced"}, {"revision", "4f3c2a1b9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b"}}},
            {"health", {{"status", "Healthy"}, {"message", ""}}},
            {"reconciledAt", "2026-12-02T04:00:00Z"},
            {"resources", resources},
            {"summary", {{"images", {"registry.example.com/" + name + ":1.0.0"}}}},
            {"history", {{{"id", 1}, {"revision", "4f3c2a1b9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b"}, {"deployedAt", "2026-12-01T10:00:00Z"}}}}}}};
    }
  }
  std::vector<Json> list_applications() const override {
    std::lock_guard lock(mutex_);
    std::vector<Json> out;
    out.reserve(apps_.size());
    for (const auto& [name, app] : apps_) out.push_back(app);
    return out;
  }
  // A copy per app, as the Controller builds each app's JSON as it visits it.
  void visit_applications(const std::function<void(const Json&)>& visit) const override {
    std::lock_guard lock(mutex_);
    for (const auto& [name, app] : apps_) visit(Json(app));
  }
  std::optional<Json> get_application(const std::string& name) const override {
    std::lock_guard lock(mutex_);
    auto it = apps_.find(name);
    if (it == apps_.end()) return std::nullopt;
    return it->second;
  }
  void refresh(const std::string&, bool) override {}
  void sync(const std::string&, const engine::SyncRequest&) override {}
  void terminate(const std::string&) override {}
  bool ready() const override { return true; }
  bool leader() const override { return true; }
  engine::Subscription watch_applications(engine::ApplicationChanged changed) override {
    return events_.subscribe(std::move(changed));
  }
  // A status change stamped with the time it happened (the clients measure delivery from it).
  void change(int index) {
    const std::string name = "app-" + std::to_string(index % static_cast<int>(apps_.size()));
    {
      std::lock_guard lock(mutex_);
      apps_[name]["status"]["health"]["message"] = "t=" + std::to_string(now_ns());
    }
    events_.changed(name);
  }

 private:
  mutable std::mutex mutex_;
  std::map<std::string, Json> apps_;
  engine::ApplicationEvents events_;
};

struct Options {
  int apps = 1000;
  int list_seconds = 5;
  int sse_seconds = 10;
  int clients = 100;
  int change_ms = 100;
};

// The child: serves until its control pipe closes; with `changes`, changes an app every change_ms meanwhile.
[[noreturn]] void run_server(const Options& options, bool changes, int port_pipe, int control_pipe) {
  BenchOperations operations(options.apps);
  web::HttpServerOptions http_options;
  http_options.threads = 2;
  web::HttpServer server(operations, http_options);
  server.start();
  const std::uint16_t port = server.port();
  if (write(port_pipe, &port, sizeof port) != sizeof port) _exit(1);
  close(port_pipe);
  std::atomic<bool> done{false};
  std::thread changer;
  if (changes) {
    changer = std::thread([&] {
      char go;
      if (read(control_pipe, &go, 1) != 1) return;  // the parent says when its clients are in
      for (int i = 0; !done; ++i) {
        operations.change(i * 7);
        std::this_thread::sleep_for(std::chrono::milliseconds(options.change_ms));
      }
    });
    while (!done) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      if (kill(getppid(), 0) != 0) break;
      struct pollfd fd{control_pipe, POLLHUP, 0};
      if (poll(&fd, 1, 0) > 0 && (fd.revents & POLLHUP)) break;
    }
    done = true;
    changer.join();
  } else {
    char ignored;
    while (read(control_pipe, &ignored, 1) > 0) {
    }
  }
  server.stop();
  _exit(0);
}

struct Child {
  pid_t pid = -1;
  std::uint16_t port = 0;
  int control = -1;  // write end: one byte starts the changes; closing it stops the child
};

Child start_server(const Options& options, bool changes) {
  int port_pipe[2];
  int control_pipe[2];
  if (pipe(port_pipe) != 0 || pipe(control_pipe) != 0) throw std::runtime_error("pipe failed");
  std::fflush(stdout);
  const pid_t pid = fork();
  if (pid == 0) {
    close(port_pipe[0]);
    close(control_pipe[1]);
    run_server(options, changes, port_pipe[1], control_pipe[0]);
  }
  close(port_pipe[1]);
  close(control_pipe[0]);
  Child child;
  child.pid = pid;
  child.control = control_pipe[1];
  if (read(port_pipe[0], &child.port, sizeof child.port) != sizeof child.port) throw std::runtime_error("no port");
  close(port_pipe[0]);
  return child;
}

void stop_server(Child& child) {
  close(child.control);
  int status = 0;
  waitpid(child.pid, &status, 0);
}

void bench_list(const Options& options) {
  auto child = start_server(options, false);
  std::printf("GET /api/v1/applications with %d applications (4 keep-alive connections, %d s)\n", options.apps,
              options.list_seconds);
  std::mutex mutex;
  std::vector<double> latencies;
  std::size_t bytes = 0;
  const auto deadline = Clock::now() + std::chrono::seconds(options.list_seconds);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      asio::io_context io;
      tcp::socket socket(io);
      socket.connect({asio::ip::make_address("127.0.0.1"), child.port});
      boost::beast::flat_buffer buffer;
      std::vector<double> mine;
      std::size_t my_bytes = 0;
      while (Clock::now() < deadline) {
        http::request<http::string_body> request{http::verb::get, "/api/v1/applications", 11};
        request.set(http::field::host, "127.0.0.1");
        const auto start = Clock::now();
        http::write(socket, request);
        http::response_parser<http::string_body> parser;
        parser.body_limit(std::uint64_t{1} << 40);
        http::read(socket, buffer, parser);
        mine.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
        my_bytes += parser.get().body().size();
      }
      std::lock_guard lock(mutex);
      latencies.insert(latencies.end(), mine.begin(), mine.end());
      bytes += my_bytes;
    });
  }
  for (auto& thread : threads) thread.join();
  const long rss = rss_kib(child.pid);
  stop_server(child);
  const double count = static_cast<double>(latencies.size());
  std::printf("  %.0f requests, %.1f requests/s, %.1f MiB/s; latency p50 %.1f ms, p99 %.1f ms; response %.0f KiB; "
              "server RSS %.1f MiB\n",
              count, count / options.list_seconds, static_cast<double>(bytes) / options.list_seconds / (1 << 20),
              percentile(latencies, 0.5), percentile(latencies, 0.99),
              count > 0 ? static_cast<double>(bytes) / count / 1024 : 0.0, static_cast<double>(rss) / 1024);
}

// One SSE client per socket, all read by one thread with poll(). HTTP/1.0, so the body is the events as sent.
void bench_sse(const Options& options) {
  auto child = start_server(options, true);
  std::printf("SSE fan-out: %d clients on /api/v1/stream/applications, %d applications, a change every %d ms, %d s\n",
              options.clients, options.apps, options.change_ms, options.sse_seconds);
  const long rss_start = rss_kib(child.pid);
  struct Client {
    int fd = -1;
    std::string buffer;
    std::size_t frames = 0;
  };
  std::vector<Client> clients(static_cast<std::size_t>(options.clients));
  for (auto& client : clients) {
    client.fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(child.port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(client.fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      throw std::runtime_error("connect failed");
    }
    const std::string request = "GET /api/v1/stream/applications HTTP/1.0\r\nAccept: text/event-stream\r\n\r\n";
    if (write(client.fd, request.data(), request.size()) != static_cast<ssize_t>(request.size())) {
      throw std::runtime_error("write failed");
    }
  }
  std::vector<double> latencies;
  std::size_t snapshot_frames = 0;
  std::size_t closed = 0;
  const std::size_t expected_snapshot = clients.size() * static_cast<std::size_t>(options.apps);
  long rss_connected = -1;
  bool changes_started = false;
  Clock::time_point end = Clock::now() + std::chrono::hours(1);
  std::vector<pollfd> fds(clients.size());
  std::vector<char> scratch(256 * 1024);
  while (Clock::now() < end) {
    for (std::size_t i = 0; i < clients.size(); ++i) fds[i] = {clients[i].fd, POLLIN, 0};
    if (poll(fds.data(), fds.size(), 100) < 0) break;
    const auto received = now_ns();
    for (std::size_t i = 0; i < clients.size(); ++i) {
      if (!(fds[i].revents & (POLLIN | POLLHUP)) || clients[i].fd < 0) continue;
      const ssize_t n = read(clients[i].fd, scratch.data(), scratch.size());
      if (n <= 0) {
        close(clients[i].fd);
        clients[i].fd = -1;
        ++closed;
        continue;
      }
      auto& buffer = clients[i].buffer;
      buffer.append(scratch.data(), static_cast<std::size_t>(n));
      std::size_t start = buffer.find("\r\n\r\n") != std::string::npos && clients[i].frames == 0 &&
                                  buffer.rfind("HTTP/", 0) == 0
                              ? buffer.find("\r\n\r\n") + 4
                              : 0;
      if (start > 0) buffer.erase(0, start);
      std::size_t at = 0;
      for (std::size_t end_of = buffer.find("\n\n"); end_of != std::string::npos; end_of = buffer.find("\n\n", at)) {
        const std::string_view frame(buffer.data() + at, end_of - at);
        at = end_of + 2;
        ++clients[i].frames;
        if (frame.rfind("data: ", 0) != 0) continue;
        if (frame.find("\"type\":\"ADDED\"") != std::string_view::npos) {
          ++snapshot_frames;
          continue;
        }
        const auto stamp = frame.find("\"message\":\"t=");
        if (stamp == std::string_view::npos) continue;
        const auto sent = std::stoll(std::string(frame.substr(stamp + 13, 20)));
        latencies.push_back(static_cast<double>(received - sent) / 1e6);
      }
      buffer.erase(0, at);
    }
    if (!changes_started && snapshot_frames >= expected_snapshot) {
      rss_connected = rss_kib(child.pid);
      const char go = 1;
      if (write(child.control, &go, 1) != 1) break;
      changes_started = true;
      end = Clock::now() + std::chrono::seconds(options.sse_seconds);
    }
  }
  const long rss_end = rss_kib(child.pid);
  for (auto& client : clients) {
    if (client.fd >= 0) close(client.fd);
  }
  stop_server(child);
  const double changes = static_cast<double>(options.sse_seconds) * 1000.0 / options.change_ms;
  std::printf("  snapshot: %zu ADDED frames to %zu clients; then %zu change frames delivered (%.0f changes x %d "
              "clients = %.0f expected); %zu clients disconnected\n",
              snapshot_frames, clients.size(), latencies.size(), changes, options.clients, changes * options.clients,
              closed);
  std::printf("  delivery latency p50 %.2f ms, p99 %.2f ms, max %.2f ms\n", percentile(latencies, 0.5),
              percentile(latencies, 0.99), latencies.empty() ? 0.0 : *std::max_element(latencies.begin(), latencies.end()));
  std::printf("  server RSS: %.1f MiB before the clients, %.1f MiB with them connected, %.1f MiB at the end\n",
              static_cast<double>(rss_start) / 1024, static_cast<double>(rss_connected) / 1024,
              static_cast<double>(rss_end) / 1024);
}

int flag(int argc, char** argv, const std::string& name, int fallback) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (argv[i] == name) return std::stoi(argv[i + 1]);
  }
  return fallback;
}

}  // namespace

int main(int argc, char** argv) {
  core::logger("web")->set_level(spdlog::level::warn);
  signal(SIGPIPE, SIG_IGN);
  Options options;
  options.apps = flag(argc, argv, "--apps", options.apps);
  options.list_seconds = flag(argc, argv, "--list-seconds", options.list_seconds);
  options.sse_seconds = flag(argc, argv, "--sse-seconds", options.sse_seconds);
  options.clients = flag(argc, argv, "--clients", options.clients);
  options.change_ms = std::max(1, flag(argc, argv, "--change-ms", options.change_ms));
  try {
    bench_list(options);
    bench_sse(options);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "api bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
