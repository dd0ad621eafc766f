// See serve_env.hpp.
#include "serve_env.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <catch2/catch.hpp>
#include <algorithm>
#include <fstream>
#include <random>
#include <sstream>

#include "gitmoor/core/subprocess.hpp"
#include "gitmoor/core/tools.hpp"
#include "test_paths.hpp"

extern char** environ;

namespace gitmoor::test {

namespace fs = std::filesystem;

// ---- ChildProcess

ChildProcess::ChildProcess(std::vector<std::string> argv, const fs::path& log_file,
                           std::optional<std::vector<std::string>> environment)
    : log_file_(log_file) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDERR_FILENO);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attributes, &none);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK);
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  std::vector<char*> env;
  if (environment) {
    for (auto& e : *environment) env.push_back(e.data());
    env.push_back(nullptr);
  }
  const int rc = posix_spawn(&pid_, args[0], &actions, &attributes, args.data(), environment ? env.data() : environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  ::close(fds[1]);
  if (rc != 0) {
    ::close(fds[0]);
    throw std::runtime_error("cannot start " + argv[0]);
  }
  out_ = fds[0];
  reader_ = std::thread([this] {
    char buffer[4096];
    for (;;) {
      const auto n = ::read(out_, buffer, sizeof buffer);
      if (n <= 0) break;
      std::lock_guard lock(mutex_);
      output_.append(buffer, static_cast<std::size_t>(n));
      if (output_.size() > (8u << 20)) output_.erase(0, output_.size() - (4u << 20));
    }
  });
}

ChildProcess::~ChildProcess() {
  if (!exited_ && pid_ > 0) {
    ::kill(pid_, SIGKILL);
    wait();
  }
  if (reader_.joinable()) reader_.join();
  if (out_ >= 0) ::close(out_);
  std::ofstream(log_file_, std::ios::app) << output();
}

