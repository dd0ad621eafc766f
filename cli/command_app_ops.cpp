// `gitmoor app history|delete|terminate-op|logs`: the smaller application commands.
#include <unistd.h>

#include <iostream>

#include "client_command.hpp"
#include "command_app.hpp"
#include "commands.hpp"
#include "gitmoor/core/error.hpp"
#include "output/application_view.hpp"

namespace gitmoor::cli {

using core::Json;

namespace {

struct DeleteArgs {
  std::string name;
  bool cascade = true;  // argocd's --cascade (default true); --cascade=false orphans the resources
  std::string propagation_policy;
  bool yes = false;
};

struct LogsArgs {
  std::string name;
  std::string pod;
  std::string container;
  long tail = -1;
  bool follow = false;
};

int history(const ClientFlags& flags, const std::string& name) {
  auto client = connect(flags);
  std::cout << history_table(client->get(application_path(name)));
  return kExitOk;
}

int remove(const ClientFlags& flags, const DeleteArgs& args) {
  if (!args.yes) {
    std::cerr << "Are you sure you want to delete '" << args.name << "'"
              << (args.cascade ? " and all its resources" : "") << "? [y/n] " << std::flush;
    std::string answer;
    std::getline(std::cin, answer);
    if (answer != "y" && answer != "Y" && answer != "yes") {
      std::cout << "The command to delete '" << args.name << "' was cancelled.\n";
      return kExitFailure;
    }
  }
  auto client = connect(flags);
  client->del(web::with_query(application_path(args.name),
                              {{"cascade", args.cascade ? "true" : "false"},
                               {"propagationPolicy", args.propagation_policy}}));
  std::cout << "application '" << args.name << "' deleted\n";
  return kExitOk;
}

int terminate_op(const ClientFlags& flags, const std::string& name) {
  auto client = connect(flags);
  try {
    client->del(application_path(name) + "/operation");
  } catch (const web::ApiError& e) {
    if (!e.no_route()) throw;
    client->post(application_path(name) + "/terminate");  // servers before DELETE .../operation
  }
  std::cout << "Application '" << name << "' operation terminating\n";
  return kExitOk;
}

// Each line of the stream is {"result":{"content":...}} (or an SSE "data: " frame of one); other lines as they are.
bool print_log_line(std::string_view line) {
  if (line.rfind("data:", 0) == 0) line.remove_prefix(line.size() > 5 && line[5] == ' ' ? 6 : 5);
  if (line.empty() || line.front() == ':') return true;  // SSE keep-alive
  try {
    const auto json = Json::parse(line);
    const Json& result = json.contains("result") ? json["result"] : json;
    if (result.is_object() && result.contains("content")) {
      if (result.value("last", false)) return false;
      std::cout << result.value("content", "") << "\n" << std::flush;
      return true;
    }
  } catch (const Json::parse_error&) {
  }
  std::cout << line << "\n" << std::flush;
  return true;
}

int logs(const ClientFlags& flags, const LogsArgs& args) {
  auto client = connect(flags);
  std::map<std::string, std::string> query = {{"podName", args.pod}, {"container", args.container}};
  if (args.tail >= 0) query["tailLines"] = std::to_string(args.tail);
  if (args.follow) query["follow"] = "true";
  client->stream(web::with_query(application_path(args.name) + "/logs", query), print_log_line);
  return kExitOk;
}

}  // namespace

void register_app_ops(CLI::App& app, const SharedFlags& flags, int& exit_code) {
  auto history_name = std::make_shared<std::string>();
  auto* history_cmd = app.add_subcommand("history", "List the deployments of an application");
  history_cmd->add_option("NAME", *history_name, "Application name")->required();
  history_cmd->callback([flags, history_name, &exit_code] {
    run_client_command(exit_code, "application " + *history_name, [&] { return history(*flags, *history_name); });
  });

  auto delete_args = std::make_shared<DeleteArgs>();
  auto* delete_cmd = app.add_subcommand("delete", "Delete an application (and, by default, its resources)");
  delete_cmd->add_option("NAME", delete_args->name, "Application name")->required();
  // A flag, as in argocd: `--cascade` alone and `--cascade=false` (an option needing a value refused the first).
  delete_cmd->add_flag("--cascade", delete_args->cascade, "Delete the app's resources too (--cascade=false: keep them)")
      ->capture_default_str();
  delete_cmd->add_option("--propagation-policy", delete_args->propagation_policy,
                         "How resources are deleted: foreground, background or orphan")
      ->check(CLI::IsMember({"", "foreground", "background", "orphan"}));
  delete_cmd->add_flag("-y,--yes", delete_args->yes, "Do not ask for confirmation");
  delete_cmd->callback([flags, delete_args, &exit_code] {
    run_client_command(exit_code, "application " + delete_args->name, [&] { return remove(*flags, *delete_args); });
  });

  auto terminate_name = std::make_shared<std::string>();
  auto* terminate_cmd = app.add_subcommand("terminate-op", "Stop the running operation of an application");
  terminate_cmd->add_option("NAME", *terminate_name, "Application name")->required();
  terminate_cmd->callback([flags, terminate_name, &exit_code] {
    run_client_command(exit_code, "application " + *terminate_name,
                       [&] { return terminate_op(*flags, *terminate_name); });
  });

  auto logs_args = std::make_shared<LogsArgs>();
  auto* logs_cmd = app.add_subcommand("logs", "Print the logs of a Pod of an application");
  logs_cmd->add_option("NAME", logs_args->name, "Application name")->required();
  logs_cmd->add_option("--pod", logs_args->pod, "Pod name")->required();
  logs_cmd->add_option("-c,--container", logs_args->container, "Container (default: the Pod's only or first)");
  logs_cmd->add_option("--tail", logs_args->tail, "Only the last N lines");
  logs_cmd->add_flag("-f,--follow", logs_args->follow, "Keep printing new lines");
  logs_cmd->callback([flags, logs_args, &exit_code] {
    run_client_command(exit_code, "application " + logs_args->name, [&] { return logs(*flags, *logs_args); });
  });
}

}  // namespace gitmoor::cli
