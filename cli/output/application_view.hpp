#pragma once
// How `gitmoor app` shows Applications: Argo CD's tables and summary block, over the API's JSON. Pure functions of
// the JSON (and a palette), so the layout is tested without a server.
#include <string>
#include <vector>

#include "gitmoor/core/object.hpp"
#include "output/color.hpp"

namespace gitmoor::cli {

// SYNCPOLICY of `app list`: "Auto-Prune", "Auto" or "Manual".
std::string sync_policy_label(const core::Json& app);
// CONDITIONS of `app list`: "<none>" or the condition types joined by ",".
std::string conditions_label(const core::Json& app);

// `app list`: NAME CLUSTER NAMESPACE PROJECT STATUS HEALTH SYNCPOLICY CONDITIONS REPO PATH TARGET.
std::string app_list_table(const std::vector<core::Json>& apps, const Palette& palette);

// `app get`'s summary block (Name, Project, Server, Namespace, Repo, Target, Path, Sync Policy, Sync Status,
// Health Status), then the conditions and the last operation when there are any.
std::string app_summary(const core::Json& app, const Palette& palette);
// The last operation (Operation, Sync Revision, Phase, Start, Finished, Duration, Message); "" when none.
std::string operation_summary(const core::Json& app, const Palette& palette);

// `app get`'s resources: GROUP KIND NAMESPACE NAME STATUS HEALTH HOOK MESSAGE (MESSAGE from the last sync result).
std::string resource_table(const core::Json& app, const Palette& palette);

// `app get -o tree`: KIND/NAME STATUS HEALTH MESSAGE with owned children under their owners (├─, └─).
// `tree` is the resource-tree answer ({"nodes": [...]}).
std::string resource_tree(const core::Json& app, const core::Json& tree, const Palette& palette);

// `app sync`'s result: TIMESTAMP GROUP KIND NAMESPACE NAME STATUS HEALTH HOOKTYPE MESSAGE.
std::string sync_result_table(const core::Json& app, const Palette& palette);

// `app history`: ID DATE REVISION.
std::string history_table(const core::Json& app);

// One managed-resources item as `argocd app diff` shows it: "===== group/Kind ns/name ======" and a unified diff of
// the normalized live state against the predicted live state (or the target state). "" when they are equal.
std::string managed_resource_diff(const core::Json& item);

// "group/Kind ns/name" (no group for the core API: "/Service ns/name", as Argo CD prints it).
std::string resource_label(const core::Json& resource);

}  // namespace gitmoor::cli
