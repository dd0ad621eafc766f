#pragma once
// Flag parsing shared by the commands that render an app (`gitmoor render`, `gitmoor apply`, `gitmoor diff --app`).
#include <filesystem>
#include <string>
#include <vector>

#include "gitmoor/renderer/render.hpp"

namespace gitmoor::cli {

// Where an app comes from and how it renders (the flags of `gitmoor render`), plus what `gitmoor apply` and
// `gitmoor diff --app` add: the app name and the cluster.
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

// What an app rendered to, and a line naming the commit it came from (for stderr).
struct RenderedSource {
  renderer::RenderResult result;
  std::string commit_line;
};

// Renders --dir (paths confined to its enclosing Git work tree) or --repo at --revision (Helm release namespace
// `ns`). --values are relative to the current directory with --dir, to --path with --repo (Argo CD's valueFiles).
RenderedSource render_source(const AppSourceFlags& flags, const std::string& ns);

// KEY=VALUE items of --set / --set-string into Helm parameters; a malformed item is a CLI::ValidationError naming
// `flag`.
std::vector<renderer::HelmParameter> parse_helm_parameters(const std::vector<std::string>& items, bool force_string,
                                                           const std::string& flag);

// Where repository mirrors live: `flag` when given, else $GITMOOR_CACHE_DIR, $XDG_CACHE_HOME/gitmoor or
// ~/.cache/gitmoor.
std::filesystem::path git_cache_dir(const std::string& flag);

}  // namespace gitmoor::cli
