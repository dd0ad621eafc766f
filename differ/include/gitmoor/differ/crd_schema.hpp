#pragma once
// List types of custom resources, read from their CustomResourceDefinitions. Without them a custom resource's
// lists are atomic (schema.hpp); with them the differ walks a list-map by the keys the CRD's OpenAPI v3 schema
// declares (`x-kubernetes-list-type: map` + `x-kubernetes-list-map-keys`) and a `set` by value, as server-side
// apply does for that resource.
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "gitmoor/core/object.hpp"
#include "gitmoor/differ/schema.hpp"

namespace gitmoor::differ {

class CustomResourceSchemas {
 public:
  // The non-atomic lists of one kind, by field path from the root ("spec.listeners"; list elements left out).
  using Lists = std::map<std::string, ListSchema, std::less<>>;

  // Reads a CRD object (apiextensions.k8s.io CustomResourceDefinition); anything else is ignored. Every version's
  // schema is read; where versions disagree on a path, the first version listed wins.
  void add_crd(const core::Json& crd);
  // The CRDs among `objects` (e.g. an application's desired objects plus the CRDs listed from the cluster).
  static CustomResourceSchemas from_objects(const std::vector<core::Object>& objects);

  // The lists of group/kind, or nullptr when no CRD for it was read.
  [[nodiscard]] const Lists* lists_of(std::string_view group, std::string_view kind) const;
  [[nodiscard]] bool empty() const { return kinds_.empty(); }

 private:
  std::map<std::string, Lists, std::less<>> kinds_;  // "<kind>.<group>" ("Gateway.gateway.example.io") → lists
};

// The list type at `path` in a custom resource: metadata's built-in lists, else `lists` (nullptr: none known),
// else atomic.
const ListSchema& custom_list_schema_at(const CustomResourceSchemas::Lists* lists,
                                        const std::vector<std::string_view>& path);

}  // namespace gitmoor::differ
