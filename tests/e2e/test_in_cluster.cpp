// gitmoor serve run the way a Pod runs it (in_cluster_pod.hpp: no kubeconfig; token, CA and namespace at the standard
// path in a private mount namespace; the install's Deployment args) against a sandbox enforcing RBAC, with exactly
// the permissions the install manifests and the chart grant: syncing (also from a private https repository with basic
// auth, credentials from a labelled Secret), token rotation with the old token revoked, the
// namespaced flavour (only the listed namespaces watched; a namespace outside is a condition quoting the 403),
// admin.existingSecret, and the resources finalizer.
#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <fstream>
#include <map>
#include <sstream>

#include "git_fixtures.hpp"
#include "gitmoor/core/yaml.hpp"
#include "in_cluster_pod.hpp"
#include "kubectl_env.hpp"
#include "private_git_server.hpp"

using gitmoor::test::container_args;
using gitmoor::test::InClusterPod;
using gitmoor::test::kServiceAccountDir;
using gitmoor::test::KubectlEnv;
using gitmoor::test::rbac_sandbox;
using gitmoor::test::read_source;
using gitmoor::test::PrivateGitServer;
using gitmoor::test::repository_secret_yaml;
using Json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

const char* kAdminToken = "admin-token";
const std::string kServiceAccount = "system:serviceaccount:gitmoor:gitmoor";

std::string checked(const gitmoor::core::SubprocessResult& r) {
  INFO(r.stderr_data);
  REQUIRE(r.exit_code == 0);
  return r.stdout_data;
}

void apply_yaml(KubectlEnv& env, const std::string& yaml) { checked(env.kubectl({"apply", "--server-side", "-f", "-"}, yaml)); }

// The Deployment of a rendered install (install.yaml, the namespaced overlay, the chart).
Json deployment_of(const std::string& yaml) {
  for (const auto& o : gitmoor::core::parse_manifests(yaml)) {
    if (o.json().value("kind", "") == "Deployment") return o.json();
  }
  FAIL("no Deployment in the install");
  return {};
}

std::vector<std::string> with(std::vector<std::string> args, const std::vector<std::string>& more) {
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

std::string configmap(const std::string& name, const std::string& version, const std::string& annotations = "{}") {
  return "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: " + name + ", annotations: " + annotations +
         "}\ndata: {version: \"" + version + "\"}\n";
}

std::string application(const std::string& name, const std::string& repo, const std::string& path,
                        const std::string& destination, const std::string& extra_metadata = "") {
  return "apiVersion: gitmoor.dev/v1alpha1\nkind: Application\nmetadata:\n  name: " + name +
         "\n  namespace: gitmoor\n" + extra_metadata + "spec:\n  source: {repoURL: \"" + repo +
         "\", targetRevision: HEAD, path: " + path + "}\n  destination: {server: https://kubernetes.default.svc, "
         "namespace: " + destination + "}\n  syncPolicy: {automated: {prune: true, selfHeal: true}}\n";
}

// A field of a live object as the admin reads it ("" when the object is missing).
std::string jsonpath(KubectlEnv& env, const std::vector<std::string>& what, const std::string& path) {
  auto args = what;
  args.push_back("-o");
  args.push_back("jsonpath={" + path + "}");
  auto r = env.kubectl(args);
  return r.exit_code == 0 ? r.stdout_data : "";
}

Json app_status(KubectlEnv& env, const std::string& name) {
  auto r = env.kubectl({"get", "applications.gitmoor.dev", name, "-n", "gitmoor", "-o", "json"});
  if (r.exit_code != 0) return Json::object();
  return Json::parse(r.stdout_data).value("status", Json::object());
}

std::string condition(const Json& status, const std::string& type) {
  for (const auto& c : status.value("conditions", Json::array())) {
    if (c.value("type", "") == type) return c.value("message", "");
  }
  return "";
}

bool synced_at(KubectlEnv& env, const std::string& name, const std::string& commit) {
  const auto status = app_status(env, name);
  const auto sync = status.value("sync", Json::object());
  return sync.value("status", "") == "Synced" && sync.value("revision", "") == commit;
}

// A Git repository served by git daemon, as the engine reaches one over the network.
struct Repo {
  gitmoor::test::GitRemote remote;
  gitmoor::test::GitDaemon daemon;
  explicit Repo(const fs::path& root) : remote(root, "deploy"), daemon(root) {}
  [[nodiscard]] std::string url() const { return daemon.url("deploy"); }
};

// install.yaml applied to a sandbox enforcing RBAC, namespace `game` made, and a Git repository served.
struct ClusterInstall {
  KubectlEnv env{rbac_sandbox(kAdminToken)};
  std::string install = read_source("docker/install/install.yaml");
  Repo repo{env.dir() / "git"};
  ClusterInstall() {
    apply_yaml(env, install);
    apply_yaml(env, "apiVersion: v1\nkind: Namespace\nmetadata: {name: game}\n");
  }
  // The args install.yaml's Deployment gives gitmoor, polling Git every second.
  [[nodiscard]] std::vector<std::string> pod_args() const {
    return with(container_args(deployment_of(install), "gitmoor"), {"--poll-interval=1s"});
  }
};

}  // namespace

