// See in_cluster_pod.hpp.
#include "in_cluster_pod.hpp"

#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <random>
#include <stdexcept>
#include <thread>

#include "gitmoor/core/subprocess.hpp"
#include "test_paths.hpp"

extern char** environ;

namespace gitmoor::test {

namespace fs = std::filesystem;

namespace {

std::string trimmed(const std::string& s) { return s.substr(0, s.find_last_not_of("\n ") + 1); }

std::string checked(const core::SubprocessResult& r, const std::string& what) {
  if (r.exit_code != 0) throw std::runtime_error(what + " failed: " + r.stderr_data);
  return r.stdout_data;
}

std::string mount_namespace(pid_t pid) {
  std::error_code ec;
  const auto target = fs::read_symlink("/proc/" + (pid > 0 ? std::to_string(pid) : "self") + "/ns/mnt", ec);
  return ec ? std::string() : target.string();
}

// Replaces (or appends) --NAME=VALUE in args.
void set_flag(std::vector<std::string>& args, const std::string& name, const std::string& value) {
  for (auto& a : args) {
    if (a.rfind(name + "=", 0) == 0) {
      a = name + "=" + value;
      return;
    }
  }
  args.push_back(name + "=" + value);
}

// This process's environment less what would point serve at a cluster other than the in-cluster way.
std::vector<std::string> pod_environment(const std::string& host, const std::string& port, const fs::path& home,
                                         const std::string& ns) {
  std::vector<std::string> out;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry(*e);
    const auto name = entry.substr(0, entry.find('='));
    if (name == "KUBECONFIG" || name == "HOME" || name.rfind("KUBERNETES_", 0) == 0 || name == "POD_NAMESPACE") {
      continue;
    }
    out.push_back(entry);
  }
  out.push_back("KUBERNETES_SERVICE_HOST=" + host);
  out.push_back("KUBERNETES_SERVICE_PORT=" + port);
  out.push_back("HOME=" + home.string());
  out.push_back("POD_NAMESPACE=" + ns);
  return out;
}

}  // namespace

std::vector<std::string> container_args(const nlohmann::json& deployment, const std::string& pod_namespace) {
  std::vector<std::string> out;
  for (const auto& arg : deployment.at("spec").at("template").at("spec").at("containers")[0].at("args")) {
    std::string a = arg.get<std::string>();
    for (auto at = a.find("$(POD_NAMESPACE)"); at != std::string::npos; at = a.find("$(POD_NAMESPACE)")) {
      a.replace(at, 16, pod_namespace);
    }
    out.push_back(a);
  }
  return out;
}

