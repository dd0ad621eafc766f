#include "authorization.hpp"

#include <algorithm>

#include "cluster.hpp"
#include "router.hpp"

namespace gitmoor::sandbox {

namespace {

std::vector<std::string> strings(const Json& object, const char* key) {
  std::vector<std::string> out;
  auto it = object.find(key);
  if (it == object.end() || !it->is_array()) return out;
  for (const auto& v : *it) {
    if (v.is_string()) out.push_back(v.get<std::string>());
  }
  return out;
}

bool contains(const std::vector<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start < path.size()) {
    auto slash = path.find('/', start);
    if (slash == std::string::npos) slash = path.size();
    if (slash > start) parts.push_back(url_decode(std::string_view(path).substr(start, slash - start)));
    start = slash + 1;
  }
  return parts;
}

const char* kServiceAccountPrefix = "system:serviceaccount:";

}  // namespace

PolicyRule PolicyRule::from_json(const Json& rule) {
  PolicyRule r;
  if (!rule.is_object()) return r;
  r.verbs = strings(rule, "verbs");
  r.api_groups = strings(rule, "apiGroups");
  r.resources = strings(rule, "resources");
  r.resource_names = strings(rule, "resourceNames");
  r.non_resource_urls = strings(rule, "nonResourceURLs");
  return r;
}

Json PolicyRule::to_json() const {
  Json r{{"verbs", verbs}};
  if (!api_groups.empty()) r["apiGroups"] = api_groups;
  if (!resources.empty()) r["resources"] = resources;
  if (!resource_names.empty()) r["resourceNames"] = resource_names;
  if (!non_resource_urls.empty()) r["nonResourceURLs"] = non_resource_urls;
  return r;
}

