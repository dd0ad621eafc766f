#include "render_flags.hpp"

#include <cstdlib>

#include <CLI/CLI.hpp>

#include "gitmoor/engine/git_source.hpp"
#include "gitmoor/renderer/repository_path.hpp"

namespace gitmoor::cli {

namespace fs = std::filesystem;

std::vector<renderer::HelmParameter> parse_helm_parameters(const std::vector<std::string>& items, bool force_string,
                                                           const std::string& flag) {
  std::vector<renderer::HelmParameter> out;
  for (const auto& item : items) {
    const auto eq = item.find('=');
    if (eq == std::string::npos || eq == 0) throw CLI::ValidationError(flag, item + ": expected KEY=VALUE");
    out.push_back({.name = item.substr(0, eq), .value = item.substr(eq + 1), .force_string = force_string});
  }
  return out;
}

fs::path git_cache_dir(const std::string& flag) {
  if (!flag.empty()) return flag;
  if (const char* dir = std::getenv("GITMOOR_CACHE_DIR"); dir != nullptr && *dir != '\0') return dir;
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg != nullptr && *xdg != '\0') return fs::path(xdg) / "gitmoor";
  const char* home = std::getenv("HOME");
  return fs::path(home != nullptr ? home : "/tmp") / ".cache" / "gitmoor";
}

RenderedSource render_source(const AppSourceFlags& flags, const std::string& ns) {
  if (flags.dir.empty() && flags.repo.empty()) throw CLI::RequiredError("--dir or --repo");
  renderer::RenderRequest request;
  if (!flags.type.empty()) request.type = renderer::parse_source_type(flags.type);
  request.helm = {.release_name = flags.release,
                  .ns = ns,
                  .value_files = {},
                  .parameters = parse_helm_parameters(flags.set, false, "--set"),
                  .kube_version = flags.kube_version,
                  .api_versions = flags.api_versions,
                  .skip_crds = flags.skip_crds};
  for (auto& p : parse_helm_parameters(flags.set_string, true, "--set-string")) request.helm.parameters.push_back(std::move(p));
  request.limits.timeout = std::chrono::seconds(flags.render_timeout_seconds);

  std::shared_ptr<const engine::Checkout> checkout;
  std::unique_ptr<engine::GitSource> source;
  std::string commit_line;
  if (!flags.dir.empty()) {
    const fs::path dir = fs::absolute(flags.dir).lexically_normal();
    if (!fs::is_directory(dir)) throw CLI::ValidationError("--dir", flags.dir + " is not a directory");
    // Paths are confined to the enclosing Git work tree (or the directory itself outside one), like a checkout.
    const fs::path root = renderer::find_repository_root(dir);
    request.repo_root = root;
    request.app_path = dir.lexically_relative(root).generic_string();
    // --values are given relative to the current directory here; the renderer wants them relative to the app.
    for (const auto& file : flags.values) {
      const fs::path absolute = fs::absolute(file).lexically_normal();
      request.helm.value_files.push_back(absolute.lexically_relative(dir).generic_string());
    }
    commit_line = "none (local directory " + dir.string() + ")";
  } else {
    engine::Repository repository{.url = flags.repo, .credentials = {}};
    repository.credentials.username = flags.username;
    if (const char* password = std::getenv("GITMOOR_GIT_PASSWORD"); password != nullptr) {
      repository.credentials.password = password;
    }
    repository.credentials.ssh_private_key = flags.ssh_private_key;
    repository.credentials.known_hosts = flags.known_hosts;
    source = std::make_unique<engine::GitSource>(engine::GitSourceOptions{
        .cache_dir = git_cache_dir(flags.cache_dir)});
    const std::string commit = source->resolve(repository, flags.revision);
    checkout = source->checkout(repository, commit);
    request.repo_root = checkout->root();
    request.app_path = flags.path;
    request.commit = commit;
    request.helm.value_files = flags.values;  // relative to --path, as Argo CD's valueFiles
    commit_line = commit + " (" + engine::redact_url(flags.repo) + " " + flags.revision + ")";
  }
  return {renderer::render(request), commit_line};
}

}  // namespace gitmoor::cli