TEST_CASE("in-cluster: serve as install.yaml's Pod syncs with the mounted token and keeps syncing when the token rotates and the old one is revoked",
          "[e2e][incluster]") {
  ClusterInstall cluster;
  auto& env = cluster.env;
  auto& repo = cluster.repo;
  repo.remote.write("guestbook/settings.yaml", configmap("settings", "1"));
  const auto first = repo.remote.commit("guestbook v1");
  apply_yaml(env, application("guestbook", repo.url(), "guestbook", "game"));

  const bool host_had_path = fs::exists(kServiceAccountDir);
  InClusterPod pod(env, {.args = cluster.pod_args()});
  // The Pod sees its token, CA and namespace at the standard path; the host's mounts are untouched.
  CHECK(pod.read_in_pod(std::string(kServiceAccountDir) + "/token") == pod.token());
  CHECK(pod.read_in_pod(std::string(kServiceAccountDir) + "/namespace") == "gitmoor");
  CHECK(fs::exists(kServiceAccountDir) == host_had_path);

  // In a Pod: in-cluster config, leader election on (auto), the apps namespace from the Deployment's args.
  CHECK(KubectlEnv::eventually([&] { return synced_at(env, "guestbook", first); }, std::chrono::seconds(60)));
  CHECK(jsonpath(env, {"get", "configmap", "settings", "-n", "game"}, ".data.version") == "1");
  CHECK(!jsonpath(env, {"get", "lease", "gitmoor-leader", "-n", "gitmoor"}, ".spec.holderIdentity").empty());

  // The kubelet's rotation: the new token swapped in, then the old one revoked (its bound object deleted).
  const auto old_token = pod.rotate_token();
  CHECK(pod.read_in_pod(std::string(kServiceAccountDir) + "/token") == pod.token());
  auto revoked = env.kubectl({"--token", old_token, "get", "configmaps", "-n", "game"});
  CHECK(revoked.stderr_data.find("Unauthorized") != std::string::npos);

  // Open watches were authenticated when they started: end them, so they reconnect with the file's new token.
  gitmoor::sandbox::Request close;
  close.method = "POST";
  close.target = "/sandbox/watches/close";
  close.headers["authorization"] = std::string("Bearer ") + kAdminToken;
  REQUIRE(env.sandbox().api().handle(close).status < 300);

  // A change in Git is synced and its status written after the rotation ...
  repo.remote.write("guestbook/settings.yaml", configmap("settings", "2"));
  const auto second = repo.remote.commit("guestbook v2");
  CHECK(KubectlEnv::eventually([&] { return synced_at(env, "guestbook", second); }, std::chrono::seconds(60)));
  CHECK(jsonpath(env, {"get", "configmap", "settings", "-n", "game"}, ".data.version") == "2");
  // ... and drift is seen through the reconnected watches and repaired.
  checked(env.kubectl({"patch", "configmap", "settings", "-n", "game", "--type=merge", "-p",
                       R"({"data":{"version":"drift"}})"}));
  CHECK(KubectlEnv::eventually(
      [&] { return jsonpath(env, {"get", "configmap", "settings", "-n", "game"}, ".data.version") == "2"; },
      std::chrono::seconds(60)));

  const auto log = pod.log();
  INFO(log);
  CHECK(pod.running());
  CHECK(log.find("Unauthorized") == std::string::npos);
  CHECK(log.find("forbidden") == std::string::npos);
  CHECK(pod.stop() == 0);
}

