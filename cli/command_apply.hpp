#pragma once
// What `gitmoor apply` and `gitmoor diff --app` share: the flags naming an app's source and cluster, its
// rendering, and the live-cluster diff (implemented in command_apply.cpp).
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "gitmoor/applier/kubeconfig.hpp"
#include "gitmoor/core/object.hpp"
#include "gitmoor/differ/diff.hpp"
#include "render_flags.hpp"

namespace gitmoor::cli {

// --app, --dir/--repo and the render flags of `gitmoor render`, --kubeconfig and --context.
void add_app_source_flags(CLI::App& cmd, AppSourceFlags& flags);
// The cluster of --kubeconfig/--context: in-cluster when neither they nor $KUBECONFIG are set inside a Pod.
applier::ClusterConfig cluster_config(const AppSourceFlags& flags);
// `gitmoor diff --app`: the rendered app against the objects labelled for it in the cluster; prints the diff and
// returns 0 (in sync) or 1 (differs).
int run_live_diff(const AppSourceFlags& flags, const std::string& ns, const differ::DiffOptions& options,
                  const std::string& output);

}  // namespace gitmoor::cli
