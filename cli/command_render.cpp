// gitmoor render: the objects a path renders to, from a local tree (--dir) or a repository at a revision (--repo).
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "commands.hpp"
#include "render_flags.hpp"
#include "gitmoor/core/yaml.hpp"
#include "gitmoor/engine/git_source.hpp"
#include "gitmoor/renderer/render.hpp"
#include "gitmoor/renderer/repository_path.hpp"

namespace gitmoor::cli {

namespace fs = std::filesystem;

namespace {

struct RenderFlags {
  std::string dir;
  std::string repo;
  std::string revision = "HEAD";
  std::string path = ".";
  std::string type;
  std::string release;
  std::string ns;
  std::vector<std::string> values;
  std::vector<std::string> set;
  std::vector<std::string> set_string;
  std::string kube_version;
  std::vector<std::string> api_versions;
  bool skip_crds = false;
  std::string output = "yaml";
  std::string cache_dir;
  std::string username;
  std::string ssh_private_key;
  std::string known_hosts;
  int timeout_seconds = 90;
};

void print(const renderer::RenderResult& result, const std::string& output) {
  std::vector<core::Json> items;
  items.reserve(result.objects.size());
  for (const auto& object : result.objects) items.push_back(object.json());
  if (output == "json") {
    const core::Json list{{"apiVersion", "v1"}, {"kind", "List"}, {"metadata", core::Json::object()}, {"items", items}};
    std::cout << list.dump(2) << "\n";
  } else {
    std::cout << core::to_yaml_stream(items);
  }
}

int run_render(const RenderFlags& flags) {
  renderer::RenderRequest request;
  if (!flags.type.empty()) request.type = renderer::parse_source_type(flags.type);
  request.helm = {.release_name = flags.release,
                  .ns = flags.ns,
                  .value_files = {},
                  .parameters = parse_helm_parameters(flags.set, false, "--set"),
                  .kube_version = flags.kube_version,
                  .api_versions = flags.api_versions,
                  .skip_crds = flags.skip_crds};
  for (auto& p : parse_helm_parameters(flags.set_string, true, "--set-string")) request.helm.parameters.push_back(std::move(p));
  request.limits.timeout = std::chrono::seconds(flags.timeout_seconds);

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
  const renderer::RenderResult result = renderer::render(request);
  std::cerr << "commit: " << commit_line << "\n"
            << "source type: " << renderer::to_string(result.type) << "\n"
            << "objects: " << result.objects.size() << "\n";
  print(result, flags.output);
  return kExitOk;
}

}  // namespace

void register_render(CLI::App& app, int& exit_code) {
  auto flags = std::make_shared<RenderFlags>();
  auto* cmd = app.add_subcommand(
      "render", "Print the objects a Helm chart, kustomization or manifest directory renders to");
  auto* dir = cmd->add_option("--dir", flags->dir, "Render a local directory (no Git)");
  auto* repo = cmd->add_option("--repo", flags->repo, "Repository URL (file://, git://, http(s)://, ssh://)");
  dir->excludes(repo);
  cmd->add_option("--revision", flags->revision, "Branch, tag, commit SHA or HEAD (with --repo)")->needs(repo)
      ->capture_default_str();
  cmd->add_option("--path", flags->path, "Path of the app in the repository (with --repo)")->needs(repo)
      ->capture_default_str();
  cmd->add_option("--type", flags->type, "Force the source type: helm, kustomize or directory")
      ->check(CLI::IsMember({"helm", "kustomize", "directory"}, CLI::ignore_case));
  cmd->add_option("--release", flags->release, "Helm release name (default: the chart's name)");
  cmd->add_option("-n,--namespace", flags->ns, "Helm release namespace");
  cmd->add_option("--values", flags->values,
                  "Helm value file; relative to --path with --repo, to the current directory with --dir");
  cmd->add_option("--set", flags->set, "Helm parameter KEY=VALUE");
  cmd->add_option("--set-string", flags->set_string, "Helm string parameter KEY=VALUE");
  cmd->add_option("--kube-version", flags->kube_version, "Kubernetes version for Capabilities.KubeVersion");
  cmd->add_option("--api-versions", flags->api_versions, "API version for Capabilities.APIVersions (group/version)");
  cmd->add_flag("--skip-crds", flags->skip_crds, "Leave out the chart's crds/ folder");
  cmd->add_option("-o,--output", flags->output, "yaml (multi-document) or json (a v1 List)")
      ->check(CLI::IsMember({"yaml", "json"}))->capture_default_str();
  cmd->add_option("--timeout", flags->timeout_seconds, "Seconds helm or kubectl may run")->capture_default_str();
  cmd->add_option("--cache-dir", flags->cache_dir, "Where repository mirrors live (default: $GITMOOR_CACHE_DIR, "
                                                    "$XDG_CACHE_HOME/gitmoor or ~/.cache/gitmoor)");
  cmd->add_option("--username", flags->username,
                  "HTTP(S) user name; the password or token comes from $GITMOOR_GIT_PASSWORD");
  cmd->add_option("--ssh-private-key", flags->ssh_private_key, "SSH private key file");
  cmd->add_option("--known-hosts", flags->known_hosts, "SSH known_hosts file (default: ~/.ssh/known_hosts)");
  cmd->callback([flags, dir, repo, &exit_code] {
    if (dir->count() == 0 && repo->count() == 0) throw CLI::RequiredError("--dir or --repo");
    try {
      exit_code = run_render(*flags);
    } catch (const core::Error& e) {
      // A render or Git failure is the command's finding, not a usage error.
      std::cerr << "error: " << e.what() << "\n";
      exit_code = kExitFailure;
    }
  });
}

}  // namespace gitmoor::cli
