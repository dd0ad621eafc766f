#pragma once
// An application's resource tree (Argo CD's ApplicationTree): its managed objects, then whatever they own, found by
// owner uid — Deployment → ReplicaSet → Pod, StatefulSet → Pod, CronJob → Job → Pod, Service → EndpointSlice.
// Pure: the managed objects and a lookup of children in, the tree out.
#include <functional>
#include <string>
#include <vector>

#include "gitmoor/core/object.hpp"
#include "gitmoor/differ/health_lua.hpp"

namespace gitmoor::engine {

// The nodes (tree_node.hpp) of the objects that name `owner_uid` in their ownerReferences.
using ChildLookup = std::function<std::vector<core::Json>(const std::string& owner_uid)>;

// {"nodes": [...], "orphanedNodes": [], "hosts": []}: a node per managed object, then their descendants (each
// reached once, at most kMaxTreeDepth levels down), sorted by group, kind, namespace, name.
// Health: `health_rules` (the user's Lua rules) ahead of the built-in ones.
core::Json build_resource_tree(const std::vector<core::Object>& managed, const ChildLookup& children,
                               const differ::LuaHealthRules& health_rules = differ::no_lua_health_rules());

inline constexpr int kMaxTreeDepth = 8;

}  // namespace gitmoor::engine