std::string ChildProcess::wait_for_line(const std::string& prefix, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      std::size_t start = 0;
      while (start < output_.size()) {
        const auto end = output_.find('\n', start);
        if (end == std::string::npos) break;
        const auto line = output_.substr(start, end - start);
        if (line.rfind(prefix, 0) == 0) return line.substr(prefix.size());
        start = end + 1;
      }
    }
    if (!running()) throw std::runtime_error("process exited before printing \"" + prefix + "\":\n" + output());
    if (std::chrono::steady_clock::now() > deadline) {
      throw std::runtime_error("no \"" + prefix + "\" line in time:\n" + output());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

void ChildProcess::signal(int sig) {
  if (!exited_) ::kill(pid_, sig);
}

void ChildProcess::kill9() {
  signal(SIGKILL);
  wait();
}

int ChildProcess::wait() {
  if (exited_) return status_;
  int raw = 0;
  ::waitpid(pid_, &raw, 0);
  exited_ = true;
  status_ = WIFEXITED(raw) ? WEXITSTATUS(raw) : 128 + WTERMSIG(raw);
  return status_;
}

bool ChildProcess::running() const {
  if (exited_) return false;
  int raw = 0;
  if (::waitpid(pid_, &raw, WNOHANG) != pid_) return true;
  exited_ = true;  // reaped here: wait() must not wait again
  status_ = WIFEXITED(raw) ? WEXITSTATUS(raw) : 128 + WTERMSIG(raw);
  return false;
}

std::string ChildProcess::output() const {
  std::lock_guard lock(mutex_);
  return output_;
}

// ---- helpers

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    try {
      if (condition()) return true;
    } catch (const std::exception&) {
      // not yet (a resource not created, an API not up)
    }
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

HttpReply http_request(const std::string& url, const std::string& method, const std::string& target,
                       const std::string& body) {
  return http_request(url, method, target, body, {});
}

HttpReply http_request(const std::string& url, const std::string& method, const std::string& target,
                       const std::string& body, const std::vector<std::pair<std::string, std::string>>& headers) {
  namespace beast = boost::beast;
  namespace http = beast::http;
  using tcp = boost::asio::ip::tcp;
  // url is http://host:port
  const auto host_start = url.find("://") + 3;
  const auto colon = url.rfind(':');
  const std::string host = url.substr(host_start, colon - host_start);
  const std::string port = url.substr(colon + 1);
  boost::asio::io_context io;
  tcp::resolver resolver(io);
  beast::tcp_stream stream(io);
  stream.expires_after(std::chrono::seconds(30));
  stream.connect(resolver.resolve(host, port));
  http::request<http::string_body> request{http::string_to_verb(method), target, 11};
  request.set(http::field::host, host);
  for (const auto& [name, value] : headers) request.set(name, value);
  if (!body.empty()) {
    request.set(http::field::content_type, "application/json");
    request.body() = body;
  }
  request.prepare_payload();
  http::write(stream, request);
  beast::flat_buffer buffer;
  http::response<http::string_body> response;
  http::read(stream, buffer, response);
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  HttpReply reply{static_cast<int>(response.result_int()), response.body(), {}};
  for (const auto& field : response) {
    std::string name(field.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    reply.headers[name] = std::string(field.value());
  }
  return reply;
}

std::string application_yaml(const std::string& name, const std::string& repo_url, const std::string& path,
                             const std::string& destination_namespace, const std::string& sync_policy_yaml,
                             const std::string& extra_source_yaml) {
  std::string yaml = "apiVersion: gitmoor.dev/v1alpha1\nkind: Application\nmetadata:\n  name: " + name +
                     "\n  namespace: gitmoor\nspec:\n  project: default\n  source:\n    repoURL: " + repo_url +
                     "\n    targetRevision: main\n    path: " + path + "\n" + extra_source_yaml +
                     "  destination:\n    server: https://kubernetes.default.svc\n    namespace: " +
                     destination_namespace + "\n";
  if (!sync_policy_yaml.empty()) yaml += "  syncPolicy:\n" + sync_policy_yaml;
  return yaml;
}

std::string sync_status(const Json& app) {
  return app.value("status", Json::object()).value("sync", Json::object()).value("status", "");
}
std::string health_status(const Json& app) {
  return app.value("status", Json::object()).value("health", Json::object()).value("status", "");
}
std::string revision(const Json& app) {
  return app.value("status", Json::object()).value("sync", Json::object()).value("revision", "");
}
bool has_condition(const Json& app, const std::string& type) {
  for (const auto& c : app.value("status", Json::object()).value("conditions", Json::array())) {
    if (c.value("type", "") == type) return true;
  }
  return false;
}
std::string condition_message(const Json& app, const std::string& type) {
  for (const auto& c : app.value("status", Json::object()).value("conditions", Json::array())) {
    if (c.value("type", "") == type) return c.value("message", "");
  }
  return {};
}

// ---- ServeEnv

ServeEnv::ServeEnv() {
  std::random_device rd;
  dir_ = fs::temp_directory_path() / ("gitmoor-serve-" + std::to_string(rd()));
  fs::create_directories(dir_);
  kubeconfig_ = (dir_ / "kubeconfig").string();
  sandbox_ = std::make_unique<ChildProcess>(
      std::vector<std::string>{gitmoor_binary().string(), "sandbox", "--listen", "127.0.0.1:0", "--kubeconfig-out",
                               kubeconfig_, "--pod-ready-delay-ms", "100"},
      dir_ / "sandbox.log");
  sandbox_url_ = sandbox_->wait_for_line("listening on ");
  fs::create_directories(dir_ / "git");
  daemon_ = std::make_unique<GitDaemon>(dir_ / "git");
  repo_ = std::make_unique<GitRemote>(dir_ / "git", "deploy");
}

ServeEnv::~ServeEnv() {
  for (auto& serve : serves_) {
    if (serve->running()) {
      serve->signal(SIGTERM);
      serve->wait();
    }
  }
  const bool keep = std::getenv("GITMOOR_KEEP_TEST_DIRS") != nullptr;
  serves_.clear();
  daemon_.reset();
  sandbox_.reset();
  if (!keep) {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }
}

std::string ServeEnv::kubectl(const std::vector<std::string>& args, const std::string& stdin_data) {
  std::vector<std::string> argv{core::tool_path(core::Tool::Kubectl).string(), "--kubeconfig", kubeconfig_};
  argv.insert(argv.end(), args.begin(), args.end());
  core::SubprocessOptions options;
  options.environment = {{"HOME", dir_.string()}};
  options.stdin_data = stdin_data;
  options.timeout = std::chrono::seconds(60);
  const auto result = core::run_subprocess(argv, options);
  if (!result.ok()) {
    std::string command = "kubectl";
    for (const auto& a : args) command += " " + a;
    throw std::runtime_error(command + ": " + result.describe_outcome() + ": " + result.stderr_data);
  }
  return result.stdout_data;
}

std::optional<Json> ServeEnv::kubectl_json(const std::vector<std::string>& args) {
  auto with_output = args;
  with_output.insert(with_output.end(), {"-o", "json"});
  try {
    return Json::parse(kubectl(with_output));
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

void ServeEnv::kubectl_apply(const std::string& yaml) {
  kubectl({"apply", "--server-side", "--field-manager=test", "-f", "-"}, yaml);
}

void ServeEnv::install_crd(const std::string& apps_namespace) {
  kubectl({"apply", "--server-side", "-f", (source_dir() / "docker/install/applications.gitmoor.dev.yaml").string()});
  kubectl({"create", "namespace", apps_namespace});
}

std::string ServeEnv::repo_url() const { return daemon_->url("deploy"); }

std::string ServeEnv::commit_example(const std::string& message) {
  fs::copy(source_dir() / "examples/tetris", repo_->work(),
           fs::copy_options::recursive | fs::copy_options::overwrite_existing);
  return repo_->commit(message);
}

void ServeEnv::stop_git_daemon() { daemon_.reset(); }

std::size_t ServeEnv::start_serve(const std::vector<std::string>& flags) {
  const std::size_t index = serves_.size();
  std::vector<std::string> argv{gitmoor_binary().string(), "serve", "--kubeconfig", kubeconfig_, "--listen",
                                "127.0.0.1:0", "--poll-interval", "1s", "--cache-dir",
                                (dir_ / ("cache-" + std::to_string(index))).string()};
  argv.insert(argv.end(), flags.begin(), flags.end());
  const bool chooses_auth = std::any_of(flags.begin(), flags.end(), [](const std::string& flag) {
    return flag.rfind("--auth", 0) == 0;
  });
  if (!chooses_auth) argv.insert(argv.end(), {"--auth", "none"});
  serves_.push_back(std::make_unique<ChildProcess>(argv, dir_ / ("serve-" + std::to_string(index) + ".log")));
  const auto url = serves_.back()->wait_for_line("gitmoor serving on ");
  if (index < api_urls_.size()) {
    api_urls_[index] = url;
  } else {
    api_urls_.push_back(url);
  }
  return index;
}

Json ServeEnv::app(const std::string& name, std::size_t serve) {
  const auto reply = http_request(api(serve), "GET", "/api/v1/applications/" + name);
  if (reply.status != 200) return nullptr;
  return reply.json();
}

Json ServeEnv::app_resource(const std::string& name, const std::string& ns) {
  auto json = kubectl_json({"get", "applications.gitmoor.dev", name, "-n", ns});
  return json ? *json : Json(nullptr);
}

Json ServeEnv::wait_app(const std::string& name, const std::function<bool(const Json&)>& condition,
                        std::chrono::milliseconds timeout, std::size_t serve) {
  Json last;
  const bool ok = eventually(
      [&] {
        last = app(name, serve);
        return !last.is_null() && condition(last);
      },
      timeout);
  if (!ok) {
    INFO("application " << name << ": " << last.dump(2));
    INFO("logs:\n" << logs());
    FAIL("the application did not reach the expected state in time");
  }
  return last;
}

HttpReply ServeEnv::sandbox_admin(const std::string& method, const std::string& target, const std::string& body) {
  return http_request(sandbox_url_, method, target, body);
}

std::string ServeEnv::logs() const {
  std::string out;
  for (std::size_t i = 0; i < serves_.size(); ++i) {
    auto text = serves_[i]->output();
    if (text.size() > 20000) text = "...\n" + text.substr(text.size() - 20000);
    out += "---- serve " + std::to_string(i) + "\n" + text;
  }
  return out;
}

}  // namespace gitmoor::test
