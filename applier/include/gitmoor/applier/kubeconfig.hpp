#pragma once
// Where a cluster is and how to prove who we are to it: a kubeconfig (KUBECONFIG lists merged the way kubectl merges
// them) or the in-cluster service account.
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "gitmoor/core/error.hpp"

namespace gitmoor::applier {

// users[].user.exec of a kubeconfig (client.authentication.k8s.io/v1).
struct ExecConfig {
  std::string api_version = "client.authentication.k8s.io/v1";
  std::string command;
  std::vector<std::string> args;
  std::map<std::string, std::string> env;
  std::filesystem::path working_dir;  // the kubeconfig's folder: relative commands resolve from there
};

// Everything the client needs for one cluster, already resolved: file references are kept as paths (read at
// connect time, so rotated files are picked up), inline data is decoded.
struct ClusterConfig {
  std::string server;  // https://host:port
  std::string ca_pem;  // certificate-authority-data, decoded
  std::filesystem::path ca_file;
  bool insecure_skip_tls_verify = false;
  std::string tls_server_name;
  std::string token;
  std::filesystem::path token_file;  // re-read on every request (service-account tokens rotate)
  std::string client_cert_pem;
  std::string client_key_pem;
  std::filesystem::path client_cert_file;
  std::filesystem::path client_key_file;
  std::string username;
  std::string password;
  std::optional<ExecConfig> exec;
  std::string proxy_url;
  std::string ns;       // the context's namespace, "" when unset
  std::string context;  // which context this came from, for messages
};

struct KubeconfigOptions {
  // Files to merge; empty: $KUBECONFIG (colon-separated) or ~/.kube/config.
  std::vector<std::filesystem::path> paths;
  std::string context;  // empty: current-context
};

// A kubeconfig that cannot be used (missing file, unknown context, bad base64). Names the file or context.
class KubeconfigError : public core::InvalidInput {
 public:
  using core::InvalidInput::InvalidInput;
};

// Merges the files as kubectl does (the first file to define a name wins; current-context from the first that sets
// it) and resolves the chosen context. Relative paths resolve against the file that named them.
ClusterConfig load_kubeconfig(const KubeconfigOptions& options = {});

// The in-cluster service account: KUBERNETES_SERVICE_HOST/PORT, the token file (re-read when rotated) and CA
// under `root` (default /var/run/secrets/kubernetes.io/serviceaccount). Throws KubeconfigError outside a cluster.
ClusterConfig in_cluster_config(const std::filesystem::path& root = "/var/run/secrets/kubernetes.io/serviceaccount");

}  // namespace gitmoor::applier
