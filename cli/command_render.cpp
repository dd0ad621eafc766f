// gitmoor render: the objects a path renders to, from a local tree (--dir) or a repository at a revision (--repo).
#include <iostream>

#include "commands.hpp"
#include "render_flags.hpp"
#include "gitmoor/core/yaml.hpp"
#include "gitmoor/renderer/render.hpp"

namespace gitmoor::cli {

namespace {

struct RenderFlags {
  AppSourceFlags source;  // app, kubeconfig and context unused here
  std::string ns;
  std::string output = "yaml";
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
  const RenderedSource rendered = render_source(flags.source, flags.ns);
  const renderer::RenderResult& result = rendered.result;
  std::cerr << "commit: " << rendered.commit_line << "\n"
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
  auto* dir = cmd->add_option("--dir", flags->source.dir, "Render a local directory (no Git)");
  auto* repo = cmd->add_option("--repo", flags->source.repo, "Repository URL (file://, git://, http(s)://, ssh://)");
  dir->excludes(repo);
  cmd->add_option("--revision", flags->source.revision, "Branch, tag, commit SHA or HEAD (with --repo)")->needs(repo)
      ->capture_default_str();
  cmd->add_option("--path", flags->source.path, "Path of the app in the repository (with --repo)")->needs(repo)
      ->capture_default_str();
  cmd->add_option("--type", flags->source.type, "Force the source type: helm, kustomize or directory")
      ->check(CLI::IsMember({"helm", "kustomize", "directory"}, CLI::ignore_case));
  cmd->add_option("--release", flags->source.release, "Helm release name (default: the chart's name)");
  cmd->add_option("-n,--namespace", flags->ns, "Helm release namespace");
  cmd->add_option("--values", flags->source.values,
                  "Helm value file; relative to --path with --repo, to the current directory with --dir");
  cmd->add_option("--set", flags->source.set, "Helm parameter KEY=VALUE");
  cmd->add_option("--set-string", flags->source.set_string, "Helm string parameter KEY=VALUE");
  cmd->add_option("--kube-version", flags->source.kube_version, "Kubernetes version for Capabilities.KubeVersion");
  cmd->add_option("--api-versions", flags->source.api_versions, "API version for Capabilities.APIVersions (group/version)");
  cmd->add_flag("--skip-crds", flags->source.skip_crds, "Leave out the chart's crds/ folder");
  cmd->add_option("-o,--output", flags->output, "yaml (multi-document) or json (a v1 List)")
      ->check(CLI::IsMember({"yaml", "json"}))->capture_default_str();
  cmd->add_option("--timeout", flags->source.render_timeout_seconds, "Seconds helm or kubectl may run")->capture_default_str();
  cmd->add_option("--cache-dir", flags->source.cache_dir, "Where repository mirrors live (default: $GITMOOR_CACHE_DIR, "
                                                    "$XDG_CACHE_HOME/gitmoor or ~/.cache/gitmoor)");
  cmd->add_option("--username", flags->source.username,
                  "HTTP(S) user name; the password or token comes from $GITMOOR_GIT_PASSWORD");
  cmd->add_option("--ssh-private-key", flags->source.ssh_private_key, "SSH private key file");
  cmd->add_option("--known-hosts", flags->source.known_hosts, "SSH known_hosts file (default: ~/.ssh/known_hosts)");
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
