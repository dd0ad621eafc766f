#include <cctype>
#include <iostream>

#include "commands.hpp"
#include "listen_address.hpp"
#include "stop_signals.hpp"
#include "gitmoor/core/duration.hpp"
#include "gitmoor/core/error.hpp"
#include "gitmoor/sandbox/sandbox.hpp"

namespace gitmoor::cli {

void register_sandbox(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("sandbox", "Run an in-memory Kubernetes API server that kubectl accepts");
  auto listen = std::make_shared<std::string>("127.0.0.1:0");
  auto kubeconfig_out = std::make_shared<std::string>();
  auto tls = std::make_shared<bool>(false);
  auto token = std::make_shared<std::string>();
  auto controllers = std::make_shared<bool>(true);
  auto ready_delay_ms = std::make_shared<int>(300);
  auto authorization = std::make_shared<std::string>("AlwaysAllow");
  auto hpa_sync_period = std::make_shared<std::string>("15s");
  cmd->add_option("--listen", *listen, "host:port to listen on (port 0: any free port)")->capture_default_str();
  cmd->add_option("--kubeconfig-out", *kubeconfig_out, "Write a kubeconfig for the sandbox to this path");
  cmd->add_flag("--tls", *tls, "Serve HTTPS with a generated CA and server certificate");
  cmd->add_option("--token", *token, "Require this bearer token on every request");
  cmd->add_option("--controllers", *controllers, "Simulate controllers (Deployments, Jobs, ...): true or false")
      ->capture_default_str();
  cmd->add_option("--pod-ready-delay-ms", *ready_delay_ms, "How long simulated Pods take to become Ready")
      ->capture_default_str();
  cmd->add_option("--authorization", *authorization,
                  "AlwaysAllow, or rbac: Roles, ClusterRoles and their bindings enforced as kube-apiserver's RBAC "
                  "(implies --tls, as kubectl sends tokens over HTTPS only; the kubeconfig's token is cluster-admin, "
                  "one is made when --token is not given)")
      ->capture_default_str();
  cmd->add_option("--hpa-sync-period", *hpa_sync_period,
                  "How often the HPA controller syncs each HorizontalPodAutoscaler (kube's default: 15s)")
      ->capture_default_str();
  register_sandbox_load(*cmd, exit_code);
  cmd->callback([=, &exit_code] {
    if (!cmd->get_subcommands().empty()) return;  // `gitmoor sandbox load` talks to a running sandbox instead
    const auto address = parse_listen_address(*listen, "--listen");
    sandbox::SandboxOptions options;
    options.host = address.host;
    options.port = address.port;
    options.tls = *tls;
    options.token = *token;
    options.controllers = *controllers;
    std::string mode = *authorization;
    for (auto& c : mode) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (mode == "rbac") {
      options.authorization = sandbox::Authorization::Rbac;
      options.tls = true;
    } else if (mode != "alwaysallow") {
      throw core::InvalidInput("--authorization: expected AlwaysAllow or rbac, got \"" + *authorization + "\"");
    }
    options.pod_ready_delay = std::chrono::milliseconds(*ready_delay_ms);
    options.hpa_sync_period = core::parse_duration(*hpa_sync_period, "--hpa-sync-period");

    block_stop_signals();  // before any thread starts

    auto server = sandbox::Sandbox::start(options);
    if (!kubeconfig_out->empty()) server->write_kubeconfig(*kubeconfig_out);
    std::cout << "listening on " << server->url() << std::endl;
    wait_for_stop_signal();
    server->stop();
    exit_code = kExitOk;
  });
}

}  // namespace gitmoor::cli
