#pragma once
// What `gitmoor apply` and `gitmoor diff --app` share: the flags naming an app's source and cluster, its
// rendering, and the live-cluster diff (implemented in command_apply.cpp).
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "gitmoor/core/object.hpp"
#include "gitmoor/differ/diff.hpp"

namespace gitmoor::cli {

struct AppSourceFlags {
  std::string app;
  std::string dir;
  std::string repo;
  std::string revision = "HEAD";
  std::string path = ".";
  std::string type;
  std::string release;
  std::vector<std::string> values;
  std::vector<std::string> set;
  std::vector<std::string> set_string;
  std::string kube_version;
  std::vector<std::string> api_versions;
  bool skip_crds = false;
  int render_timeout_seconds = 90;
  std::string cache_dir;
  std::string username;
  std::string ssh_private_key;
  std::string known_hosts;
  std::string kubeconfig;
  std::string context;
};

// --app, --dir/--repo and the render flags of `gitmoor render`, --kubeconfig and --context.
void add_app_source_flags(CLI::App& cmd, AppSourceFlags& flags);
// Renders the app (Helm release namespace `ns`).
std::vector<core::Object> render_app(const AppSourceFlags& flags, const std::string& ns);
// `gitmoor diff --app`: the rendered app against the objects labelled for it in the cluster; prints the diff and
// returns 0 (in sync) or 1 (differs).
int run_live_diff(const AppSourceFlags& flags, const std::string& ns, const differ::DiffOptions& options,
                  const std::string& output);

}  // namespace gitmoor::cli
