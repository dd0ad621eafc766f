#pragma once
// End-to-end fixture for `gitmoor serve`: every part is a real, separate piece — the sandbox cluster as its own
// `gitmoor sandbox` process, a `git daemon` serving the deploy repository, helm run by the engine, kubectl as the
// user's hands, and `gitmoor serve` as one or more child processes read through their HTTP API.
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "git_fixtures.hpp"

namespace gitmoor::test {

using Json = nlohmann::json;

// A child process with stdout and stderr captured into one log (kept for failure messages).
class ChildProcess {
 public:
  // `environment`: NAME=value entries replacing this process's environment (nullopt: inherited).
  ChildProcess(std::vector<std::string> argv, const std::filesystem::path& log_file,
               std::optional<std::vector<std::string>> environment = std::nullopt);
  ~ChildProcess();  // SIGKILL if still running
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Waits until a line starting with `prefix` was printed; returns the rest of that line. Throws on timeout or exit.
  std::string wait_for_line(const std::string& prefix, std::chrono::milliseconds timeout = std::chrono::seconds(60));
  void signal(int sig);
  void kill9();
  int wait();  // the exit status (or 128 + signal)
  [[nodiscard]] std::string output() const;
  [[nodiscard]] bool running() const;
  [[nodiscard]] pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  int out_ = -1;
  std::filesystem::path log_file_;
  mutable std::mutex mutex_;
  std::string output_;
  std::thread reader_;
  mutable bool exited_ = false;
  mutable int status_ = 0;
};

// Polls `condition` every 50 ms until it holds; false after `timeout`. Waiting is not a timing assertion: the
// timeouts are generous and only bound a hung test.
bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout = std::chrono::seconds(60));

// HTTP/1.1 on loopback (Beast). Returns status and body.
struct HttpReply {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // names lower-cased (Set-Cookie, Retry-After, ...)
  [[nodiscard]] Json json() const { return Json::parse(body); }
};
HttpReply http_request(const std::string& url, const std::string& method, const std::string& target,
                       const std::string& body = {});
// The same with request headers (Authorization, Cookie, X-CSRF-Token).
HttpReply http_request(const std::string& url, const std::string& method, const std::string& target,
                       const std::string& body, const std::vector<std::pair<std::string, std::string>>& headers);

class ServeEnv {
 public:
  ServeEnv();
  ~ServeEnv();

  [[nodiscard]] const std::filesystem::path& dir() const { return dir_; }
  [[nodiscard]] const std::string& kubeconfig() const { return kubeconfig_; }
  [[nodiscard]] const std::string& sandbox_url() const { return sandbox_url_; }

  // kubectl with the sandbox's kubeconfig. run() throws (with stderr) on a non-zero exit.
  std::string kubectl(const std::vector<std::string>& args, const std::string& stdin_data = {});
  std::optional<Json> kubectl_json(const std::vector<std::string>& args);  // nullopt when kubectl fails (NotFound)
  void kubectl_apply(const std::string& yaml);
  // Installs the Application CRD shipped in docker/install, and the apps namespace.
  void install_crd(const std::string& apps_namespace = "gitmoor");

  // The deploy repository, served by git daemon (git://127.0.0.1:port/deploy).
  GitRemote& repo() { return *repo_; }
  [[nodiscard]] std::string repo_url() const;
  // Copies examples/tetris into the repository and commits; returns the commit.
  std::string commit_example(const std::string& message = "tetris: app and chart");
  void stop_git_daemon();

  // Starts `gitmoor serve` with these extra flags (kubeconfig, cache dir, --listen 127.0.0.1:0 and a 1 s poll are
  // added); returns its index. api(i) is its base URL. Without an --auth flag it runs with `--auth none`, so tests
  // of other areas talk to the API without a token; the auth tests pass `--auth builtin`.
  std::size_t start_serve(const std::vector<std::string>& flags = {});
  ChildProcess& serve(std::size_t i = 0) { return *serves_.at(i); }
  [[nodiscard]] const std::string& api(std::size_t i = 0) const { return api_urls_.at(i); }

  // The application as the engine's API shows it (null when not found).
  Json app(const std::string& name, std::size_t serve = 0);
  // The application custom resource as the cluster stores it.
  Json app_resource(const std::string& name, const std::string& ns = "gitmoor");
  // Waits until the app (through the API of serve `i`) satisfies `condition`; on timeout fails the test with the
  // app's JSON and serve's log.
  Json wait_app(const std::string& name, const std::function<bool(const Json&)>& condition,
                std::chrono::milliseconds timeout = std::chrono::seconds(60), std::size_t serve = 0);

  // Sandbox admin endpoint (faults, counters).
  HttpReply sandbox_admin(const std::string& method, const std::string& target, const std::string& body = {});

  [[nodiscard]] std::string logs() const;

 private:
  std::filesystem::path dir_;
  std::unique_ptr<ChildProcess> sandbox_;
  std::string sandbox_url_;
  std::string kubeconfig_;
  std::unique_ptr<GitDaemon> daemon_;
  std::unique_ptr<GitRemote> repo_;
  std::vector<std::unique_ptr<ChildProcess>> serves_;
  std::vector<std::string> api_urls_;
};

// A gitmoor.dev Application on the deploy repository (YAML).
std::string application_yaml(const std::string& name, const std::string& repo_url, const std::string& path,
                             const std::string& destination_namespace, const std::string& sync_policy_yaml,
                             const std::string& extra_source_yaml = {});

// Status helpers on the API's JSON.
std::string sync_status(const Json& app);
std::string health_status(const Json& app);
std::string revision(const Json& app);
bool has_condition(const Json& app, const std::string& type);
std::string condition_message(const Json& app, const std::string& type);

}  // namespace gitmoor::test
