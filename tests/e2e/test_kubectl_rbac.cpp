// RBAC with real kubectl against a sandbox started with --authorization=rbac: `kubectl create token` and a
// kubeconfig with that token (allowed by a Role, forbidden in kube's words), `kubectl auth can-i` (namespaced Role
// versus ClusterRole, subresources, resourceNames, --list), impersonation with --as, expiry and revocation (401),
// aggregation into view, and `gitmoor sandbox --authorization=rbac`.
#include <catch2/catch.hpp>

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kubectl_env.hpp"

extern char** environ;

using gitmoor::test::base64;
using gitmoor::test::has_row;
using gitmoor::test::KubectlEnv;
using Json = nlohmann::json;

namespace {

const char* kAdminToken = "admin-token";

// TLS: kubectl sends bearer tokens over HTTPS only.
gitmoor::sandbox::SandboxOptions rbac() {
  gitmoor::sandbox::SandboxOptions o;
  o.tls = true;
  o.token = kAdminToken;
  o.authorization = gitmoor::sandbox::Authorization::Rbac;
  return o;
}

// kubectl as ServiceAccount NS/NAME through a kubeconfig holding a token from `kubectl create token`.
struct ServiceAccountKubectl {
  KubectlEnv& env;
  std::string kubeconfig;

  gitmoor::core::SubprocessResult operator()(std::vector<std::string> args) const {
    args.insert(args.begin(), {"--kubeconfig", kubeconfig});
    return env.kubectl(args);
  }
};

ServiceAccountKubectl service_account(KubectlEnv& env, const std::string& ns, const std::string& name,
                                      const std::vector<std::string>& token_flags = {}) {
  std::vector<std::string> args{"create", "token", name, "-n", ns};
  args.insert(args.end(), token_flags.begin(), token_flags.end());
  auto token = env.kubectl(args);
  INFO(token.stderr_data);
  REQUIRE(token.exit_code == 0);
  std::string t = token.stdout_data.substr(0, token.stdout_data.find_last_not_of("\n") + 1);
  static int tokens_made = 0;  // one kubeconfig per token: two tokens of one ServiceAccount must not share a file
  std::string path = env.write_file(
      ns + "-" + name + "-" + std::to_string(++tokens_made) + ".kubeconfig",
      "apiVersion: v1\nkind: Config\nclusters:\n- name: s\n  cluster:\n    server: " + env.sandbox().url() +
          "\n    certificate-authority-data: " + base64(env.sandbox().ca_pem()) +
          "\nusers:\n- name: u\n  user:\n    token: " + t +
          "\ncontexts:\n- name: c\n  context: {cluster: s, user: u, namespace: default}\ncurrent-context: c\n");
  return {env, path};
}

void apply(KubectlEnv& env, const std::string& yaml) {
  auto r = env.kubectl({"apply", "-f", "-"}, yaml);
  INFO(r.stderr_data);
  REQUIRE(r.exit_code == 0);
}

std::string trimmed(const std::string& s) { return s.substr(0, s.find_last_not_of("\n ") + 1); }

}  // namespace

TEST_CASE("kubectl create token: the ServiceAccount's Role allows, anything else is Forbidden in kube's words",
          "[e2e][rbac]") {
  KubectlEnv env(rbac());
  apply(env, R"(apiVersion: v1
kind: Namespace
metadata: {name: gitmoor}
---
apiVersion: v1
kind: Namespace
metadata: {name: game}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: gitmoor, namespace: gitmoor}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: deploy-reader, namespace: game}
rules:
- apiGroups: [apps]
  resources: [deployments]
  verbs: [get, list]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: gitmoor, namespace: game}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: deploy-reader}
