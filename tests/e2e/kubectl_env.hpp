#pragma once
// A sandbox started in-process on 127.0.0.1:0 plus a private HOME and kubeconfig, and real kubectl run against it.
#include <algorithm>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "gitmoor/core/subprocess.hpp"
#include "gitmoor/core/tools.hpp"
#include "gitmoor/sandbox/sandbox.hpp"
#include "test_paths.hpp"

namespace gitmoor::test {

// Standard base64 with padding: Secret data and kubeconfig certificate fields written by the tests.
inline std::string base64(const std::string& in) {
  static const char* chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  unsigned v = 0;
  int bits = 0;
  for (unsigned char c : in) {
    v = (v << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(chars[(v >> bits) & 63]);
    }
  }
  if (bits > 0) out.push_back(chars[(v << (6 - bits)) & 63]);
  while (out.size() % 4) out.push_back('=');
  return out;
}

// A sandbox enforcing RBAC over TLS (kubectl sends bearer tokens over HTTPS only); `admin_token` is cluster-admin's.
inline sandbox::SandboxOptions rbac_sandbox(const std::string& admin_token) {
  sandbox::SandboxOptions o;
  o.tls = true;
  o.token = admin_token;
  o.authorization = sandbox::Authorization::Rbac;
  return o;
}

// A file of the source tree (docker/install/install.yaml, ...), read whole; "" when missing.
inline std::string read_source(const std::string& relative) {
  std::ifstream in(source_dir() / relative, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Whether some line of `text` holds every word of `words` as a whitespace-separated field.
inline bool has_row(const std::string& text, const std::vector<std::string>& words) {
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    std::string line = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
    std::vector<std::string> fields;
    std::size_t i = 0;
    while (i < line.size()) {
      while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
      std::size_t j = i;
      while (j < line.size() && !std::isspace(static_cast<unsigned char>(line[j]))) ++j;
      if (j > i) fields.push_back(line.substr(i, j - i));
      i = j;
    }
    bool all = true;
    for (const auto& w : words) {
      if (std::find(fields.begin(), fields.end(), w) == fields.end()) all = false;
    }
    if (all) return true;
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return false;
}

class KubectlEnv {
 public:
  explicit KubectlEnv(sandbox::SandboxOptions options = {}) {
    options.pod_ready_delay = std::chrono::milliseconds(50);
    std::random_device rd;
    dir_ = std::filesystem::temp_directory_path() / ("gitmoor-e2e-" + std::to_string(rd()));
    std::filesystem::create_directories(dir_);
    sandbox_ = sandbox::Sandbox::start(options);
    kubeconfig_ = sandbox_->write_kubeconfig(dir_ / "kubeconfig");
  }
  ~KubectlEnv() {
    sandbox_->stop();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  KubectlEnv(const KubectlEnv&) = delete;
  KubectlEnv& operator=(const KubectlEnv&) = delete;

  sandbox::Sandbox& sandbox() { return *sandbox_; }
  const std::filesystem::path& dir() const { return dir_; }
  const std::string& kubeconfig() const { return kubeconfig_; }

  core::SubprocessResult kubectl(const std::vector<std::string>& args, const std::string& stdin_data = "",
                                 std::chrono::milliseconds timeout = std::chrono::seconds(60)) const {
    std::vector<std::string> argv{core::tool_path(core::Tool::Kubectl).string(), "--kubeconfig", kubeconfig_};
    argv.insert(argv.end(), args.begin(), args.end());
    core::SubprocessOptions options;
    options.environment = {{"HOME", dir_.string()}, {"KUBECONFIG", kubeconfig_}};
    options.stdin_data = stdin_data;
    options.timeout = timeout;
    return core::run_subprocess(argv, options);
  }

  // kubectl ... -o json, parsed.
  nlohmann::json json(std::vector<std::string> args) const {
    args.push_back("-o");
    args.push_back("json");
    auto r = kubectl(args);
    if (r.exit_code != 0) throw std::runtime_error("kubectl failed: " + r.stderr_data);
    return nlohmann::json::parse(r.stdout_data);
  }

  std::string write_file(const std::string& name, const std::string& content) const {
    auto path = dir_ / name;
    std::ofstream(path) << content;
    return path.string();
  }

  // The API handled in-process (no socket): for the admin endpoint and direct checks.
  sandbox::Response call(const std::string& method, const std::string& target, const std::string& body = "") {
    sandbox::Request r;
    r.method = method;
    r.target = target;
    r.body = body;
    return sandbox_->api().handle(r);
  }

  // How many requests with this verb (and resource, when given) the sandbox has answered.
  std::uint64_t count(const std::string& verb, const std::string& resource = "") const {
    std::uint64_t n = 0;
    for (const auto& c : sandbox_->api().counters()) {
      if (c.verb == verb && (resource.empty() || c.resource == resource)) n += c.count;
    }
    return n;
  }

  // Waits (bounded) until `predicate` holds; the bound is a safety net, never an assertion on timing.
  template <class Predicate>
  static bool eventually(Predicate predicate, std::chrono::seconds bound = std::chrono::seconds(30)) {
    auto end = std::chrono::steady_clock::now() + bound;
    while (std::chrono::steady_clock::now() < end) {
      if (predicate()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return predicate();
  }

 private:
  std::filesystem::path dir_;
  std::unique_ptr<sandbox::Sandbox> sandbox_;
  std::string kubeconfig_;
};

}  // namespace gitmoor::test