InClusterPod::InClusterPod(KubectlEnv& env, InClusterPodOptions options) : env_(env), options_(std::move(options)) {
  std::random_device rd;
  dir_ = fs::temp_directory_path() / ("gitmoor-pod-" + std::to_string(rd()));
  volume_ = dir_ / "serviceaccount";
  fs::create_directories(volume_);
  fs::create_directories(dir_ / "home");  // no ~/.kube in it
  fs::create_directories(dir_ / "cache");
  token_ = issue_token();
  write_projected_volume();

  // The namespace holder: unshare(1) execs sleep in a new mount namespace whose mounts do not propagate back.
  holder_ = std::make_unique<ChildProcess>(
      std::vector<std::string>{"/usr/bin/unshare", "--mount", "--propagation", "private", "--", "/bin/sleep",
                               "infinity"},
      dir_ / "holder.log");
  // nsenter before unshare took effect would mount on the host: wait until the holder's namespace is its own.
  const auto host = mount_namespace(0);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (mount_namespace(holder_->pid()) == host || mount_namespace(holder_->pid()).empty()) {
    if (!holder_->running() || std::chrono::steady_clock::now() > deadline) {
      throw std::runtime_error("unshare --mount did not make a mount namespace (root needed): " + holder_->output());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  nsenter({"/usr/bin/mount", "-t", "tmpfs", "-o", "mode=0755", "tmpfs", fs::canonical("/var/run").string()});
  nsenter({"/usr/bin/mkdir", "-p", kServiceAccountDir});
  nsenter({"/usr/bin/mount", "--bind", volume_.string(), kServiceAccountDir});
  nsenter({"/usr/bin/mount", "-o", "remount,bind,ro", kServiceAccountDir});  // the kubelet mounts it read-only

  auto args = options_.args;
  set_flag(args, "--listen", "127.0.0.1:0");
  set_flag(args, "--cache-dir", (dir_ / "cache").string());
  std::vector<std::string> argv{"/usr/bin/nsenter", "--target", std::to_string(holder_->pid()), "--mount", "--",
                                gitmoor_binary().string()};
  argv.insert(argv.end(), args.begin(), args.end());
  const auto url = env_.sandbox().url();  // https://127.0.0.1:PORT
  const auto colon = url.rfind(':');
  const auto host_part = url.substr(url.find("://") + 3, colon - url.find("://") - 3);
  serve_ = std::make_unique<ChildProcess>(
      argv, dir_ / "serve.log", pod_environment(host_part, url.substr(colon + 1), dir_ / "home", options_.ns));
  url_ = serve_->wait_for_line("gitmoor serving on ");
}

InClusterPod::~InClusterPod() {
  serve_.reset();   // SIGKILL if still running
  holder_.reset();  // the namespace goes with its last process
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

std::string InClusterPod::issue_token() {
  token_secret_ = options_.service_account + "-pod-" + std::to_string(++tokens_issued_);
  checked(env_.kubectl({"create", "secret", "generic", token_secret_, "-n", options_.ns}), "kubectl create secret");
  return trimmed(checked(env_.kubectl({"create", "token", options_.service_account, "-n", options_.ns,
                                       "--bound-object-kind", "Secret", "--bound-object-name", token_secret_}),
                         "kubectl create token"));
}

// The kubelet's atomic writer: files in a new ..<timestamp> folder, then the ..data symlink replaced by a rename;
// the visible names are symlinks through ..data, so a reader sees the old set or the new one, never a mix.
void InClusterPod::write_projected_volume() {
  const auto stamp = std::chrono::system_clock::now().time_since_epoch().count();
  const auto data = volume_ / ("..data_" + std::to_string(stamp) + "_" + std::to_string(tokens_issued_));
  fs::create_directories(data);
  std::ofstream(data / "token") << token_;
  std::ofstream(data / "ca.crt") << env_.sandbox().ca_pem();
  std::ofstream(data / "namespace") << options_.ns;
  fs::create_symlink(data.filename(), volume_ / "..data_tmp");
  fs::rename(volume_ / "..data_tmp", volume_ / "..data");
  for (const char* name : {"token", "ca.crt", "namespace"}) {
    if (!fs::is_symlink(volume_ / name)) fs::create_symlink(fs::path("..data") / name, volume_ / name);
  }
  if (!data_.empty()) fs::remove_all(data_);
  data_ = data;
}

std::string InClusterPod::rotate_token() {
  const auto old_secret = token_secret_;
  auto old_token = token_;
  token_ = issue_token();
  write_projected_volume();
  checked(env_.kubectl({"delete", "secret", old_secret, "-n", options_.ns}), "kubectl delete secret");
  return old_token;
}

std::string InClusterPod::read_in_pod(const std::string& path) const {
  return checked(core::run_subprocess({"/usr/bin/nsenter", "--target", std::to_string(holder_->pid()), "--mount",
                                       "--", "/bin/cat", path},
                                      {}),
                 "cat " + path + " in the Pod");
}

void InClusterPod::nsenter(std::vector<std::string> command) const {
  command.insert(command.begin(),
                 {"/usr/bin/nsenter", "--target", std::to_string(holder_->pid()), "--mount", "--"});
  checked(core::run_subprocess(command, {}), command[5]);
}

int InClusterPod::stop() {
  serve_->signal(SIGTERM);
  return serve_->wait();
}

}  // namespace gitmoor::test
