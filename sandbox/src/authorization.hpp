#pragma once
// Authorization as kube-apiserver does it with --authorization-mode=RBAC: the attributes of a request (verb,
// resource, subresource, name, namespace, or a non-resource path), PolicyRules matched against them, bindings
// whose subjects name the user or one of its groups, and the Forbidden message kube writes. The matching is pure
// (RbacPolicy is built from the RBAC objects, tests call it directly); Authorizer keeps a policy current with the
// store and runs the clusterrole-aggregation controller.
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "authentication.hpp"
#include "gitmoor/sandbox/api_server.hpp"
#include "status.hpp"

namespace gitmoor::sandbox {

class Cluster;

struct PolicyRule {
  std::vector<std::string> verbs;
  std::vector<std::string> api_groups;
  std::vector<std::string> resources;
  std::vector<std::string> resource_names;
  std::vector<std::string> non_resource_urls;

  static PolicyRule from_json(const Json& rule);
  [[nodiscard]] Json to_json() const;
};

// What a request asks for, as kube's RequestInfoFactory derives it from the method and path.
struct Attributes {
  UserInfo user;
  std::string verb;  // get list watch create update patch delete deletecollection; impersonate...; or the
                     // lower-cased method for a non-resource request
  bool resource_request = false;
  std::string path;  // the URL path (non-resource requests)
  std::string ns;
  std::string api_group;
  std::string api_version;
  std::string resource;
  std::string subresource;
  std::string name;
};

// /api/v1/namespaces/game/deployments/web/scale → resource attributes; /healthz, /api, /apis/apps/v1, /version,
// /openapi/v2 → non-resource ones. `query` gives watch=true and a fieldSelector on metadata.name.
Attributes request_attributes(const std::string& method, const std::string& path,
                              const std::map<std::string, std::string>& query);

// kube's rbac helpers (pkg/apis/rbac/v1/evaluation_helpers.go).
bool verb_matches(const PolicyRule& rule, const std::string& verb);
bool api_group_matches(const PolicyRule& rule, const std::string& group);
// `resource` is "deployments" or "deployments/scale" (with the subresource); rules may say "*" or "*/scale".
bool resource_matches(const PolicyRule& rule, const std::string& resource, const std::string& subresource);
bool resource_name_matches(const PolicyRule& rule, const std::string& name);
bool non_resource_url_matches(const PolicyRule& rule, const std::string& path);
bool rule_allows(const Attributes& attributes, const PolicyRule& rule);

// Whether a binding's subject ({kind, name, namespace}) names the user; `binding_namespace` defaults a
// ServiceAccount subject's namespace (RoleBindings may leave it out).
bool subject_applies(const Json& subject, const UserInfo& user, const std::string& binding_namespace);

struct Decision {
  bool allowed = false;
  std::string reason;  // "RBAC: allowed by ..." or why a binding did not resolve
};

// The RBAC objects, indexed by subject: what the authorizer decides with.
class RbacPolicy {
 public:
  void add_cluster_role(const Json& role);
  void add_role(const Json& role);
  void add_cluster_role_binding(const Json& binding);
  void add_role_binding(const Json& binding);

  [[nodiscard]] Decision authorize(const Attributes& attributes) const;
  // Every rule that applies to the user in the namespace (cluster-wide ones included): SelfSubjectRulesReview.
  [[nodiscard]] std::vector<PolicyRule> rules_for(const UserInfo& user, const std::string& ns,
                                                  std::vector<std::string>& errors) const;

 private:
  struct Binding {
    std::string kind;  // ClusterRoleBinding or RoleBinding
    std::string name;
    std::string ns;
    std::string role_kind;  // ClusterRole or Role
    std::string role_name;
    std::string subject;  // `User "x"`, `Group "g"`, `ServiceAccount "ns/name"`: for the allowed reason
  };
  using BySubject = std::unordered_map<std::string, std::vector<Binding>>;  // "User:x" / "Group:g" → bindings
  void add_binding(const Json& binding, bool cluster);
  // Calls visit(binding, rules) for each binding that applies; stops when visit returns true.
  template <class Visit>
  void visit(const UserInfo& user, const std::string& ns, std::vector<std::string>* errors, Visit visit) const;

  std::unordered_map<std::string, std::vector<PolicyRule>> cluster_roles_;
  std::unordered_map<std::string, std::vector<PolicyRule>> roles_;  // "ns/name"
  BySubject cluster_bindings_;
  std::unordered_map<std::string, BySubject> role_bindings_;  // by namespace
};

// `User "x" cannot patch resource "deployments" in API group "apps" in the namespace "game"`.
std::string forbidden_message(const Attributes& attributes);
// The 403 kube answers: `deployments.apps "web" is forbidden: <message>[: <reason>]`, details {group, kind, name}.
ApiError forbidden(const Attributes& attributes, const std::string& reason = "");

// Keeps an RbacPolicy current with the store (rebuilt when an RBAC object changed), writes aggregated
// ClusterRoles' rules (kube's clusterrole-aggregation controller) and answers for the mode in ApiOptions.
class Authorizer {
 public:
  Authorizer(Cluster& cluster, Authorization mode);
  [[nodiscard]] Authorization mode() const { return mode_; }
  // Brings aggregation and the policy up to date after RBAC writes; cheap when nothing changed. Call without the
  // store mutex.
  void sync();
  [[nodiscard]] Decision authorize(const Attributes& attributes) const;
  [[nodiscard]] std::vector<PolicyRule> rules_for(const UserInfo& user, const std::string& ns,
                                                  std::vector<std::string>& errors) const;

 private:
  [[nodiscard]] std::shared_ptr<const RbacPolicy> policy() const;

  Cluster& cluster_;
  Authorization mode_;
  std::atomic<bool> dirty_{true};
  mutable std::mutex mutex_;  // guards policy_
  std::shared_ptr<const RbacPolicy> policy_;
};

// Rewrites the rules of every ClusterRole with an aggregationRule from the ClusterRoles its selectors match;
// returns whether it wrote any. The caller holds the store mutex.
bool aggregate_cluster_roles(Cluster& cluster);

// The default roles and bindings of a real cluster that matter here (kube's bootstrap policy): cluster-admin for
// system:masters, admin/edit/view (aggregated), discovery, basic-user and public-info-viewer. Store mutex held.
void create_bootstrap_policy(Cluster& cluster);

}  // namespace gitmoor::sandbox
