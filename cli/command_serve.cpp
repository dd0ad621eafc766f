// `gitmoor serve`: the controller with its HTTP endpoints, until SIGTERM.
#include <cstdlib>
#include <iostream>
#include <unistd.h>

#include "command_apply.hpp"
#include "commands.hpp"
#include "engine_runtime.hpp"
#include "stop_signals.hpp"
#include "gitmoor/core/duration.hpp"
#include "gitmoor/core/error.hpp"
#include "gitmoor/core/quantity.hpp"
#include "render_flags.hpp"

namespace gitmoor::cli {

namespace {

// --webhook-max-payload-size: a positive Kubernetes quantity of bytes (1Mi, 512Ki, 65536).
std::size_t parse_payload_size(const std::string& text) {
  const auto quantity = core::Quantity::try_parse(text);
  if (!quantity || quantity->value() <= 0) {
    throw core::InvalidInput("--webhook-max-payload-size: \"" + text + "\" is not a size in bytes (e.g. 1Mi, 512Ki)");
  }
  return static_cast<std::size_t>(quantity->value());
}

}  // namespace

void register_serve(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("serve", "Run the controller: reconcile Applications continuously, serve HTTP");
  struct Args {
    AppSourceFlags cluster;  // only --kubeconfig / --context are used
    std::vector<std::string> apps;
    std::string apps_namespace = "gitmoor";
    std::vector<std::string> namespaces;
    std::string admin_password_secret;
    bool cluster_apps = true;
    bool argocd_applications = false;
    std::string poll_interval = "60s";
    std::size_t workers = 4;
    std::string cache_dir;
    std::string listen = "127.0.0.1:8080";
    std::string leader_elect = "auto";
    std::string lease_name = "gitmoor-leader";
    std::string lease_duration = "15s";
    std::string renew_deadline = "10s";
    std::string retry_period = "2s";
    std::string identity;
    std::string wave_delay = "0s";
    std::string tls_cert;
    std::string tls_key;
    std::string max_request_body = "1Mi";
    std::string max_header_size = "16Ki";
    std::size_t max_connections = 1024;
    std::string idle_timeout = "30s";
    std::string stream_keepalive = "15s";
    std::string webhook_max_payload_size = "1Mi";
    std::string auth = "builtin";
    int login_failures_per_user = 5;
    int login_failures_per_client = 20;
    std::string login_window = "5m";
    std::string ui_dir;
  };
  auto args = std::make_shared<Args>();
  cmd->add_option("--kubeconfig", args->cluster.kubeconfig, "kubeconfig file (default: $KUBECONFIG, ~/.kube/config, or in-cluster)");
  cmd->add_option("--context", args->cluster.context, "kubeconfig context (default: current-context)");
  cmd->add_option("--apps", args->apps, "A file or folder of Application manifests, re-read on change (repeatable)");
  auto* apps_namespace =
      cmd->add_option("--apps-namespace", args->apps_namespace,
                      "Namespace whose Application resources are watched (in a Pod: default its own namespace)")
          ->capture_default_str();
  cmd->add_option("--namespaces", args->namespaces,
                  "Manage objects only in these namespaces (comma-separated; the namespaced RBAC flavour); default: "
                  "every namespace")
      ->delimiter(',');
  cmd->add_option("--cluster-apps", args->cluster_apps, "Watch Application resources in the cluster: true or false")
      ->capture_default_str();
  cmd->add_flag("--argocd-applications", args->argocd_applications,
                "Also reconcile argoproj.io/v1alpha1 Applications found in --apps-namespace");
  cmd->add_option("--poll-interval", args->poll_interval, "How often Git is polled (plus up to 10% jitter)")
      ->capture_default_str();
  cmd->add_option("--workers", args->workers, "Applications reconciled in parallel")->capture_default_str();
  cmd->add_option("--cache-dir", args->cache_dir, "Where repository mirrors and checkouts live");
  cmd->add_option("--listen", args->listen, "host:port for /healthz, /readyz and /api/v1 (:8080 = all addresses)")
      ->capture_default_str();
  cmd->add_option("--leader-elect", args->leader_elect,
                  "Elect a leader with a Lease in --apps-namespace: true, false, or auto (on inside a Pod)")
      ->check(CLI::IsMember({"auto", "true", "false"}))
      ->capture_default_str();
  cmd->add_option("--lease-name", args->lease_name, "Name of the leader election Lease")->capture_default_str();
  cmd->add_option("--lease-duration", args->lease_duration, "A standby takes over a Lease not renewed this long")
      ->capture_default_str();
  cmd->add_option("--renew-deadline", args->renew_deadline, "The leader steps down when it could not renew this long")
      ->capture_default_str();
  cmd->add_option("--retry-period", args->retry_period, "Between attempts to acquire or renew the Lease")
      ->capture_default_str();
  cmd->add_option("--identity", args->identity, "This replica's name in the Lease (default: <hostname>_<pid>)");
  cmd->add_option("--wave-delay", args->wave_delay, "Pause between sync waves (each wave already waits for health)")
      ->capture_default_str();

  cmd->add_option("--tls-cert", args->tls_cert, "Serve HTTPS with this PEM certificate (chain); reloaded when it changes");
  cmd->add_option("--tls-key", args->tls_key, "The PEM private key of --tls-cert; reloaded when it changes");
  cmd->add_option("--max-request-body", args->max_request_body, "Largest request body accepted (413 past it)")
      ->capture_default_str();
  cmd->add_option("--max-header-size", args->max_header_size, "Largest request line and headers accepted (431 past it)")
      ->capture_default_str();
  cmd->add_option("--max-connections", args->max_connections, "Open HTTP connections at most (more are answered 503)")
      ->capture_default_str();
  cmd->add_option("--idle-timeout", args->idle_timeout, "An HTTP connection idle this long is closed")
      ->capture_default_str();
  cmd->add_option("--stream-keepalive", args->stream_keepalive, "How often event streams send a keep-alive comment")
      ->capture_default_str();
  cmd->add_option("--webhook-max-payload-size", args->webhook_max_payload_size,
                  "Largest body POST /api/webhook accepts (a quantity: 1Mi, 512Ki, 65536); larger gets 413 "
                  "(Argo CD's webhook.maxPayloadSizeMB)")
      ->capture_default_str();
  cmd->add_option("--auth", args->auth,
                  "builtin: log in as admin or with an account's API key; none: no authentication (loopback --listen "
                  "only)")
      ->check(CLI::IsMember({"builtin", "none"}))
      ->capture_default_str();
  cmd->add_option("--login-failures-per-user", args->login_failures_per_user,
                  "Failed logins per username within --login-window before logins are refused (429)")
      ->capture_default_str();
  cmd->add_option("--login-failures-per-client", args->login_failures_per_client,
                  "Failed logins per client address within --login-window before logins are refused (429)")
      ->capture_default_str();
  cmd->add_option("--login-window", args->login_window, "The sliding window failed logins are counted in")
      ->capture_default_str();
  cmd->add_option("--admin-password-secret", args->admin_password_secret,
                  "Secret in --apps-namespace whose key `password` is the initial admin password, read on the first "
                  "start instead of generating gitmoor-initial-admin-secret (the chart's admin.existingSecret)");
  cmd->add_option("--ui-dir", args->ui_dir,
                  "Development: serve the web UI from this folder (web/ui), read on every request, instead of the "
                  "files built into the binary");

  cmd->callback([args, apps_namespace, &exit_code] {
    EngineRuntimeOptions options;
    // The flags are checked before the cluster is read, so a bad flag is named even where no cluster is reachable.
    options.http = parse_listen(args->listen, "--listen");
    if (args->auth == "none" && !is_loopback_host(options.http.address)) {
      throw core::InvalidInput("--auth=none is only allowed when --listen is a loopback address (127.0.0.1, ::1, "
                               "localhost), not \"" + args->listen + "\": anyone who can reach it could sync");
    }
    auto cluster = cluster_config(args->cluster);
    // In a Pod without --apps-namespace: its own namespace (the mounted namespace file), as kubectl's default.
    if (apps_namespace->count() == 0 && cluster.context == "in-cluster" && !cluster.ns.empty()) {
      args->apps_namespace = cluster.ns;
    }
    options.controller.apps_namespace = args->apps_namespace;
    options.controller.namespaces = args->namespaces;
    options.controller.cluster_applications = args->cluster_apps;
    options.controller.argocd_applications = args->argocd_applications;
    for (const auto& path : args->apps) options.controller.app_paths.emplace_back(path);
    options.controller.poll_interval = core::parse_duration(args->poll_interval, "--poll-interval");
    options.controller.workers = std::max<std::size_t>(1, args->workers);
    options.controller.cache_dir = git_cache_dir(args->cache_dir);
    options.controller.wave_delay = core::parse_duration(args->wave_delay, "--wave-delay");
    apply_http_limits(options.http, {.tls_cert = args->tls_cert,
                                     .tls_key = args->tls_key,
                                     .max_request_body = args->max_request_body,
                                     .max_header_size = args->max_header_size,
                                     .max_connections = args->max_connections,
                                     .idle_timeout = args->idle_timeout,
                                     .stream_keepalive = args->stream_keepalive});
    options.webhook_max_payload_bytes = parse_payload_size(args->webhook_max_payload_size);
    if (args->auth == "builtin") {
      web::AuthOptions auth;
      auth.apps_namespace = args->apps_namespace;
      auth.admin_password_secret = args->admin_password_secret;
      auth.throttle.failures_per_user = std::max(1, args->login_failures_per_user);
      auth.throttle.failures_per_client = std::max(1, args->login_failures_per_client);
      auth.throttle.window = core::parse_duration(args->login_window, "--login-window");
      options.auth = auth;
    }
    options.ui.dev_dir = ui_folder(args->ui_dir);
    const bool in_cluster = std::getenv("KUBERNETES_SERVICE_HOST") != nullptr;
    if (args->leader_elect == "true" || (args->leader_elect == "auto" && in_cluster)) {
      engine::LeaderElectionOptions election;
      election.lease_namespace = args->apps_namespace;
      election.lease_name = args->lease_name;
      election.identity = args->identity;
      election.lease_duration = core::parse_duration(args->lease_duration, "--lease-duration");
      election.renew_deadline = core::parse_duration(args->renew_deadline, "--renew-deadline");
      election.retry_period = core::parse_duration(args->retry_period, "--retry-period");
      options.leader_election = election;
    }

    block_stop_signals();
    EngineRuntime runtime(std::move(cluster), options);
    runtime.start();
    std::cout << "gitmoor serving on " << runtime.url() << std::endl;
    wait_for_stop_signal();
    std::cout << "stopping" << std::endl;
    runtime.stop();
    exit_code = kExitOk;
  });
}

}  // namespace gitmoor::cli