subjects:
- {kind: ServiceAccount, name: gitmoor, namespace: gitmoor}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: game}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: nginx}]}
)");
  auto sa = service_account(env, "gitmoor", "gitmoor");
  auto whoami = sa({"auth", "whoami"});
  CHECK(has_row(whoami.stdout_data, {"Username", "system:serviceaccount:gitmoor:gitmoor"}));

  auto list = sa({"get", "deployments", "-n", "game"});
  INFO(list.stderr_data);
  CHECK(list.exit_code == 0);
  CHECK(has_row(list.stdout_data, {"web"}));

  auto patch = sa({"patch", "deployment", "web", "-n", "game", "-p", R"({"spec":{"replicas":3}})"});
  CHECK(patch.exit_code != 0);
  CHECK(trimmed(patch.stderr_data) ==
        "Error from server (Forbidden): deployments.apps \"web\" is forbidden: User "
        "\"system:serviceaccount:gitmoor:gitmoor\" cannot patch resource \"deployments\" in API group \"apps\" in the "
        "namespace \"game\"");
  auto configmaps = sa({"get", "configmaps", "-n", "game"});
  CHECK(trimmed(configmaps.stderr_data) ==
        "Error from server (Forbidden): configmaps is forbidden: User \"system:serviceaccount:gitmoor:gitmoor\" "
        "cannot list resource \"configmaps\" in API group \"\" in the namespace \"game\"");
  auto nodes = sa({"get", "nodes"});
  CHECK(trimmed(nodes.stderr_data) ==
        "Error from server (Forbidden): nodes is forbidden: User \"system:serviceaccount:gitmoor:gitmoor\" cannot "
        "list resource \"nodes\" in API group \"\" at the cluster scope");

  // A duration under kube's 10-minute minimum is refused by the server.
  auto short_lived = env.kubectl({"create", "token", "gitmoor", "-n", "gitmoor", "--duration", "5m"});
  CHECK(short_lived.exit_code != 0);
  CHECK(short_lived.stderr_data.find("may not specify a duration less than 10 minutes") != std::string::npos);
}

TEST_CASE("kubectl auth can-i: Role versus ClusterRole, subresources, resourceNames, --list", "[e2e][rbac]") {
  KubectlEnv env(rbac());
  apply(env, R"(apiVersion: v1
kind: Namespace
metadata: {name: game}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: ns-deployer, namespace: game}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: cluster-deployer, namespace: game}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: deployer}
rules:
- apiGroups: [apps]
  resources: [deployments]
  verbs: [get, list, patch]
- apiGroups: [apps]
  resources: [deployments/scale]
  verbs: [update]
- apiGroups: [""]
  resources: [configmaps]
  resourceNames: [settings]
  verbs: [get]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: ns-deployer, namespace: game}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: deployer}
subjects:
- {kind: ServiceAccount, name: ns-deployer, namespace: game}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: cluster-deployer}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: deployer}
subjects:
- {kind: ServiceAccount, name: cluster-deployer, namespace: game}
)");
  auto can_i = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"auth", "can-i"});
    auto r = env.kubectl(args);
    INFO(r.stderr_data);
    return trimmed(r.stdout_data);
  };
  const std::string ns_sa = "system:serviceaccount:game:ns-deployer";
  const std::string cluster_sa = "system:serviceaccount:game:cluster-deployer";
  CHECK(can_i({"patch", "deployments", "-n", "game", "--as", ns_sa}) == "yes");
  CHECK(can_i({"patch", "deployments", "-n", "default", "--as", ns_sa}) == "no");
  CHECK(can_i({"list", "deployments", "-A", "--as", ns_sa}) == "no");
  CHECK(can_i({"patch", "deployments", "-n", "default", "--as", cluster_sa}) == "yes");
  CHECK(can_i({"list", "deployments", "-A", "--as", cluster_sa}) == "yes");
  CHECK(can_i({"delete", "deployments", "-n", "game", "--as", ns_sa}) == "no");
  // Subresources and resourceNames.
  CHECK(can_i({"update", "deployments", "--subresource=scale", "-n", "game", "--as", ns_sa}) == "yes");
  CHECK(can_i({"update", "deployments", "-n", "game", "--as", ns_sa}) == "no");
  CHECK(can_i({"get", "configmap/settings", "-n", "game", "--as", ns_sa}) == "yes");
  CHECK(can_i({"get", "configmap/other", "-n", "game", "--as", ns_sa}) == "no");
  // The admin (system:masters) may do anything; the SA's own token asks for itself.
  CHECK(can_i({"delete", "nodes"}) == "yes");
  auto sa = service_account(env, "game", "ns-deployer");
  CHECK(trimmed(sa({"auth", "can-i", "patch", "deployments", "-n", "game"}).stdout_data) == "yes");
  CHECK(trimmed(sa({"auth", "can-i", "get", "secrets", "-n", "game"}).stdout_data) == "no");

  auto list = sa({"auth", "can-i", "--list", "-n", "game"});
  INFO(list.stdout_data << list.stderr_data);
  CHECK(list.exit_code == 0);
  CHECK(has_row(list.stdout_data, {"Resources", "Non-Resource", "URLs", "Resource", "Names", "Verbs"}));
  CHECK(has_row(list.stdout_data, {"deployments.apps", "[]", "[]", "[get", "list", "patch]"}));
  CHECK(has_row(list.stdout_data, {"deployments.apps/scale", "[]", "[]", "[update]"}));
  CHECK(has_row(list.stdout_data, {"configmaps", "[]", "[settings]", "[get]"}));
  CHECK(has_row(list.stdout_data, {"selfsubjectaccessreviews.authorization.k8s.io", "[]", "[]", "[create]"}));
  CHECK(has_row(list.stdout_data, {"[/api/*]", "[]", "[get]"}));
}