TEST_CASE("in-cluster: serve as install.yaml's Pod syncs tetris from a basic-auth https repository with credentials from a labelled Secret, and names the authentication failure without it",
          "[e2e][incluster][credentials]") {
  const std::string password = "s3cret-in-cluster-password";
  ClusterInstall cluster;
  auto& env = cluster.env;
  PrivateGitServer git(env.dir() / "private-git", "deployer", password);
  // The server's CA for every repository on the host (a template without credentials): trusted, it answers 401, as
  // a private GitHub repository does.
  apply_yaml(env, repository_secret_yaml(
                      {.name = "private-git-ca", .type = "repo-creds", .url = git.prefix(), .ca_pem = git.ca_pem()}));
  apply_yaml(env, application("tetris", git.url(), "helm/tetris", "game"));
  InClusterPod pod(env, {.args = cluster.pod_args()});

  // No credentials: a ComparisonError naming the authentication failure, and nothing synced.
  std::string message;
  CHECK(KubectlEnv::eventually(
      [&] {
        message = condition(app_status(env, "tetris"), "ComparisonError");
        return message.find("authentication failed") != std::string::npos;
      },
      std::chrono::seconds(60)));
  INFO(message);
  CHECK(message.find("none are configured for this repository") != std::string::npos);
  CHECK(git.rejected() >= 1);
  CHECK(jsonpath(env, {"get", "deployment", "-n", "game"}, ".items[*].metadata.name").empty());

  // The labelled Secret, read with the install's RBAC and applied live: tetris syncs from the private repository.
  apply_yaml(env, repository_secret_yaml({.name = "tetris-repo",
                                          .url = git.url(),
                                          .username = "deployer",
                                          .password = password,
                                          .ca_pem = git.ca_pem()}));
  CHECK(KubectlEnv::eventually([&] { return synced_at(env, "tetris", git.commit()); }, std::chrono::seconds(90)));
  CHECK(condition(app_status(env, "tetris"), "ComparisonError").empty());
  CHECK_FALSE(jsonpath(env, {"get", "deployment", "-n", "game"}, ".items[*].metadata.name").empty());

  // The password is nowhere: not in the Application, its events or serve's log; no request was forbidden.
  const auto log = pod.log();
  INFO(log);
  CHECK(log.find(password) == std::string::npos);
  CHECK(log.find("forbidden") == std::string::npos);
  CHECK(checked(env.kubectl({"get", "applications.gitmoor.dev", "tetris", "-n", "gitmoor", "-o", "json"}))
            .find(password) == std::string::npos);
  CHECK(checked(env.kubectl({"get", "events", "-A", "-o", "json"})).find(password) == std::string::npos);
  CHECK(pod.running());
  CHECK(pod.stop() == 0);
}

TEST_CASE("in-cluster: without --apps-namespace a Pod's apps namespace is its own, from the namespace file",
          "[e2e][incluster]") {
  KubectlEnv env(rbac_sandbox(kAdminToken));
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"create", "namespace", "ops"},
           {"create", "namespace", "game"},
           {"create", "serviceaccount", "deployer", "-n", "ops"}}) {
    checked(env.kubectl(args));
  }
  apply_yaml(env, R"(apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: deployer}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: ServiceAccount, name: deployer, namespace: ops}]
)");
  apply_yaml(env, read_source("docker/install/applications.gitmoor.dev.yaml"));
  Repo repo(env.dir() / "git");
  repo.remote.write("guestbook/settings.yaml", configmap("settings", "1"));
  const auto commit = repo.remote.commit("guestbook");
  auto app = application("guestbook", repo.url(), "guestbook", "game");
  app.replace(app.find("namespace: gitmoor"), 18, "namespace: ops");
  apply_yaml(env, app);

  InClusterPod pod(env, {.ns = "ops", .service_account = "deployer", .args = {"serve", "--auth=none"}});
  const auto synced = [&] {
    auto r = env.kubectl({"get", "applications.gitmoor.dev", "guestbook", "-n", "ops", "-o", "jsonpath={.status.sync.revision}"});
    return r.exit_code == 0 && r.stdout_data == commit;
  };
  CHECK(KubectlEnv::eventually(synced, std::chrono::seconds(60)));
  CHECK(jsonpath(env, {"get", "configmap", "settings", "-n", "game"}, ".data.version") == "1");
  // Its Lease is in its own namespace too.
  CHECK(!jsonpath(env, {"get", "lease", "gitmoor-leader", "-n", "ops"}, ".spec.holderIdentity").empty());
  INFO(pod.log());
  CHECK(pod.stop() == 0);
}

