// kubeconfig loading with kubectl's merge rules; see kubeconfig.hpp.
#include "gitmoor/applier/kubeconfig.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "base64.hpp"
#include "gitmoor/core/yaml.hpp"

namespace gitmoor::applier {

namespace fs = std::filesystem;
using core::Json;

namespace {

std::string read_text(const fs::path& path, const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw KubeconfigError(path.string() + ": cannot read " + what);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<fs::path> default_paths() {
  std::vector<fs::path> paths;
  if (const char* env = std::getenv("KUBECONFIG"); env != nullptr && *env != '\0') {
    std::string_view list(env);
    while (!list.empty()) {
      const auto colon = list.find(':');
      const auto item = list.substr(0, colon);
      if (!item.empty()) paths.emplace_back(std::string(item));
      if (colon == std::string_view::npos) break;
      list.remove_prefix(colon + 1);
    }
    return paths;
  }
  const char* home = std::getenv("HOME");
  paths.push_back(fs::path(home != nullptr ? home : "/") / ".kube" / "config");
  return paths;
}

// One named entry (cluster, user, context) and the folder of the file it came from.
struct Named {
  Json value;
  fs::path dir;
};

void merge_named(const Json& doc, const char* list, const char* field, const fs::path& dir,
                 std::map<std::string, Named>& into) {
  if (!doc.contains(list) || !doc[list].is_array()) return;
  for (const auto& item : doc[list]) {
    if (!item.is_object() || !item.contains("name") || !item["name"].is_string()) continue;
    // The first file that defines a name wins, as in kubectl.
    into.try_emplace(item["name"].get<std::string>(), Named{item.value(field, Json::object()), dir});
  }
}

std::string str(const Json& object, const char* key) {
  if (!object.is_object() || !object.contains(key) || !object[key].is_string()) return {};
  return object[key].get<std::string>();
}

fs::path resolve(const fs::path& dir, const std::string& path) {
  if (path.empty()) return {};
  const fs::path p(path);
  return p.is_absolute() ? p : dir / p;
}

std::string decode(const Json& object, const char* key, const std::string& subject) {
  const auto text = str(object, key);
  if (text.empty()) return {};
  auto decoded = decode_base64(text);
  if (!decoded) throw KubeconfigError(subject + ": " + key + " is not valid base64");
  return *decoded;
}

}  // namespace

ClusterConfig load_kubeconfig(const KubeconfigOptions& options) {
  const auto paths = options.paths.empty() ? default_paths() : options.paths;
  std::map<std::string, Named> clusters, users, contexts;
  std::string current;
  bool any = false;
  for (const auto& path : paths) {
    if (!fs::exists(path)) {
      // kubectl skips missing entries of a KUBECONFIG list, but a single explicit file must exist.
      if (paths.size() == 1) throw KubeconfigError(path.string() + ": kubeconfig not found");
      continue;
    }
    any = true;
    const Json doc = core::parse_yaml(read_text(path, "kubeconfig"), {.file = path.string()});
    if (!doc.is_object()) continue;
    const fs::path dir = fs::absolute(path).parent_path();
    merge_named(doc, "clusters", "cluster", dir, clusters);
    merge_named(doc, "users", "user", dir, users);
    merge_named(doc, "contexts", "context", dir, contexts);
    if (current.empty()) current = str(doc, "current-context");
  }
  if (!any) throw KubeconfigError("no kubeconfig found (KUBECONFIG or ~/.kube/config)");
  const std::string name = options.context.empty() ? current : options.context;
  if (name.empty()) throw KubeconfigError("kubeconfig: no current-context and no --context given");
  const auto ctx = contexts.find(name);
  if (ctx == contexts.end()) throw KubeconfigError("kubeconfig: context \"" + name + "\" not found");
  const std::string cluster_name = str(ctx->second.value, "cluster");
  const std::string user_name = str(ctx->second.value, "user");
  const auto cl = clusters.find(cluster_name);
  if (cl == clusters.end()) {
    throw KubeconfigError("kubeconfig: context \"" + name + "\" names cluster \"" + cluster_name + "\", not found");
  }

  ClusterConfig out;
  out.context = name;
  out.ns = str(ctx->second.value, "namespace");
  const Json& c = cl->second.value;
  const std::string subject = "kubeconfig cluster \"" + cluster_name + "\"";
  out.server = str(c, "server");
  if (out.server.empty()) throw KubeconfigError(subject + ": no server");
  out.ca_pem = decode(c, "certificate-authority-data", subject);
  out.ca_file = resolve(cl->second.dir, str(c, "certificate-authority"));
  out.insecure_skip_tls_verify = c.value("insecure-skip-tls-verify", false);
  out.tls_server_name = str(c, "tls-server-name");
  out.proxy_url = str(c, "proxy-url");

  if (!user_name.empty()) {
    const auto us = users.find(user_name);
    if (us == users.end()) {
      throw KubeconfigError("kubeconfig: context \"" + name + "\" names user \"" + user_name + "\", not found");
    }
    const Json& u = us->second.value;
    const std::string user_subject = "kubeconfig user \"" + user_name + "\"";
    const fs::path& dir = us->second.dir;
    out.token = str(u, "token");
    out.token_file = resolve(dir, str(u, "tokenFile"));
    out.client_cert_pem = decode(u, "client-certificate-data", user_subject);
    out.client_key_pem = decode(u, "client-key-data", user_subject);
    out.client_cert_file = resolve(dir, str(u, "client-certificate"));
    out.client_key_file = resolve(dir, str(u, "client-key"));
    out.username = str(u, "username");
    out.password = str(u, "password");
    if (u.contains("exec") && u["exec"].is_object()) {
      const Json& e = u["exec"];
      ExecConfig exec;
      exec.api_version = str(e, "apiVersion");
      exec.command = str(e, "command");
      if (exec.command.empty()) throw KubeconfigError(user_subject + ": exec has no command");
      // A command with a slash is a path relative to the kubeconfig; a bare name is looked up in PATH.
      if (exec.command.find('/') != std::string::npos) exec.command = resolve(dir, exec.command).string();
      if (e.contains("args") && e["args"].is_array()) {
        for (const auto& a : e["args"]) if (a.is_string()) exec.args.push_back(a.get<std::string>());
      }
      if (e.contains("env") && e["env"].is_array()) {
        for (const auto& v : e["env"]) exec.env[str(v, "name")] = str(v, "value");
      }
      exec.working_dir = dir;
      out.exec = std::move(exec);
    }
  }
  return out;
}

ClusterConfig in_cluster_config(const fs::path& root) {
  const char* host = std::getenv("KUBERNETES_SERVICE_HOST");
  const char* port = std::getenv("KUBERNETES_SERVICE_PORT");
  if (host == nullptr || *host == '\0' || port == nullptr || *port == '\0') {
    throw KubeconfigError("not running in a cluster: KUBERNETES_SERVICE_HOST/PORT are not set");
  }
  ClusterConfig out;
  std::string h(host);
  if (h.find(':') != std::string::npos) h = "[" + h + "]";  // IPv6 literal
  out.server = "https://" + h + ":" + port;
  out.token_file = root / "token";
  if (!fs::exists(out.token_file)) throw KubeconfigError(out.token_file.string() + ": service-account token missing");
  out.ca_file = root / "ca.crt";
  if (fs::exists(root / "namespace")) {
    out.ns = read_text(root / "namespace", "namespace");
    while (!out.ns.empty() && (out.ns.back() == '\n' || out.ns.back() == ' ')) out.ns.pop_back();
  }
  out.context = "in-cluster";
  return out;
}

}  // namespace gitmoor::applier
