#pragma once
// Ownership (DESIGN.md decision 5): the tracking annotation decides what an app owns and may prune; the label only
// narrows lists and watches.
#include <string>
#include <string_view>

#include "gitmoor/core/object.hpp"

namespace gitmoor::applier {

inline constexpr std::string_view kTrackingAnnotation = "gitmoor.dev/tracking-id";
inline constexpr std::string_view kAppLabel = "gitmoor.dev/app";
inline constexpr std::string_view kSyncOptionsAnnotation = "argocd.argoproj.io/sync-options";

// `<app>:<group>/<kind>:<namespace>/<name>` (Argo CD's format).
std::string tracking_id(std::string_view app, const core::ResourceKey& key);
// Sets the annotation and label on a desired object (its namespace must already be final).
void stamp(core::Object& object, std::string_view app);
// True when argocd.argoproj.io/sync-options lists `option` (e.g. "Prune=false"), comma-separated as Argo CD writes it.
bool has_sync_option(const core::Object& object, std::string_view option);

}  // namespace gitmoor::applier