TEST_CASE("kubectl --as: impersonation by the admin, refused without the impersonate verb", "[e2e][rbac]") {
  KubectlEnv env(rbac());
  auto whoami = env.kubectl({"auth", "whoami", "--as", "bob", "--as-group", "devs", "--as-group", "ops"});
  INFO(whoami.stderr_data);
  CHECK(has_row(whoami.stdout_data, {"Username", "bob"}));
  CHECK(has_row(whoami.stdout_data, {"Groups", "[devs", "ops", "system:authenticated]"}));
  auto pods = env.kubectl({"get", "pods", "--as", "bob"});
  CHECK(trimmed(pods.stderr_data) ==
        "Error from server (Forbidden): pods is forbidden: User \"bob\" cannot list resource \"pods\" in API group "
        "\"\" in the namespace \"default\"");

  apply(env, "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: robot, namespace: default}\n");
  auto sa = service_account(env, "default", "robot");
  auto refused = sa({"get", "pods", "--as", "bob"});
  CHECK(trimmed(refused.stderr_data) ==
        "Error from server (Forbidden): users \"bob\" is forbidden: User \"system:serviceaccount:default:robot\" "
        "cannot impersonate resource \"users\" in API group \"\" at the cluster scope");
  auto as_sa = env.kubectl({"auth", "whoami", "--as", "system:serviceaccount:default:robot"});
  CHECK(has_row(as_sa.stdout_data, {"Username", "system:serviceaccount:default:robot"}));
}

TEST_CASE("an expired token and a deleted ServiceAccount's token are 401 Unauthorized", "[e2e][rbac]") {
  KubectlEnv env(rbac());
  apply(env, "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: short, namespace: default}\n---\n"
             "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: gone, namespace: default}\n");
  auto short_lived = service_account(env, "default", "short", {"--duration", "1h"});
  auto gone = service_account(env, "default", "gone");
  CHECK(short_lived({"auth", "whoami"}).exit_code == 0);
  CHECK(gone({"auth", "whoami"}).exit_code == 0);

  env.kubectl({"delete", "serviceaccount", "gone"});
  auto deleted = gone({"get", "pods"});
  CHECK(deleted.exit_code != 0);
  CHECK(trimmed(deleted.stderr_data) == "error: You must be logged in to the server (Unauthorized)");

  // The token clock moves past the hour (admin endpoint): the 1h token expires.
  gitmoor::sandbox::Request advance;
  advance.method = "POST";
  advance.target = "/sandbox/clock";
  advance.headers["authorization"] = std::string("Bearer ") + kAdminToken;
  advance.body = R"({"advance":"61m"})";
  REQUIRE(env.sandbox().api().handle(advance).status == 200);
  auto expired = short_lived({"get", "pods"});
  CHECK(expired.exit_code != 0);
  CHECK(trimmed(expired.stderr_data) == "error: You must be logged in to the server (Unauthorized)");
  // The admin is untouched.
  CHECK(env.kubectl({"get", "pods"}).exit_code == 0);
}