TEST_CASE("in-cluster: the namespaced flavour watches only its namespaces, syncs there, and refuses a namespace outside quoting the 403",
          "[e2e][incluster][rbac]") {
  KubectlEnv env(rbac_sandbox(kAdminToken));
  apply_yaml(env, "apiVersion: v1\nkind: Namespace\nmetadata: {name: game}\n---\n"
             "apiVersion: v1\nkind: Namespace\nmetadata: {name: other}\n");
  const std::string install = checked(env.kubectl({"kustomize", (gitmoor::test::source_dir() / "docker/install-namespaced").string()}));
  apply_yaml(env, install);
  // Left in `other` by an earlier sync of app `outside`: a prune would delete it.
  apply_yaml(env, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: leftover\n  namespace: other\n"
             "  labels: {gitmoor.dev/app: outside}\n"
             "  annotations: {gitmoor.dev/tracking-id: \"outside:/ConfigMap:other/leftover\"}\n");

  Repo repo(env.dir() / "git");
  repo.remote.write("app/settings.yaml", configmap("settings", "1"));
  repo.remote.write("cluster/settings.yaml", configmap("cluster-settings", "1"));
  repo.remote.write("cluster/reader.yaml", "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\n"
                                           "metadata: {name: guest-reader}\nrules: []\n");
  const auto commit = repo.remote.commit("apps");
  apply_yaml(env, application("inside", repo.url(), "app", "game"));
  apply_yaml(env, application("outside", repo.url(), "app", "other"));
  apply_yaml(env, application("cluster", repo.url(), "cluster", "game"));

  const auto args = container_args(deployment_of(install), "gitmoor");
  CHECK(std::find(args.begin(), args.end(), "--namespaces=game") != args.end());
  InClusterPod pod(env, {.args = with(args, {"--poll-interval=1s"})});

  CHECK(KubectlEnv::eventually([&] { return synced_at(env, "inside", commit); }, std::chrono::seconds(60)));
  CHECK(jsonpath(env, {"get", "configmap", "settings", "-n", "game"}, ".data.version") == "1");

  std::string outside, cluster;
  CHECK(KubectlEnv::eventually(
      [&] {
        outside = condition(app_status(env, "outside"), "ComparisonError");
        cluster = condition(app_status(env, "cluster"), "ComparisonError");
        return !outside.empty() && !cluster.empty();
      },
      std::chrono::seconds(60)));
  CHECK(outside ==
        "ConfigMap other/settings: namespace \"other\" is not in --namespaces (game); the API server answers 403: "
        "configmaps is forbidden: User \"" + kServiceAccount + "\" cannot list resource \"configmaps\" in API group "
        "\"\" in the namespace \"other\"; nothing is synced or pruned");
  CHECK(cluster == "cluster-scoped ClusterRole guest-reader: cluster resources are not permitted in namespaced mode "
                   "(--namespaces game); nothing is synced or pruned");
  CHECK(app_status(env, "outside").value("sync", Json::object()).value("status", "") == "Unknown");
  // Nothing synced or pruned for the refused apps.
  CHECK(jsonpath(env, {"get", "configmap", "leftover", "-n", "other"}, ".metadata.name") == "leftover");
  CHECK(env.kubectl({"get", "configmap", "settings", "-n", "other"}).exit_code != 0);
  CHECK(env.kubectl({"get", "clusterrole", "guest-reader"}).exit_code != 0);

  // Every request was one the namespaced Roles allow, but the one that quotes the 403.
  const auto log = pod.log();
  INFO(log);
  CHECK(pod.running());
  CHECK(log.find("at the cluster scope") == std::string::npos);
  for (const char* ns : {"game", "gitmoor"}) {
    CHECK(log.find("in the namespace \\\"" + std::string(ns) + "\\\"") == std::string::npos);  // JSON log lines
    CHECK(log.find("in the namespace \"" + std::string(ns) + "\"") == std::string::npos);
  }
  CHECK(pod.stop() == 0);
}

