// `gitmoor app diff NAME`: what a sync would change, per resource, as `argocd app diff` prints it. Exit 0 when in
// sync, 1 when something differs, 2 on an error (main's kExit* codes).
#include <iostream>

#include "client_command.hpp"
#include "command_app.hpp"
#include "commands.hpp"
#include "output/application_view.hpp"

namespace gitmoor::cli {

using core::Json;

namespace {

struct DiffArgs {
  std::string name;
  bool refresh = false;
  bool hard_refresh = false;
};

int diff(const ClientFlags& flags, const DiffArgs& args) {
  auto client = connect(flags);
  const std::string refresh = args.hard_refresh ? "hard" : args.refresh ? "normal" : "";
  // The app first: a missing app is an error (2), not "no differences".
  const Json app = client->get(web::with_query(application_path(args.name), {{"refresh", refresh}}));
  Json managed;
  try {
    managed = client->get(application_path(args.name) + "/managed-resources");
  } catch (const web::ApiError& e) {
    if (!e.no_route()) throw;
    // An older server: the resources' sync status still says which differ, only not how.
    std::cerr << "warning: " << describe(e, "application " + args.name)
              << "; listing the out-of-sync resources without their diff\n";
    bool differs = false;
    for (const auto& r : app["status"].value("resources", Json::array())) {
      if (r.value("status", "") == "Synced") continue;
      std::cout << "\n===== " << resource_label(r) << " ======\n" << r.value("status", "") << "\n";
      differs = true;
    }
    return differs ? kExitFailure : kExitOk;
  }
  bool differs = false;
  for (const auto& item : managed.value("items", Json::array())) {
    const auto text = managed_resource_diff(item);
    if (text.empty()) continue;
    std::cout << text;
    differs = true;
  }
  return differs ? kExitFailure : kExitOk;
}

}  // namespace

void register_app_diff(CLI::App& app, const SharedFlags& flags, int& exit_code) {
  auto args = std::make_shared<DiffArgs>();
  auto* cmd = app.add_subcommand("diff", "Show what a sync would change (exit 1 when anything differs)");
  cmd->add_option("NAME", args->name, "Application name")->required();
  cmd->add_flag("--refresh", args->refresh, "Compare with Git and the cluster first");
  cmd->add_flag("--hard-refresh", args->hard_refresh, "Like --refresh, and render the manifests again");
  cmd->callback([flags, args, &exit_code] {
    run_client_command(exit_code, "application " + args->name, [&] { return diff(*flags, *args); });
  });
}

}  // namespace gitmoor::cli
