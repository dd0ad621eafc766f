#pragma once
// Compare: the app's desired objects against its live objects → the parts of the status that describe the cluster
// (resources[], sync, health, images) and what a sync would have to do. Pure: objects in, result out.
#include <string>
#include <vector>

#include "gitmoor/applier/live_cache.hpp"
#include "gitmoor/core/object.hpp"
#include "gitmoor/differ/diff.hpp"
#include "gitmoor/differ/health_lua.hpp"
#include "gitmoor/engine/application_status.hpp"

namespace gitmoor::engine {

struct Comparison {
  differ::AppDiff diff;
  std::vector<ResourceStatus> resources;  // sorted by key; hooks are not listed
  std::string sync_status = "Synced";     // Synced | OutOfSync
  differ::Health health;                  // worst of the resources Git declares
  std::vector<std::string> images;        // of the desired workloads, sorted, unique
  std::vector<core::ResourceKey> out_of_sync;  // declared in Git and different or missing live
  std::vector<core::ResourceKey> extraneous;   // this app's tracking id, not declared: requires pruning
  std::size_t desired_count = 0;               // declared objects, hooks excluded
};

// `desired`: rendered, stamped and namespaced (ResourceManager::prepare), hooks included (they are left out here).
// `live`: candidates carrying the app label, in the packed form the LiveCache keeps (labelled_packed); only those
// whose tracking id is exactly this app's count (identity is the annotation, DESIGN.md decision 5), and live hooks
// are never extraneous. CRDs among `desired` give their custom resources' list keys to the differ.
// The result is differ::diff_app's on the decoded objects; each desired/live pair is diffed by differ::diff_packed on
// the live object's bytes as given (its desired object is packed once here), which decides the common in-sync case
// without decoding; a one-sided resource (Missing, Extraneous) by diff_resource on the decoded object. Live objects
// are still decoded once, for the tracking id, hooks and health.
// `health_rules`: the user's Lua health rules (gitmoor-cm), ahead of the built-in ones.
Comparison compare(const std::string& app, const std::vector<core::Object>& desired,
                   const std::vector<applier::PackedLive>& live, const differ::DiffOptions& options,
                   const differ::LuaHealthRules& health_rules = differ::no_lua_health_rules());
// The same over decoded live objects (packs each one first).
Comparison compare(const std::string& app, const std::vector<core::Object>& desired,
                   const std::vector<core::Object>& live, const differ::DiffOptions& options,
                   const differ::LuaHealthRules& health_rules = differ::no_lua_health_rules());

}  // namespace gitmoor::engine
