// ResourceManager::prune and list_managed: what this app owns and no longer declares. See resource_manager.hpp.
#include <algorithm>
#include <set>

#include "gitmoor/applier/kind_order.hpp"
#include "gitmoor/applier/resource_manager.hpp"
#include "gitmoor/applier/tracking.hpp"
#include "live_lookup.hpp"

namespace gitmoor::applier {

using core::Json;
using core::Object;

namespace {

bool has_verb(const ApiResource& r, std::string_view verb) {
  return std::find(r.verbs.begin(), r.verbs.end(), verb) != r.verbs.end();
}

std::string_view policy_name(PropagationPolicy policy) {
  switch (policy) {
    case PropagationPolicy::Foreground: return "Foreground";
    case PropagationPolicy::Background: return "Background";
    case PropagationPolicy::Orphan: return "Orphan";
  }
  return "Foreground";
}

bool selected(const core::ResourceKey& key, const std::vector<core::ResourceKey>& only) {
  return std::any_of(only.begin(), only.end(), [&](const core::ResourceKey& k) {
    return k.group == key.group && k.kind == key.kind && k.name == key.name && (k.ns.empty() || k.ns == key.ns);
  });
}

}  // namespace

std::vector<Object> ResourceManager::list_managed(const std::string& app) {
  std::vector<Object> out;
  std::set<core::ResourceKey> seen;
  const std::string selector = std::string(kAppLabel) + "=" + app;
  for (const auto& resource : discovery_.listable()) {
    if (!has_verb(resource, "list")) continue;
    // Events are never applied by an app; listing them is the most expensive and least useful request here.
    if (resource.resource == "events") continue;
    if (namespaces_.empty()) {
      for (auto& object : list_objects(client_, resource, "", selector)) {
        if (seen.insert(object.key()).second) out.push_back(std::move(object));
      }
      continue;
    }
    if (!resource.namespaced) continue;
    for (const auto& ns : namespaces_) {
      for (auto& object : list_objects(client_, resource, ns, selector)) {
        if (seen.insert(object.key()).second) out.push_back(std::move(object));
      }
    }
  }
  return out;
}

ChangeSet ResourceManager::prune(const std::vector<Object>& desired, const PruneOptions& options) {
  ChangeSet result;
  if (options.app.empty()) return result;  // without an app nothing can be proven ours
  std::set<core::ResourceKey> wanted;
  for (const auto& o : desired) wanted.insert(o.key());

  std::vector<Object> candidates;
  for (auto& live : list_managed(options.app)) {
    const auto key = live.key();
    if (wanted.count(key) != 0) continue;
    // The label only narrowed the list: ownership is the exact tracking id (another app's, or none, is not ours).
    if (live.annotation(kTrackingAnnotation) != tracking_id(options.app, key)) continue;
    // A hook left by a sync (no delete policy removed it) is not an object Git stopped declaring.
    if (is_hook(live)) continue;
    if (!options.only.empty() && !selected(key, options.only)) continue;
    candidates.push_back(std::move(live));
  }
  // Reverse apply order: custom resources and workloads before the Namespaces and CRDs they live in.
  std::sort(candidates.begin(), candidates.end(), [](const Object& a, const Object& b) {
    const auto ka = a.key(), kb = b.key();
    return std::tuple(-sync_wave(a), -kind_rank(ka.group, ka.kind), ka) <
           std::tuple(-sync_wave(b), -kind_rank(kb.group, kb.kind), kb);
  });
  for (const auto& live : candidates) {
    const auto key = live.key();
    if (has_sync_option(live, "Prune=false")) {
      result.add({.key = key, .action = Action::Skipped, .message = "Prune=false"});
      continue;
    }
    const auto resource = discovery_.find(live.gvk());
    if (!resource) {
      result.add({.key = key, .action = Action::Failed, .message = key.to_string() + ": kind no longer served"});
      continue;
    }
    Json body{{"propagationPolicy", std::string(policy_name(options.propagation))}};
    if (options.dry_run) body["dryRun"] = Json::array({"All"});
    try {
      auto response = client_.send({.method = "DELETE",
                                    .path = resource->path(key.ns, key.name),
                                    .body = body.dump(),
                                    .content_type = "application/json",
                                    .idempotent = true,
                                    .timeout = {}});
      if (response.status >= 400 && response.status != 404) {
        result.add({.key = key, .action = Action::Failed, .message = api_error(response, key.to_string() + " delete").what()});
      } else {
        result.add({.key = key, .action = Action::Pruned, .message = options.dry_run ? "dry run" : ""});
      }
    } catch (const std::exception& e) {
      result.add({.key = key, .action = Action::Failed, .message = e.what()});
    }
  }
  return result;
}

}  // namespace gitmoor::applier
