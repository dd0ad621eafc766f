#pragma once
// The resource type table: built-in types plus the ones CRDs add. Discovery documents are built from it.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace gitmoor::sandbox {

using Json = nlohmann::json;

struct ResourceType {
  std::string group;
  std::vector<std::string> versions;  // served versions; the first is preferred (and the storage version)
  std::string plural;
  std::string singular;
  std::string kind;
  bool namespaced = true;
  std::vector<std::string> short_names;
  std::vector<std::string> categories;
  bool status_subresource = false;
  bool scale_subresource = false;
  bool has_generation = false;  // metadata.generation maintained (spec changes bump it)
  bool custom = false;          // served for a CustomResourceDefinition
  std::string crd_name;         // the CRD that serves it
  // For custom resources with a scale subresource: JSON paths without the leading dot.
  std::string spec_replicas_path = "spec.replicas";
  std::string status_replicas_path = "status.replicas";
  std::string label_selector_path = "status.selector";
  std::vector<std::string> verbs;  // discovery verbs; empty: all eight (read-only APIs such as metrics.k8s.io set theirs)

  // "deployments.apps" / "configmaps": the identity of a type regardless of version.
  [[nodiscard]] std::string id() const { return group.empty() ? plural : plural + "." + group; }
  [[nodiscard]] std::string api_version(const std::string& version) const {
    return group.empty() ? version : group + "/" + version;
  }
  [[nodiscard]] bool serves(const std::string& version) const;
};

class Registry {
 public:
  Registry();  // the built-in types

  [[nodiscard]] const ResourceType* find(const std::string& group, const std::string& version,
                                         const std::string& plural) const;
  [[nodiscard]] const ResourceType* find_by_id(const std::string& id) const;
  [[nodiscard]] const ResourceType* find_kind(const std::string& group, const std::string& kind) const;

  // Adds or replaces the type a CRD serves; removes it when the CRD goes away.
  void put(ResourceType type);
  void remove(const std::string& id);

  [[nodiscard]] Json api_versions() const;                  // /api
  [[nodiscard]] Json api_group_list() const;                // /apis
  [[nodiscard]] std::optional<Json> api_group(const std::string& group) const;  // /apis/<g>
  // /api/v1 or /apis/<g>/<v>; nullopt when the group-version is not served.
  [[nodiscard]] std::optional<Json> resource_list(const std::string& group, const std::string& version) const;

  [[nodiscard]] std::vector<const ResourceType*> all() const;

 private:
  std::map<std::string, ResourceType> types_;  // by id()
  std::vector<std::string> group_order_;       // groups in the order discovery lists them
};

}  // namespace gitmoor::sandbox