TEST_CASE("in-cluster: the chart's admin.existingSecret is the admin password, read on the first start and never logged",
          "[e2e][incluster][helm]") {
  KubectlEnv env(rbac_sandbox(kAdminToken));
  const std::string password = "correct-horse-battery";
  gitmoor::core::SubprocessOptions helm_options;
  helm_options.environment = {{"HOME", env.dir().string()},
                              {"HELM_CACHE_HOME", (env.dir() / "helm-cache").string()},
                              {"HELM_CONFIG_HOME", (env.dir() / "helm-config").string()},
                              {"HELM_DATA_HOME", (env.dir() / "helm-data").string()}};
  const auto chart = checked(gitmoor::core::run_subprocess(
      {gitmoor::core::tool_path(gitmoor::core::Tool::Helm).string(), "template", "gitmoor",
       (gitmoor::test::source_dir() / "docker/chart/gitmoor").string(), "--namespace", "gitmoor", "--set", "admin.existingSecret=my-admin"},
      helm_options));
  // The flag, the Role's get on that Secret by name, and no generated-password Secret of the chart's own.
  const auto args = container_args(deployment_of(chart), "gitmoor");
  CHECK(std::find(args.begin(), args.end(), "--admin-password-secret=my-admin") != args.end());
  CHECK(chart.find("gitmoor-initial-admin-secret\n") == std::string::npos);

  apply_yaml(env, "apiVersion: v1\nkind: Namespace\nmetadata: {name: gitmoor}\n");
  apply_yaml(env, read_source("docker/chart/gitmoor/crds/applications.gitmoor.dev.yaml"));
  apply_yaml(env, chart);
  CHECK(env.kubectl({"auth", "can-i", "get", "secrets/my-admin", "-n", "gitmoor", "--as=" + kServiceAccount})
            .stdout_data == "yes\n");

  InClusterPod pod(env, {.args = args});
  const auto login = [&](const std::string& attempt) {
    return gitmoor::test::http_request(pod.url(), "POST", "/api/v1/session",
                                       Json{{"username", "admin"}, {"password", attempt}}.dump())
        .status;
  };
  // Until the Secret exists there is no admin password (503: the settings are not complete), and none is generated.
  CHECK(login(password) == 503);
  checked(env.kubectl({"create", "secret", "generic", "my-admin", "-n", "gitmoor", "--from-literal=password=" + password}));
  CHECK(KubectlEnv::eventually([&] { return login(password) == 200; }, std::chrono::seconds(60)));
  CHECK(login("not-the-password") == 401);
  CHECK(env.kubectl({"get", "secret", "gitmoor-initial-admin-secret", "-n", "gitmoor"}).exit_code != 0);
  CHECK(!jsonpath(env, {"get", "secret", "gitmoor-secret", "-n", "gitmoor"}, ".data.admin\\.password").empty());

  const auto log = pod.log();
  INFO(log);
  CHECK(log.find(password) == std::string::npos);
  CHECK(log.find("the initial admin password is the one in Secret gitmoor/my-admin") != std::string::npos);
  CHECK(pod.stop() == 0);
}

TEST_CASE("in-cluster: deleting an Application with the resources finalizer in the cluster install removes its objects, then the Application",
          "[e2e][incluster][rbac]") {
  ClusterInstall cluster;
  auto& env = cluster.env;
  auto& repo = cluster.repo;
  repo.remote.write("guestbook/settings.yaml", configmap("settings", "1"));
  repo.remote.write("guestbook/late.yaml", configmap("late", "1", "{argocd.argoproj.io/sync-wave: \"1\"}"));
  const auto commit = repo.remote.commit("guestbook");
  apply_yaml(env, application("guestbook", repo.url(), "guestbook", "game",
                              "  finalizers: [resources-finalizer.gitmoor.dev]\n"));

  InClusterPod pod(env, {.args = cluster.pod_args()});
  CHECK(KubectlEnv::eventually([&] { return synced_at(env, "guestbook", commit); }, std::chrono::seconds(60)));
  CHECK(jsonpath(env, {"get", "configmap", "late", "-n", "game"}, ".data.version") == "1");

  checked(env.kubectl({"delete", "applications.gitmoor.dev", "guestbook", "-n", "gitmoor", "--wait=false"}));
  const auto gone = [&](const std::vector<std::string>& what) { return env.kubectl(what).exit_code != 0; };
  CHECK(KubectlEnv::eventually(
      [&] {
        return gone({"get", "applications.gitmoor.dev", "guestbook", "-n", "gitmoor"}) &&
               gone({"get", "configmap", "settings", "-n", "game"}) && gone({"get", "configmap", "late", "-n", "game"});
      },
      std::chrono::seconds(60)));
  const auto log = pod.log();
  INFO(log);
  CHECK(log.find("resources deleted; finalizer removed") != std::string::npos);
  CHECK(log.find("forbidden") == std::string::npos);
  CHECK(pod.stop() == 0);
}
