// See namespace_scope.hpp.
#include "namespace_scope.hpp"

#include <algorithm>
#include <map>

namespace gitmoor::engine {

namespace {

constexpr std::size_t kNamedAtMost = 5;  // objects named in one message; the rest are counted

std::string subject(const core::ResourceKey& key) {
  return key.kind + " " + (key.ns.empty() ? "" : key.ns + "/") + key.name;
}

// What the API server says to a list of `key`'s kind in its namespace: the Status message of a refusal, or that it
// allowed it (RBAC grants more than --namespaces lists).
std::string probe(const OutOfScope& object, applier::Client& client, applier::Discovery& discovery) {
  const auto& key = object.key;
  try {
    const auto resource = discovery.find(object.gvk);
    if (!resource) return "the API server does not serve " + object.gvk.to_string();
    const auto response = client.send({.method = "GET", .path = resource->path(key.ns) + "?limit=1"});
    if (response.status < 400) return "the API server would allow it: add the namespace to --namespaces";
    std::string message = applier::api_error(response, "").what();
    if (message.rfind(": ", 0) == 0) message.erase(0, 2);
    return "the API server answers " + std::to_string(response.status) + ": " + message;
  } catch (const std::exception& e) {
    return e.what();
  }
}

}  // namespace

NamespaceScope::NamespaceScope(std::vector<std::string> namespaces) : namespaces_(std::move(namespaces)) {
  std::erase_if(namespaces_, [](const std::string& ns) { return ns.empty(); });
  std::sort(namespaces_.begin(), namespaces_.end());
  namespaces_.erase(std::unique(namespaces_.begin(), namespaces_.end()), namespaces_.end());
}

bool NamespaceScope::contains(const std::string& ns) const {
  if (cluster_wide()) return true;
  return !ns.empty() && std::binary_search(namespaces_.begin(), namespaces_.end(), ns);
}

std::string NamespaceScope::describe() const {
  std::string out;
  for (const auto& ns : namespaces_) out += (out.empty() ? "" : ", ") + ns;
  return out;
}

std::vector<OutOfScope> out_of_scope(const std::vector<core::Object>& desired, const NamespaceScope& scope) {
  std::vector<OutOfScope> out;
  if (scope.cluster_wide()) return out;
  for (const auto& object : desired) {
    if (!scope.contains(object.ns())) out.push_back({object.gvk(), object.key()});
  }
  return out;
}

std::string out_of_scope_message(const std::vector<OutOfScope>& outside, const NamespaceScope& scope,
                                 applier::Client& client, applier::Discovery& discovery) {
  // One part per namespace outside (and one for cluster-scoped kinds), naming its first few objects.
  std::map<std::string, std::vector<OutOfScope>> by_namespace;
  for (const auto& o : outside) by_namespace[o.key.ns].push_back(o);
  std::string message;
  for (const auto& [ns, objects] : by_namespace) {
    std::string names;
    for (std::size_t i = 0; i < objects.size() && i < kNamedAtMost; ++i) {
      names += (i ? ", " : "") + subject(objects[i].key);
    }
    if (objects.size() > kNamedAtMost) names += " and " + std::to_string(objects.size() - kNamedAtMost) + " more";
    std::string part;
    if (ns.empty()) {
      part = "cluster-scoped " + names + ": cluster resources are not permitted in namespaced mode (--namespaces " +
             scope.describe() + ")";
    } else {
      part = names + ": namespace \"" + ns + "\" is not in --namespaces (" + scope.describe() + "); " +
             probe(objects.front(), client, discovery);
    }
    message += (message.empty() ? "" : "; ") + part;
  }
  return message + "; nothing is synced or pruned";
}

}  // namespace gitmoor::engine
