#pragma once
// The resources finalizer (Argo CD's cascading delete): an Application carrying it is not removed by the API server
// until the engine has deleted the app's resources, highest sync wave first, and taken the finalizer off. Pure rules
// here; the controller's side is app_deletion.cpp.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gitmoor/applier/resource_manager.hpp"
#include "gitmoor/core/object.hpp"

namespace gitmoor::engine {

// gitmoor's finalizer, honoured on every Application. A suffix picks the propagation policy used for each resource:
// none = foreground, "/background", "/orphan" (dependents of each resource, e.g. a Deployment's Pods, are left).
inline constexpr std::string_view kResourcesFinalizer = "resources-finalizer.gitmoor.dev";
// Argo CD's (none or "/foreground" = foreground, "/background"), honoured on argoproj.io Applications.
inline constexpr std::string_view kArgoResourcesFinalizer = "resources-finalizer.argocd.argoproj.io";

// "foreground" | "background" | "orphan" (any case; "" = foreground). nullopt for anything else.
std::optional<applier::PropagationPolicy> parse_propagation_policy(std::string_view text);

// The finalizer a cascading delete adds to an Application of `group` (gitmoor.dev or argoproj.io).
std::string resources_finalizer(std::string_view group, applier::PropagationPolicy policy);

// The policy `finalizer` asks for when it is a resources finalizer: gitmoor's, or Argo CD's (honoured on Applications
// of both groups).
std::optional<applier::PropagationPolicy> resources_finalizer_policy(std::string_view finalizer);

// True when a cascading delete must leave `object`: sync-options Delete=false (argocd.argoproj.io/ or gitmoor.dev/)
// or helm.sh/resource-policy: keep.
bool kept_on_delete(const core::Object& object);

// The objects to delete next: those of the highest sync wave among `remaining` (each wave is gone before the one
// below it starts, the reverse of a sync).
std::vector<core::Object> next_deletion_wave(const std::vector<core::Object>& remaining);

}  // namespace gitmoor::engine