TEST_CASE("a token bound to a Secret is revoked by deleting the Secret (401), as in Kubernetes", "[e2e][rbac]") {
  KubectlEnv env(rbac());
  apply(env, "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: bot, namespace: default}\n---\n"
             "apiVersion: v1\nkind: Secret\nmetadata: {name: anchor, namespace: default}\n---\n"
             "apiVersion: v1\nkind: Secret\nmetadata: {name: other, namespace: default}\n");
  auto bound = service_account(env, "default", "bot", {"--bound-object-kind", "Secret", "--bound-object-name", "anchor"});
  auto unbound = service_account(env, "default", "bot");
  auto whoami = bound({"auth", "whoami"});
  INFO(whoami.stderr_data);
  CHECK(has_row(whoami.stdout_data, {"Username", "system:serviceaccount:default:bot"}));

  // A Secret that does not exist, or a uid that is not the Secret's, cannot be bound to.
  auto missing = env.kubectl({"create", "token", "bot", "--bound-object-kind", "Secret", "--bound-object-name", "nothing"});
  CHECK(missing.exit_code != 0);
  CHECK(trimmed(missing.stderr_data) == "error: failed to create token: secrets \"nothing\" not found");
  auto stale = env.kubectl({"create", "token", "bot", "--bound-object-kind", "Secret", "--bound-object-name", "anchor",
                            "--bound-object-uid", "not-the-uid"});
  CHECK(stale.exit_code != 0);
  CHECK(stale.stderr_data.find("the UID in the bound object reference (not-the-uid) does not match the UID in record") !=
        std::string::npos);

  // Deleting another Secret changes nothing; deleting the bound one revokes its tokens, and only those.
  REQUIRE(env.kubectl({"delete", "secret", "other"}).exit_code == 0);
  CHECK(bound({"auth", "whoami"}).exit_code == 0);
  REQUIRE(env.kubectl({"delete", "secret", "anchor"}).exit_code == 0);
  auto revoked = bound({"get", "pods"});
  CHECK(revoked.exit_code != 0);
  CHECK(trimmed(revoked.stderr_data) == "error: You must be logged in to the server (Unauthorized)");
  CHECK(unbound({"get", "pods"}).stderr_data.find("Unauthorized") == std::string::npos);
  // A Secret of the same name is another object: the token stays revoked.
  apply(env, "apiVersion: v1\nkind: Secret\nmetadata: {name: anchor, namespace: default}\n");
  CHECK(bound({"auth", "whoami"}).exit_code != 0);
}

TEST_CASE("aggregation: a ClusterRole labelled aggregate-to-view extends view", "[e2e][rbac]") {
  KubectlEnv env(rbac());
  apply(env, R"(apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: viewer, namespace: default}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects:
- {kind: User, name: vera}
)");
  auto can_get_secrets = [&] {
    return trimmed(env.kubectl({"auth", "can-i", "get", "secrets", "--as", "vera"}).stdout_data);
  };
  CHECK(trimmed(env.kubectl({"auth", "can-i", "list", "deployments", "--as", "vera"}).stdout_data) == "yes");
  CHECK(can_get_secrets() == "no");
  apply(env, R"(apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: secret-viewer
  labels: {rbac.authorization.k8s.io/aggregate-to-view: "true"}
rules:
- apiGroups: [""]
  resources: [secrets]
  verbs: [get]
)");
  CHECK(can_get_secrets() == "yes");
  auto view = env.json({"get", "clusterrole", "view"});
  CHECK(view["rules"].dump().find("secrets") != std::string::npos);
}

TEST_CASE("gitmoor sandbox --authorization=rbac serves HTTPS with a cluster-admin token in its kubeconfig",
          "[e2e][rbac]") {
  KubectlEnv env;  // for its private folder and kubectl
  std::string kubeconfig = (env.dir() / "rbac-kubeconfig").string();
  int pipe_fds[2];
  REQUIRE(::pipe(pipe_fds) == 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, pipe_fds[0]);
  std::string binary = gitmoor::test::gitmoor_binary().string();
  std::vector<std::string> args{binary, "sandbox", "--listen", "127.0.0.1:0", "--kubeconfig-out", kubeconfig,
                                "--authorization=rbac"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  REQUIRE(posix_spawn(&pid, binary.c_str(), &actions, nullptr, argv.data(), environ) == 0);
  posix_spawn_file_actions_destroy(&actions);
  ::close(pipe_fds[1]);
  std::string line;
  char c;
  while (line.size() < 4096 && ::read(pipe_fds[0], &c, 1) == 1 && c != '\n') line += c;
  ::close(pipe_fds[0]);
  CHECK(line.rfind("listening on https://127.0.0.1:", 0) == 0);
  auto whoami = env.kubectl({"--kubeconfig", kubeconfig, "auth", "whoami"});
  auto can_i = env.kubectl({"--kubeconfig", kubeconfig, "auth", "can-i", "delete", "nodes"});
  ::kill(pid, SIGTERM);
  int status = 0;
  ::waitpid(pid, &status, 0);
  INFO(whoami.stderr_data);
  CHECK(has_row(whoami.stdout_data, {"Username", "sandbox-admin"}));
  CHECK(has_row(whoami.stdout_data, {"Groups", "[system:masters", "system:authenticated]"}));
  CHECK(trimmed(can_i.stdout_data) == "yes");
  CHECK(WIFEXITED(status));

  auto bad = gitmoor::core::run_subprocess({binary, "sandbox", "--authorization=abac"});
  CHECK(bad.exit_code != 0);
  CHECK(bad.stderr_data.find("--authorization: expected AlwaysAllow or rbac, got \"abac\"") != std::string::npos);
}
