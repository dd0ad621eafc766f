// `gitmoor app list` and `gitmoor app get`: Argo CD's table, summary and resource tree.
#include <iostream>

#include "client_command.hpp"
#include "command_app.hpp"
#include "commands.hpp"
#include "gitmoor/core/error.hpp"
#include "gitmoor/core/yaml.hpp"
#include "output/application_view.hpp"

namespace gitmoor::cli {

using core::Json;

namespace {

struct ListArgs {
  std::string output;
  std::string selector;
};

struct GetArgs {
  std::string name;
  std::string output;
  bool refresh = false;
  bool hard_refresh = false;
};

void print_document(const Json& value, const std::string& format) {
  if (format == "json") {
    std::cout << value.dump(2) << "\n";
  } else {
    std::cout << core::to_yaml(value);
  }
}

int list(const ClientFlags& flags, const ListArgs& args) {
  auto client = connect(flags);
  const auto answer = client->get(web::with_query("/api/v1/applications", {{"selector", args.selector}}));
  std::vector<Json> apps;
  for (const auto& item : answer.value("items", Json::array())) apps.push_back(item);
  if (args.output == "json" || args.output == "yaml") {
    print_document(Json(apps), args.output);  // argocd prints the list itself
  } else if (args.output == "name") {
    for (const auto& a : apps) std::cout << a["metadata"].value("name", "") << "\n";
  } else {
    std::cout << app_list_table(apps, Palette::for_stdout(environment_variable));
  }
  return kExitOk;
}

// The resource tree; a server without the endpoint gets the managed resources as a flat tree (so -o tree still
// shows every resource, only without owned children).
Json resource_tree_of(web::ApiClient& client, const Json& app, const std::string& name) {
  try {
    return client.get(application_path(name) + "/resource-tree");
  } catch (const web::ApiError& e) {
    if (!e.no_route()) throw;
    std::cerr << "warning: " << describe(e, "application " + name) << "; showing the managed resources only\n";
    Json nodes = Json::array();
    for (const auto& r : app["status"].value("resources", Json::array())) nodes.push_back(r);
    return {{"nodes", nodes}};
  }
}

int get(const ClientFlags& flags, const GetArgs& args) {
  auto client = connect(flags);
  const std::string refresh = args.hard_refresh ? "hard" : args.refresh ? "normal" : "";
  const Json app = client->get(web::with_query(application_path(args.name), {{"refresh", refresh}}));
  if (args.output == "json" || args.output == "yaml") {
    print_document(app, args.output);
    return kExitOk;
  }
  const auto palette = Palette::for_stdout(environment_variable);
  std::cout << app_summary(app, palette) << "\n";
  if (args.output == "tree") {
    std::cout << resource_tree(app, resource_tree_of(*client, app, args.name), palette);
  } else {
    std::cout << resource_table(app, palette);
  }
  return kExitOk;
}

}  // namespace

void register_app_list_get(CLI::App& app, const SharedFlags& flags, int& exit_code) {
  auto list_args = std::make_shared<ListArgs>();
  auto* list_cmd = app.add_subcommand("list", "List applications");
  list_cmd->add_option("-o,--output", list_args->output, "Output format: wide, json, yaml or name")
      ->check(CLI::IsMember({"", "wide", "json", "yaml", "name"}));
  list_cmd->add_option("-l,--selector", list_args->selector, "Label selector (e.g. team=games)");
  list_cmd->callback([flags, list_args, &exit_code] {
    run_client_command(exit_code, "applications", [&] { return list(*flags, *list_args); });
  });

  auto get_args = std::make_shared<GetArgs>();
  auto* get_cmd = app.add_subcommand("get", "Show an application: summary and resources");
  get_cmd->add_option("NAME", get_args->name, "Application name")->required();
  get_cmd->add_option("-o,--output", get_args->output, "Output format: json, yaml or tree")
      ->check(CLI::IsMember({"", "wide", "json", "yaml", "tree"}));
  get_cmd->add_flag("--refresh", get_args->refresh, "Compare with Git and the cluster before answering");
  get_cmd->add_flag("--hard-refresh", get_args->hard_refresh, "Like --refresh, and render the manifests again");
  get_cmd->callback([flags, get_args, &exit_code] {
    run_client_command(exit_code, "application " + get_args->name, [&] { return get(*flags, *get_args); });
  });
}

}  // namespace gitmoor::cli
