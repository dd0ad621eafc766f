#pragma once
// `gitmoor serve` run the way a Pod runs it, against a KubectlEnv sandbox (TLS, usually --authorization=rbac):
// - no --kubeconfig, no KUBECONFIG, a HOME without ~/.kube; KUBERNETES_SERVICE_HOST/PORT name the sandbox, so serve
//   falls back to the in-cluster config;
// - the ServiceAccount's token (`kubectl create token`, bound to a Secret so that deleting the Secret revokes it, as
//   deleting the Pod does), the sandbox's CA and the namespace file sit at /var/run/secrets/kubernetes.io/
//   serviceaccount inside a private mount namespace: a holder process made with `unshare --mount --propagation
//   private` gets a tmpfs on /run (a container's own /run) and, bound read-only onto the standard path, a host temp
//   folder laid out as the kubelet's projected volume (token -> ..data/token, ..data -> ..<timestamp>). The host's
//   mounts and /run are untouched;
// - serve runs in that namespace through `nsenter --mount`, with the args a Deployment gives its container
//   (container_args) or any others; --listen becomes 127.0.0.1:0 and --cache-dir a temp folder.
// rotate_token() is the kubelet's refresh: a new token in a new timestamped folder, ..data swapped by an atomic
// rename; then the old token is revoked (its Secret deleted).
// Needs root (unshare, mount), as here and in CI.
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "kubectl_env.hpp"
#include "serve_env.hpp"

namespace gitmoor::test {

inline constexpr const char* kServiceAccountDir = "/var/run/secrets/kubernetes.io/serviceaccount";

struct InClusterPodOptions {
  std::string ns = "gitmoor";               // the Pod's namespace: the namespace file, and its ServiceAccount's
  std::string service_account = "gitmoor";  // must exist (install.yaml makes gitmoor/gitmoor)
  // gitmoor's arguments without the binary, e.g. container_args(deployment) or {"serve", "--namespaces=game"}.
  std::vector<std::string> args{"serve"};
};

// The container's args of a Deployment (install.yaml's, the chart's), with $(POD_NAMESPACE) expanded as the kubelet
// expands it.
std::vector<std::string> container_args(const nlohmann::json& deployment, const std::string& pod_namespace);

class InClusterPod {
 public:
  // Issues the first token, makes the mount namespace and starts serve; returns once serve printed its URL.
  InClusterPod(KubectlEnv& env, InClusterPodOptions options);
  ~InClusterPod();  // serve and the namespace holder killed (if still running), the temp folder removed
  InClusterPod(const InClusterPod&) = delete;
  InClusterPod& operator=(const InClusterPod&) = delete;

  [[nodiscard]] const std::string& url() const { return url_; }      // serve's HTTP API, http://127.0.0.1:PORT
  [[nodiscard]] const std::string& token() const { return token_; }  // the token the file holds now
  // A new bound token swapped in (kubelet layout, atomic), then the previous one revoked. Returns the old token.
  std::string rotate_token();
  // A file as the Pod sees it (cat inside the mount namespace), e.g. kServiceAccountDir + "/token"s.
  [[nodiscard]] std::string read_in_pod(const std::string& path) const;
  [[nodiscard]] std::string log() const { return serve_->output(); }
  [[nodiscard]] bool running() const { return serve_->running(); }
  int stop();  // SIGTERM; serve's exit status

 private:
  std::string issue_token();
  void write_projected_volume();
  void nsenter(std::vector<std::string> command) const;

  KubectlEnv& env_;
  InClusterPodOptions options_;
  std::filesystem::path dir_;
  std::filesystem::path volume_;  // the host folder bound onto kServiceAccountDir
  std::filesystem::path data_;    // its current timestamped folder
  int tokens_issued_ = 0;
  std::string token_;
  std::string token_secret_;  // the Secret the current token is bound to
  std::unique_ptr<ChildProcess> holder_;
  std::unique_ptr<ChildProcess> serve_;
  std::string url_;
};

}  // namespace gitmoor::test
