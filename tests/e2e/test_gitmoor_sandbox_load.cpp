// `gitmoor sandbox load`: sets a running sandbox's Pod load through its admin endpoint, found from a kubeconfig as
// kubectl finds its cluster, and names the server when it is not a gitmoor sandbox.
#include <catch2/catch.hpp>

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "kubectl_env.hpp"

using gitmoor::test::KubectlEnv;
using Json = nlohmann::json;

namespace {

gitmoor::core::SubprocessResult gitmoor_cli(const KubectlEnv& env, const std::vector<std::string>& args,
                                            const std::string& kubeconfig_env) {
  std::vector<std::string> argv{gitmoor::test::gitmoor_binary().string()};
  argv.insert(argv.end(), args.begin(), args.end());
  gitmoor::core::SubprocessOptions options;
  options.environment = {{"HOME", env.dir().string()}, {"KUBECONFIG", kubeconfig_env}};
  return gitmoor::core::run_subprocess(argv, options);
}

// An HTTP server that is no sandbox: every request gets a kube-apiserver-like 404.
class NotASandbox {
 public:
  NotASandbox() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    ::listen(fd_, 8);
    thread_ = std::thread([this] { serve(); });
  }
  ~NotASandbox() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }
  [[nodiscard]] int port() const { return port_; }

 private:
  void serve() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) continue;
      std::string request;
      char buf[4096];
      while (request.find("\r\n\r\n") == std::string::npos) {
        auto n = ::read(c, buf, sizeof buf);
        if (n <= 0) break;
        request.append(buf, static_cast<std::size_t>(n));
      }
      const std::string body =
          R"({"kind":"Status","apiVersion":"v1","status":"Failure","message":"the server could not find the requested resource","reason":"NotFound","code":404})";
      const std::string reply = "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nConnection: close\r\n"
                                "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
      (void)::write(c, reply.data(), reply.size());
      ::close(c);
    }
  }
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace

TEST_CASE("gitmoor sandbox load sets, lists and clears a running sandbox's load rules", "[e2e]") {
  KubectlEnv env;
  auto set = gitmoor_cli(env,
                         {"sandbox", "load", "--kubeconfig", env.kubeconfig(), "--namespace", "game", "--selector",
                          "app=game-backend", "--cpu", "90%"},
                         "");
  INFO(set.stdout_data << set.stderr_data);
  REQUIRE(set.exit_code == 0);
  CHECK(set.stdout_data.find("game  app=game-backend  cpu 90%  memory default") != std::string::npos);
  auto rules = Json::parse(env.call("GET", "/sandbox/load").body)["rules"];
  REQUIRE(rules.size() == 1);
  CHECK(rules[0]["cpu"] == "90%");

  // $KUBECONFIG, as kubectl reads it; memory joins the same rule.
  auto memory = gitmoor_cli(env, {"sandbox", "load", "-n", "game", "-l", "app=game-backend", "--memory", "300Mi"},
                            env.kubeconfig());
  INFO(memory.stderr_data);
  CHECK(memory.exit_code == 0);
  CHECK(memory.stdout_data.find("cpu 90%  memory 300Mi") != std::string::npos);
  auto list = gitmoor_cli(env, {"sandbox", "load"}, env.kubeconfig());
  CHECK(list.stdout_data.find("game  app=game-backend  cpu 90%  memory 300Mi") != std::string::npos);

  auto bad = gitmoor_cli(env, {"sandbox", "load", "-n", "game", "--cpu", "lots"}, env.kubeconfig());
  CHECK(bad.exit_code != 0);
  CHECK(bad.stderr_data.find("cpu: Invalid value: \"lots\"") != std::string::npos);

  auto reset = gitmoor_cli(env, {"sandbox", "load", "--reset"}, env.kubeconfig());
  CHECK(reset.exit_code == 0);
  CHECK(reset.stdout_data.find("no load rules") != std::string::npos);
  CHECK(Json::parse(env.call("GET", "/sandbox/load").body)["rules"].empty());
}

TEST_CASE("gitmoor sandbox load names the server when it is not a gitmoor sandbox", "[e2e]") {
  KubectlEnv env;
  NotASandbox server;
  const std::string url = "http://127.0.0.1:" + std::to_string(server.port());
  auto kubeconfig = env.write_file("other", "apiVersion: v1\nkind: Config\nclusters:\n- name: prod\n  cluster: {server: " +
                                                url + "}\ncontexts:\n- name: prod\n  context: {cluster: prod, user: u}\n"
                                                "current-context: prod\nusers:\n- name: u\n  user: {token: t}\n");
  auto r = gitmoor_cli(env, {"sandbox", "load", "--kubeconfig", kubeconfig, "-n", "game", "--cpu", "90%"}, "");
  INFO(r.stdout_data << r.stderr_data);
  CHECK(r.exit_code == 1);
  CHECK(r.stderr_data.find(url + " (context \"prod\") is not a gitmoor sandbox: POST " + url +
                           "/sandbox/load answered 404") != std::string::npos);
}
