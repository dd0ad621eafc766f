#pragma once
// One node of an application's resource tree in Argo CD's ResourceNode shape: identity, parentRefs (the object's
// ownerReferences), health, info (a Pod's "Status Reason", "Containers" ready/total, "Restart Count"; a
// ReplicaSet's "Revision"), images and createdAt. Pure: an object in, a node out.
//
// The owner index keeps thousands of unlabelled Pods and ReplicaSets, so it stores each in a compact form (what a
// node needs and nothing else, health and info computed once on arrival) instead of the object: compact_object()
// makes it, tree_node() turns either form into the node.
#include "gitmoor/core/object.hpp"
#include "gitmoor/differ/health_lua.hpp"

namespace gitmoor::engine {

// The object reduced to its node: metadata the owner index needs (name, namespace, uid, resourceVersion,
// creationTimestamp, ownerReferences {apiVersion, kind, name, uid}) and a "node" member holding health, info and
// images. A compact object passed again is returned unchanged.
core::Json compact_object(const core::Json& object,
                          const differ::LuaHealthRules& health_rules = differ::no_lua_health_rules());

// The ResourceNode of a full or compact object:
// {group, version, kind, namespace, name, uid, resourceVersion, parentRefs: [{group, kind, namespace, name, uid}],
//  health: {status, message?}, info: [{name, value}], images: [], createdAt}.
// Health from `health_rules` (the user's Lua rules) ahead of the built-in ones.
core::Json tree_node(const core::Json& object,
                     const differ::LuaHealthRules& health_rules = differ::no_lua_health_rules());

// Argo CD's pod info: "Status Reason" (the phase, or what keeps the Pod from running: Init:0/1, CrashLoopBackOff,
// Completed, Terminating), "Node", "Containers" (ready/total) and "Restart Count".
core::Json pod_info(const core::Json& pod);

}  // namespace gitmoor::engine
