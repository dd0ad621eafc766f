// gitmoor apply: render an app, apply it to a cluster with server-side apply, optionally prune and wait, and print
// the ChangeSet. Also the live-cluster half of `gitmoor diff --app` (run_live_diff). Wiring only: the work is in
// renderer/ and applier/.
#include <cstdlib>
#include <iostream>

#include "command_apply.hpp"
#include "commands.hpp"
#include "gitmoor/core/duration.hpp"
#include "render_flags.hpp"
#include "gitmoor/applier/kubeconfig.hpp"
#include "gitmoor/applier/resource_manager.hpp"
#include "gitmoor/applier/tracking.hpp"
#include "gitmoor/differ/output.hpp"
#include "gitmoor/renderer/render.hpp"

namespace gitmoor::cli {

void add_app_source_flags(CLI::App& cmd, AppSourceFlags& flags) {
  auto* dir = cmd.add_option("--dir", flags.dir, "Render a local directory (no Git)");
  auto* repo = cmd.add_option("--repo", flags.repo, "Repository URL (file://, git://, http(s)://, ssh://)");
  dir->excludes(repo);
  cmd.add_option("--revision", flags.revision, "Branch, tag, commit SHA or HEAD (with --repo)")->needs(repo)
      ->capture_default_str();
  cmd.add_option("--path", flags.path, "Path of the app in the repository (with --repo)")->needs(repo)
      ->capture_default_str();
  cmd.add_option("--type", flags.type, "Force the source type: helm, kustomize or directory")
      ->check(CLI::IsMember({"helm", "kustomize", "directory"}, CLI::ignore_case));
  cmd.add_option("--release", flags.release, "Helm release name (default: the chart's name)");
  cmd.add_option("--values", flags.values,
                 "Helm value file; relative to --path with --repo, to the current directory with --dir");
  cmd.add_option("--set", flags.set, "Helm parameter KEY=VALUE");
  cmd.add_option("--set-string", flags.set_string, "Helm string parameter KEY=VALUE");
  cmd.add_option("--kube-version", flags.kube_version, "Kubernetes version for Capabilities.KubeVersion");
  cmd.add_option("--api-versions", flags.api_versions, "API version for Capabilities.APIVersions (group/version)");
  cmd.add_flag("--skip-crds", flags.skip_crds, "Leave out the chart's crds/ folder");
  cmd.add_option("--render-timeout", flags.render_timeout_seconds, "Seconds helm or kubectl may run")
      ->capture_default_str();
  cmd.add_option("--cache-dir", flags.cache_dir, "Where repository mirrors live");
  cmd.add_option("--username", flags.username, "HTTP(S) user name; the password comes from $GITMOOR_GIT_PASSWORD");
  cmd.add_option("--ssh-private-key", flags.ssh_private_key, "SSH private key file");
  cmd.add_option("--known-hosts", flags.known_hosts, "SSH known_hosts file");
  cmd.add_option("--kubeconfig", flags.kubeconfig, "kubeconfig file (default: $KUBECONFIG or ~/.kube/config)");
  cmd.add_option("--context", flags.context, "kubeconfig context (default: current-context)");
  cmd.add_option("--app", flags.app, "Application name: stamped on every object as its tracking id");
}

applier::ClusterConfig cluster_config(const AppSourceFlags& flags) {
  applier::KubeconfigOptions options{.paths = {}, .context = flags.context};
  if (!flags.kubeconfig.empty()) options.paths.push_back(flags.kubeconfig);
  if (flags.kubeconfig.empty() && std::getenv("KUBECONFIG") == nullptr && std::getenv("KUBERNETES_SERVICE_HOST") != nullptr) {
    return applier::in_cluster_config();
  }
  return applier::load_kubeconfig(options);
}

int run_live_diff(const AppSourceFlags& flags, const std::string& ns, const differ::DiffOptions& options,
                  const std::string& output) {
  const auto cluster = cluster_config(flags);
  const std::string target_ns = !ns.empty() ? ns : (!cluster.ns.empty() ? cluster.ns : "default");
  auto rendered = render_source(flags, target_ns).result.objects;
  applier::Client client(cluster);
  applier::ResourceManager manager(client);
  const auto desired = manager.prepare(std::move(rendered), flags.app, target_ns);
  // The label only narrows the list; what the app owns is what carries exactly its tracking id.
  std::vector<core::Object> live;
  for (auto& object : manager.list_managed(flags.app)) {
    if (object.annotation(applier::kTrackingAnnotation) == applier::tracking_id(flags.app, object.key())) {
      live.push_back(std::move(object));
    }
  }
  const auto diff = differ::diff_app(desired, live, options);
  if (output == "json") {
    std::cout << differ::format_json(diff).dump(2) << "\n";
  } else {
    std::cout << differ::format_text(diff);
  }
  return diff.in_sync() ? kExitOk : kExitFailure;
}

void register_apply(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("apply", "Render an app and apply it to a cluster with server-side apply");
  struct Args {
    AppSourceFlags source;
    std::string ns;
    bool prune = false, dry_run = false, force = false, wait = false;
    std::string timeout = "5m";
    std::string output = "text";
  };
  auto args = std::make_shared<Args>();
  add_app_source_flags(*cmd, args->source);
  cmd->get_option("--app")->required();
  cmd->add_option("-n,--namespace", args->ns, "Destination namespace (default: the context's, else default)");
  cmd->add_flag("--prune", args->prune, "Delete objects this app owns that are no longer rendered");
  cmd->add_flag("--dry-run", args->dry_run, "Send everything with dryRun=All: nothing is stored");
  cmd->add_flag("--force", args->force, "Delete and recreate objects whose immutable fields changed");
  cmd->add_flag("--wait", args->wait, "Wait for health between sync waves and at the end");
  cmd->add_option("--timeout", args->timeout, "How long --wait waits (90s, 5m, 1h)")->capture_default_str();
  cmd->add_option("-o,--output", args->output, "text or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  cmd->callback([args, &exit_code] {
    const auto timeout = core::parse_duration(args->timeout, "--timeout");
    applier::ChangeSet result;
    try {
      const auto cluster = cluster_config(args->source);
      const std::string ns = !args->ns.empty() ? args->ns : (!cluster.ns.empty() ? cluster.ns : "default");
      auto desired = render_source(args->source, ns).result.objects;
      applier::Client client(cluster);
      applier::ResourceManager manager(client);
      result = manager.apply_all(desired, {.app = args->source.app,
                                           .ns = ns,
                                           .create_namespace = true,
                                           .dry_run = args->dry_run,
                                           .force = args->force,
                                           .wait = args->wait,
                                           .timeout = timeout});
      // Never prune after a failed apply: the desired set may be incomplete.
      if (args->prune && !result.failed()) {
        const auto prepared = manager.prepare(std::move(desired), args->source.app, ns);
        result.append(manager.prune(prepared, {.app = args->source.app,
                                               .propagation = applier::PropagationPolicy::Foreground,
                                               .dry_run = args->dry_run}));
      }
    } catch (const CLI::Error&) {
      throw;
    } catch (const applier::KubeconfigError& e) {
      std::cerr << "error: " << e.what() << "\n";
      exit_code = kExitUsage;
      return;
    } catch (const std::exception& e) {
      // A render, Git or cluster failure: print what was done before it, then the error.
      std::cout << (args->output == "json" ? result.to_json().dump(2) + "\n" : result.format_text());
      std::cerr << "error: " << e.what() << "\n";
      exit_code = kExitFailure;
      return;
    }
    std::cout << (args->output == "json" ? result.to_json().dump(2) + "\n" : result.format_text());
    exit_code = result.failed() ? kExitFailure : kExitOk;
  });
}

}  // namespace gitmoor::cli
