// `gitmoor sandbox load`: sets the simulated CPU and memory load of a running sandbox's Pods (its admin endpoint
// /sandbox/load, see sandbox/README.md), so an HPA can be watched scaling out and back in. The sandbox is found from
// a kubeconfig, as kubectl finds its cluster. Wiring only: the load model is in sandbox/src/usage.*.
#include <iostream>

#include "commands.hpp"
#include "gitmoor/applier/client.hpp"
#include "gitmoor/applier/kubeconfig.hpp"
#include "gitmoor/core/error.hpp"

namespace gitmoor::cli {

namespace {

struct LoadArgs {
  std::string kubeconfig;
  std::string context;
  std::string ns;
  std::string selector;
  std::string cpu;
  std::string memory;
  bool reset = false;
};

void print_rules(const core::Json& answer) {
  const auto rules = answer.value("rules", core::Json::array());
  if (rules.empty()) std::cout << "no load rules: every Pod runs at the default load\n";
  for (const auto& r : rules) {
    const std::string selector = r.value("selector", "");
    std::cout << r.value("namespace", "") << "  " << (selector.empty() ? "(all Pods)" : selector)
              << "  cpu " << r.value("cpu", "default") << "  memory " << r.value("memory", "default") << "\n";
  }
}

}  // namespace

void register_sandbox_load(CLI::App& sandbox, int& exit_code) {
  auto* cmd = sandbox.add_subcommand(
      "load", "Set the simulated CPU/memory load of a running sandbox's Pods (what kubectl top and HPAs see)");
  auto args = std::make_shared<LoadArgs>();
  cmd->add_option("--kubeconfig", args->kubeconfig, "kubeconfig of the sandbox (default: $KUBECONFIG or ~/.kube/config)");
  cmd->add_option("--context", args->context, "kubeconfig context (default: current-context)");
  cmd->add_option("-n,--namespace", args->ns, "Namespace of the Pods to load (default: the context's, else default)");
  cmd->add_option("-l,--selector", args->selector, "Label selector of the Pods to load (default: all Pods)");
  cmd->add_option("--cpu", args->cpu, "CPU per Pod: a utilisation of its requests (90%), an amount (250m) or default");
  cmd->add_option("--memory", args->memory, "Memory per Pod: a utilisation of its requests (80%), an amount (300Mi) "
                                            "or default");
  cmd->add_flag("--reset", args->reset, "Remove every load rule: all Pods back to the default load");
  cmd->footer("Without --cpu, --memory or --reset, prints the load rules in force.\n"
              "Example: gitmoor sandbox load --namespace game --selector app=game-backend --cpu 90%");
  cmd->callback([args, &exit_code] {
    applier::KubeconfigOptions options{.paths = {}, .context = args->context};
    if (!args->kubeconfig.empty()) options.paths.push_back(args->kubeconfig);
    const auto cluster = applier::load_kubeconfig(options);
    applier::Client client(cluster, {.max_retries = 1});
    applier::HttpRequest request{.method = "GET", .path = "/sandbox/load"};
    if (args->reset) {
      request.method = "DELETE";
    } else if (!args->cpu.empty() || !args->memory.empty()) {
      core::Json rule{{"namespace", !args->ns.empty() ? args->ns : !cluster.ns.empty() ? cluster.ns : "default"},
                      {"selector", args->selector}};
      if (!args->cpu.empty()) rule["cpu"] = args->cpu;
      if (!args->memory.empty()) rule["memory"] = args->memory;
      request.method = "POST";
      request.body = rule.dump();
      request.idempotent = true;  // setting the same rule twice is one rule
    }
    const auto response = client.send(request);
    const std::string subject = request.method + " " + cluster.server + "/sandbox/load";
    // A sandbox refuses a bad rule (400) or a missing token (401) in kube's words; any other refusal, or an answer
    // without rules, comes from a server that has no such endpoint.
    if (response.status == 400 || response.status == 401) throw applier::api_error(response, subject);
    core::Json answer = core::Json::parse(response.body, nullptr, false);
    if (response.status >= 300 || answer.is_discarded() || !answer.is_object() || !answer.contains("rules")) {
      throw core::EnvironmentError(cluster.server + " (context \"" + cluster.context + "\") is not a gitmoor sandbox: " +
                               subject + " answered " + std::to_string(response.status) +
                               "; Pod load is simulated only by `gitmoor sandbox` and `gitmoor demo`");
    }
    print_rules(answer);
    exit_code = kExitOk;
  });
}

}  // namespace gitmoor::cli