Attributes request_attributes(const std::string& method, const std::string& path,
                              const std::map<std::string, std::string>& query) {
  Attributes a;
  a.path = path;
  a.verb = method;
  std::transform(a.verb.begin(), a.verb.end(), a.verb.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::vector<std::string> parts = split_path(path);
  // Fewer than three segments (/api/v1, /apis/apps) or another prefix: a non-resource request.
  if (parts.size() < 3 || (parts[0] != "api" && parts[0] != "apis")) return a;
  std::size_t i = 1;
  if (parts[0] == "apis") {
    if (parts.size() < 4) return a;
    a.api_group = parts[i++];
  }
  a.resource_request = true;
  a.api_version = parts[i++];
  bool special = parts[i] == "watch" || parts[i] == "proxy";
  if (special) {
    if (parts.size() < i + 2) {  // kube answers 404 for "/api/v1/watch" alone; no resource to name
      a.resource_request = false;
      a.verb = "get";
      return a;
    }
    a.verb = parts[i++];
  } else if (method == "POST") {
    a.verb = "create";
  } else if (method == "GET" || method == "HEAD") {
    a.verb = "get";
  } else if (method == "PUT") {
    a.verb = "update";
  } else if (method == "PATCH") {
    a.verb = "patch";
  } else if (method == "DELETE") {
    a.verb = "delete";
  } else {
    a.verb = "";
  }
  std::vector<std::string> rest(parts.begin() + static_cast<std::ptrdiff_t>(i), parts.end());
  if (!rest.empty() && rest[0] == "namespaces") {
    if (rest.size() > 1) {
      a.ns = rest[1];
      // namespaces/NS/status and /finalize are the Namespace's own subresources; anything else is a resource in NS.
      if (rest.size() > 2 && rest[2] != "status" && rest[2] != "finalize") rest.erase(rest.begin(), rest.begin() + 2);
    }
  }
  if (rest.size() >= 3 && a.verb != "proxy") a.subresource = rest[2];
  if (rest.size() >= 2) a.name = rest[1];
  if (!rest.empty()) a.resource = rest[0];
  if (a.name.empty() && a.verb == "get") {
    auto w = query.find("watch");
    a.verb = w != query.end() && (w->second == "true" || w->second == "1") ? "watch" : "list";
    // A field selector on metadata.name makes the list (or watch) one of a named object, as kube reads it.
    if (auto fs = query.find("fieldSelector"); fs != query.end()) {
      const std::string& s = fs->second;
      for (const char* prefix : {"metadata.name==", "metadata.name="}) {
        std::string p = prefix;
        if (s.rfind(p, 0) == 0 && s.find(',') == std::string::npos) {
          a.name = s.substr(p.size());
          break;
        }
      }
    }
  }
  if (a.name.empty() && a.verb == "delete") a.verb = "deletecollection";
  return a;
}

bool verb_matches(const PolicyRule& rule, const std::string& verb) {
  for (const auto& v : rule.verbs) {
    if (v == "*" || v == verb) return true;
  }
  return false;
}

bool api_group_matches(const PolicyRule& rule, const std::string& group) {
  for (const auto& g : rule.api_groups) {
    if (g == "*" || g == group) return true;
  }
  return false;
}

bool resource_matches(const PolicyRule& rule, const std::string& resource, const std::string& subresource) {
  for (const auto& r : rule.resources) {
    if (r == "*" || r == resource) return true;
    // "*/scale" matches the scale subresource of anything.
    if (!subresource.empty() && r.size() == subresource.size() + 2 && r.compare(0, 2, "*/") == 0 &&
        r.compare(2, std::string::npos, subresource) == 0) {
      return true;
    }
  }
  return false;
}

bool resource_name_matches(const PolicyRule& rule, const std::string& name) {
  return rule.resource_names.empty() || contains(rule.resource_names, name);
}

bool non_resource_url_matches(const PolicyRule& rule, const std::string& path) {
  for (const auto& u : rule.non_resource_urls) {
    if (u == "*" || u == path) return true;
    if (!u.empty() && u.back() == '*' && path.compare(0, u.size() - 1, u, 0, u.size() - 1) == 0) return true;
  }
  return false;
}

bool rule_allows(const Attributes& a, const PolicyRule& rule) {
  if (!a.resource_request) return verb_matches(rule, a.verb) && non_resource_url_matches(rule, a.path);
  std::string combined = a.subresource.empty() ? a.resource : a.resource + "/" + a.subresource;
  return verb_matches(rule, a.verb) && api_group_matches(rule, a.api_group) &&
         resource_matches(rule, combined, a.subresource) && resource_name_matches(rule, a.name);
}

bool subject_applies(const Json& subject, const UserInfo& user, const std::string& binding_namespace) {
  if (!subject.is_object()) return false;
  std::string kind = subject.value("kind", "");
  std::string name = subject.value("name", "");
  if (kind == "User") return user.username == name;
  if (kind == "Group") return contains(user.groups, name);
  if (kind == "ServiceAccount") {
    std::string ns = subject.value("namespace", "");
    if (ns.empty()) ns = binding_namespace;
    if (ns.empty()) return false;
    return user.username == kServiceAccountPrefix + ns + ":" + name;
  }
  return false;
}

// --- RbacPolicy ---------------------------------------------------------------------------------------------------

namespace {

std::vector<PolicyRule> rules_of(const Json& role) {
  std::vector<PolicyRule> rules;
  for (const auto& r : role.value("rules", Json::array())) rules.push_back(PolicyRule::from_json(r));
  return rules;
}

// The index key a subject is found under: a ServiceAccount is the user it authenticates as.
std::string subject_key(const Json& subject, const std::string& binding_namespace, std::string& description) {
  if (!subject.is_object()) return "";
  std::string kind = subject.value("kind", "");
  std::string name = subject.value("name", "");
  if (kind == "User" || kind == "Group") {
    description = kind + " \"" + name + "\"";
    return kind + ":" + name;
  }
  if (kind == "ServiceAccount") {
    std::string ns = subject.value("namespace", "");
    if (ns.empty()) ns = binding_namespace;
    if (ns.empty()) return "";
    description = "ServiceAccount \"" + name + "/" + ns + "\"";  // kube's describeSubject: name/namespace
    return "User:" + std::string(kServiceAccountPrefix) + ns + ":" + name;
  }
  return "";
}

}  // namespace

void RbacPolicy::add_cluster_role(const Json& role) {
  cluster_roles_[role["metadata"].value("name", "")] = rules_of(role);
}

void RbacPolicy::add_role(const Json& role) {
  const Json& md = role["metadata"];
  roles_[md.value("namespace", "") + "/" + md.value("name", "")] = rules_of(role);
}

void RbacPolicy::add_cluster_role_binding(const Json& binding) { add_binding(binding, true); }

void RbacPolicy::add_role_binding(const Json& binding) { add_binding(binding, false); }

void RbacPolicy::add_binding(const Json& binding, bool cluster) {
  const Json& md = binding["metadata"];
  Binding b;
  b.kind = cluster ? "ClusterRoleBinding" : "RoleBinding";
  b.name = md.value("name", "");
  b.ns = cluster ? "" : md.value("namespace", "");
  const Json ref = binding.value("roleRef", Json::object());
  b.role_kind = ref.value("kind", "");
  b.role_name = ref.value("name", "");
  if (cluster && b.role_kind != "ClusterRole") return;  // a ClusterRoleBinding can only name a ClusterRole
  for (const auto& subject : binding.value("subjects", Json::array())) {
    Binding entry = b;
    std::string key = subject_key(subject, b.ns, entry.subject);
    if (key.empty()) continue;
    (cluster ? cluster_bindings_ : role_bindings_[b.ns])[key].push_back(std::move(entry));
  }
}

template <class Visit>
void RbacPolicy::visit(const UserInfo& user, const std::string& ns, std::vector<std::string>* errors,
                       Visit visit) const {
  std::vector<std::string> keys;
  keys.reserve(user.groups.size() + 1);
  keys.push_back("User:" + user.username);
  for (const auto& g : user.groups) keys.push_back("Group:" + g);
  auto resolve = [&](const Binding& b) -> const std::vector<PolicyRule>* {
    if (b.role_kind == "ClusterRole") {
      auto it = cluster_roles_.find(b.role_name);
      if (it != cluster_roles_.end()) return &it->second;
      if (errors) errors->push_back("clusterrole.rbac.authorization.k8s.io \"" + b.role_name + "\" not found");
    } else if (b.role_kind == "Role") {
      auto it = roles_.find(b.ns + "/" + b.role_name);
      if (it != roles_.end()) return &it->second;
      if (errors) errors->push_back("role.rbac.authorization.k8s.io \"" + b.role_name + "\" not found");
    }
    return nullptr;
  };
  auto walk = [&](const BySubject& index) {
    for (const auto& key : keys) {
      auto it = index.find(key);
      if (it == index.end()) continue;
      for (const auto& b : it->second) {
        if (const auto* rules = resolve(b); rules && visit(b, *rules)) return true;
      }
    }
    return false;
  };
  if (walk(cluster_bindings_)) return;
  if (ns.empty()) return;
  if (auto it = role_bindings_.find(ns); it != role_bindings_.end()) walk(it->second);
}

Decision RbacPolicy::authorize(const Attributes& attributes) const {
  Decision d;
  std::vector<std::string> errors;
  visit(attributes.user, attributes.ns, &errors, [&](const Binding& b, const std::vector<PolicyRule>& rules) {
    for (const auto& rule : rules) {
      if (!rule_allows(attributes, rule)) continue;
      d.allowed = true;
      d.reason = "RBAC: allowed by " + b.kind + " \"" + b.name + (b.ns.empty() ? "" : "/" + b.ns) + "\" of " +
                 b.role_kind + " \"" + b.role_name + "\" to " + b.subject;
      return true;
    }
    return false;
  });
  if (!d.allowed && !errors.empty()) {
    std::string joined;
    for (std::size_t i = 0; i < errors.size(); ++i) joined += (i ? ", " : "") + errors[i];
    d.reason = "RBAC: " + (errors.size() == 1 ? joined : "[" + joined + "]");
  }
  return d;
}

std::vector<PolicyRule> RbacPolicy::rules_for(const UserInfo& user, const std::string& ns,
                                              std::vector<std::string>& errors) const {
  std::vector<PolicyRule> out;
  visit(user, ns, &errors, [&](const Binding&, const std::vector<PolicyRule>& rules) {
    out.insert(out.end(), rules.begin(), rules.end());
    return false;
  });
  return out;
}

std::string forbidden_message(const Attributes& a) {
  std::string user = "User \"" + a.user.username + "\"";
  if (!a.resource_request) return user + " cannot " + a.verb + " path \"" + a.path + "\"";
  std::string resource = a.subresource.empty() ? a.resource : a.resource + "/" + a.subresource;
  std::string head = user + " cannot " + a.verb + " resource \"" + resource + "\" in API group \"" + a.api_group + "\"";
  return a.ns.empty() ? head + " at the cluster scope" : head + " in the namespace \"" + a.ns + "\"";
}

ApiError forbidden(const Attributes& a, const std::string& reason) {
  std::string message = forbidden_message(a);
  if (!reason.empty()) message += ": " + reason;
  Json details = Json::object();
  if (!a.resource_request || a.resource.empty()) return {403, "Forbidden", "forbidden: " + message, details};
  if (!a.name.empty()) details["name"] = a.name;
  if (!a.api_group.empty()) details["group"] = a.api_group;
  details["kind"] = a.resource;
  std::string subject = qualified_resource(a.api_group, a.resource);
  if (!a.name.empty()) subject += " \"" + a.name + "\"";
  return {403, "Forbidden", subject + " is forbidden: " + message, details};
}

// --- Authorizer ---------------------------------------------------------------------------------------------------

namespace {
const char* kRbacIds[] = {"roles.rbac.authorization.k8s.io", "rolebindings.rbac.authorization.k8s.io",
                          "clusterroles.rbac.authorization.k8s.io",
                          "clusterrolebindings.rbac.authorization.k8s.io"};
}

Authorizer::Authorizer(Cluster& cluster, Authorization mode) : cluster_(cluster), mode_(mode) {
  policy_ = std::make_shared<RbacPolicy>();
  std::lock_guard lock(cluster_.store.mutex());
  cluster_.store.on_event([this](const Event& e) {
    for (const char* id : kRbacIds) {
      if (e.resource_id == id) dirty_.store(true);
    }
  });
}

void Authorizer::sync() {
  if (!dirty_.load()) return;
  auto policy = std::make_shared<RbacPolicy>();
  {
    std::lock_guard lock(cluster_.store.mutex());
    if (!dirty_.load()) return;
    // The aggregated roles' own writes mark the policy dirty again: a few rounds settle chains (admin, edit, view).
    for (int round = 0; round < 8; ++round) {
      dirty_.store(false);
      if (!aggregate_cluster_roles(cluster_)) break;
    }
    dirty_.store(false);
    std::string next;
    std::size_t remaining = 0;
    auto all = [](const Json&) { return true; };
    for (const auto& o : cluster_.store.list(kRbacIds[2], "", "", 0, all, next, remaining)) {
      policy->add_cluster_role(*o);
    }
    for (const auto& o : cluster_.store.list(kRbacIds[0], "", "", 0, all, next, remaining)) policy->add_role(*o);
    for (const auto& o : cluster_.store.list(kRbacIds[3], "", "", 0, all, next, remaining)) {
      policy->add_cluster_role_binding(*o);
    }
    for (const auto& o : cluster_.store.list(kRbacIds[1], "", "", 0, all, next, remaining)) {
      policy->add_role_binding(*o);
    }
  }
  std::lock_guard lock(mutex_);
  policy_ = std::move(policy);
}

std::shared_ptr<const RbacPolicy> Authorizer::policy() const {
  std::lock_guard lock(mutex_);
  return policy_;
}

Decision Authorizer::authorize(const Attributes& attributes) const {
  if (mode_ == Authorization::AlwaysAllow) return {true, ""};
  // kube-apiserver puts a system:masters authorizer in front of RBAC: that group may do anything.
  if (contains(attributes.user.groups, "system:masters")) return {true, ""};
  return policy()->authorize(attributes);
}

std::vector<PolicyRule> Authorizer::rules_for(const UserInfo& user, const std::string& ns,
                                              std::vector<std::string>& errors) const {
  if (mode_ == Authorization::AlwaysAllow || contains(user.groups, "system:masters")) {
    PolicyRule resources{{"*"}, {"*"}, {"*"}, {}, {}};
    PolicyRule urls{{"*"}, {}, {}, {}, {"*"}};
    return {resources, urls};
  }
  return policy()->rules_for(user, ns, errors);
}

// --- aggregation --------------------------------------------------------------------------------------------------

bool aggregate_cluster_roles(Cluster& cluster) {
  const ResourceType* type = cluster.registry.find_by_id(kRbacIds[2]);
  if (!type) return false;
  std::string next;
  std::size_t remaining = 0;
  auto roles = cluster.store.list(type->id(), "", "", 0, [](const Json&) { return true; }, next, remaining);
  bool wrote = false;
  for (const auto& role : roles) {
    auto rule = role->find("aggregationRule");
    if (rule == role->end() || !rule->is_object()) continue;
    std::string name = (*role)["metadata"].value("name", "");
    Json rules = Json::array();
    for (const auto& selector : rule->value("clusterRoleSelectors", Json::array())) {
      LabelSelector s = LabelSelector::from_json(selector);
      // Only a selector that says something selects: an empty one would take every ClusterRole.
      if (s.empty()) continue;
      // The store lists by name, the order kube's controller sorts them in.
      for (const auto& other : roles) {
        const Json& md = (*other)["metadata"];
        if (md.value("name", "") == name || !s.matches(md.value("labels", Json::object()))) continue;
        for (const auto& r : other->value("rules", Json::array())) {
          Json normal = PolicyRule::from_json(r).to_json();
          if (std::find(rules.begin(), rules.end(), normal) == rules.end()) rules.push_back(normal);
        }
      }
    }
    // Compare in the same normal form: a stored rule may spell empty lists out.
    Json current = Json::array();
    for (const auto& r : role->value("rules", Json::array())) current.push_back(PolicyRule::from_json(r).to_json());
    if (current == rules) continue;
    Json after = *role;
    after["rules"] = rules;
    try {
      cluster.commit(*type, "", name, role, std::move(after),
                     {.manager = "clusterrole-aggregation-controller", .api_version = "rbac.authorization.k8s.io/v1"},
                     true);
      wrote = true;
    } catch (const ApiError&) {
    }
  }
  return wrote;
}

}  // namespace gitmoor::sandbox
