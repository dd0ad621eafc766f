#pragma once
// The little Kubernetes schema knowledge the differ needs (DESIGN.md decision 1): which lists are maps keyed by
// some fields (x-kubernetes-list-map-keys), which are sets, which fields hold quantities, which kinds are
// cluster-scoped. Everything not in these tables is compared atomically, as server-side apply treats it.
#include <string>
#include <string_view>
#include <vector>

namespace gitmoor::differ {

enum class ListType { Atomic, Map, Set };

struct ListSchema {
  ListType type = ListType::Atomic;
  std::vector<std::string> keys;  // for Map: the fields that identify an element
};

// `path` is the chain of field names from the object root to the list (indices left out); `builtin` is false for
// custom resources, whose lists are atomic except in metadata.
ListSchema list_schema(const std::vector<std::string>& path, bool builtin);
// The same over views, without copies: what the differ's walk calls for every list it meets.
const ListSchema& list_schema_at(const std::vector<std::string_view>& path, bool builtin);

// The value a key field takes when an element leaves it out (container and service port `protocol` → "TCP"), so
// that an element written without it matches the element the API server stored with it; "" when none.
std::string_view list_key_default(std::string_view key_field);

// Whether the value at `path` (field names from the root, indices left out) is a resource quantity, compared by
// value: container and overhead resources, PVC requests and capacity, ResourceQuota, LimitRange, HPA targets.
bool is_quantity_field(const std::vector<std::string>& path);
bool is_quantity_at(const std::vector<std::string_view>& path);

// Whether objects of this group come with the built-in schema tables above (core, apps, batch, ...).
bool is_builtin_group(std::string_view group);

// Whether objects of this built-in kind live outside namespaces (Namespace, ClusterRole, CRD, ...).
bool is_cluster_scoped(std::string_view group, std::string_view kind);

}  // namespace gitmoor::differ
