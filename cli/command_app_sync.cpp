// `gitmoor app sync` (the force-sync: syncs now even when Synced, waits, prints the result) and `gitmoor app wait`
// (the CI step that waits for a rollout). Both poll the application every 250 ms.
#include <chrono>
#include <iostream>
#include <thread>

#include "app_verdicts.hpp"
#include "client_command.hpp"
#include "command_app.hpp"
#include "commands.hpp"
#include "gitmoor/core/error.hpp"
#include "output/application_view.hpp"

namespace gitmoor::cli {

using core::Json;
using Clock = std::chrono::steady_clock;

namespace {

constexpr auto kPollInterval = std::chrono::milliseconds(250);

struct SyncArgs {
  std::vector<std::string> names;
  bool prune = false;
  bool force = false;
  bool dry_run = false;
  std::string revision;
  std::vector<std::string> resources;
  bool apply_out_of_sync_only = false;
  bool async = false;
  std::string timeout;
};

struct RollbackArgs {
  std::string name;
  // -1: the deployment before the current one. Not 0: history ids count from 0 (as in Argo CD), so 0 is a real id.
  long id = -1;
  bool prune = false;
  bool dry_run = false;
  std::string timeout;
};

struct WaitArgs {
  std::string name;
  WaitFor wait_for;
  std::string timeout;
};

// --resource GROUP:KIND:NAME, or GROUP:KIND:NAMESPACE/NAME (argocd's spelling; the core group is empty).
Json resource_selector(const std::string& text) {
  const auto first = text.find(':');
  const auto second = first == std::string::npos ? std::string::npos : text.find(':', first + 1);
  if (second == std::string::npos) {
    throw core::InvalidInput("--resource " + text + ": expected GROUP:KIND:NAME or GROUP:KIND:NAMESPACE/NAME");
  }
  Json r = {{"group", text.substr(0, first)}, {"kind", text.substr(first + 1, second - first - 1)}};
  std::string name = text.substr(second + 1);
  if (const auto slash = name.find('/'); slash != std::string::npos) {
    r["namespace"] = name.substr(0, slash);
    name = name.substr(slash + 1);
  }
  r["name"] = name;
  if (r["kind"].get<std::string>().empty() || name.empty()) {
    throw core::InvalidInput("--resource " + text + ": KIND and NAME are required");
  }
  return r;
}

Json sync_body(const SyncArgs& args) {
  Json body = {{"prune", args.prune}, {"dryRun", args.dry_run}};
  if (!args.revision.empty()) body["revision"] = args.revision;
  if (args.force) body["strategy"] = {{"apply", {{"force", true}}}};
  if (!args.resources.empty()) {
    Json resources = Json::array();
    for (const auto& r : args.resources) resources.push_back(resource_selector(r));
    body["resources"] = resources;
  }
  if (args.apply_out_of_sync_only) body["syncOptions"] = {{"items", {"ApplyOutOfSyncOnly=true"}}};
  return body;
}

// Polls until `done` says Done or Failed; a timeout is a failure naming what was still missing.
Json poll(web::ApiClient& client, const std::string& name, std::chrono::milliseconds timeout,
          const std::function<Outcome(const Json&)>& done, Outcome& outcome) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    Json app = client.get(application_path(name));
    outcome = done(app);
    if (outcome.verdict != Verdict::Waiting) return app;
    if (timeout.count() > 0 && Clock::now() >= deadline) {
      outcome = {Verdict::Failed, "timed out after " + std::to_string(timeout.count() / 1000) +
                                      "s waiting for " + outcome.reason};
      return app;
    }
    std::this_thread::sleep_for(kPollInterval);
  }
}

int wait_for_operation(web::ApiClient& client, const std::string& name, const std::string& previous, bool dry_run,
                       std::chrono::milliseconds timeout);

int sync_one(web::ApiClient& client, const SyncArgs& args, const std::string& name, const Json& body,
             std::chrono::milliseconds timeout) {
  // The operation before ours: waiting ends at a different one, so an earlier sync's result is never reported.
  const Json before = client.get(application_path(name));
  const std::string previous = operation_key(before);
  client.post(application_path(name) + "/sync", body);
  if (args.async) {
    std::cout << "application " << name << ": sync started" << (args.dry_run ? " (dry run)" : "") << "\n";
    return kExitOk;
  }
  return wait_for_operation(client, name, previous, args.dry_run, timeout);
}

// Waits for the operation that started after `previous`, prints its result; the exit code says how it ended.
int wait_for_operation(web::ApiClient& client, const std::string& name, const std::string& previous, bool dry_run,
                       std::chrono::milliseconds timeout) {
  Outcome outcome;
  const Json app = poll(client, name, timeout, [&](const Json& a) { return evaluate_sync(a, previous, dry_run); },
                        outcome);
  const auto palette = Palette::for_stdout(environment_variable);
  std::cout << operation_summary(app, palette) << "\n" << sync_result_table(app, palette);
  if (outcome.verdict == Verdict::Failed) {
    std::cerr << "error: application " << name << ": " << outcome.reason << "\n";
    return kExitFailure;
  }
  return kExitOk;
}

int rollback(const ClientFlags& flags, const RollbackArgs& args) {
  const auto timeout = parse_timeout(args.timeout);
  auto client = connect(flags);
  const Json before = client->get(application_path(args.name));
  long id = args.id;
  if (id < 0) {
    // argocd's default: the deployment before the current (last) one.
    const Json history = before["status"].value("history", Json::array());
    if (history.size() < 2) {
      throw core::InvalidInput("application " + args.name + ": no earlier deployment in its history to roll back to");
    }
    id = history[history.size() - 2].value("id", 0L);
  }
  client->post(application_path(args.name) + "/rollback", {{"id", id}, {"prune", args.prune}, {"dryRun", args.dry_run}});
  return wait_for_operation(*client, args.name, operation_key(before), args.dry_run, timeout);
}

int sync(const ClientFlags& flags, const SyncArgs& args) {
  const auto timeout = parse_timeout(args.timeout);
  const Json body = sync_body(args);
  auto client = connect(flags);
  int exit_code = kExitOk;
  for (const auto& name : args.names) {
    try {
      exit_code = std::max(exit_code, sync_one(*client, args, name, body, timeout));
    } catch (const web::ApiError& e) {
      std::cerr << "error: " << describe(e, "application " + name) << "\n";
      exit_code = kExitUsage;
    }
  }
  return exit_code;
}

int wait(const ClientFlags& flags, WaitArgs args) {
  const auto timeout = parse_timeout(args.timeout);
  if (!args.wait_for.sync && !args.wait_for.health && !args.wait_for.operation) {
    args.wait_for = {.sync = true, .health = true, .operation = true};  // argocd: none given means all
  }
  auto client = connect(flags);
  Outcome outcome;
  const Json app = poll(*client, args.name, timeout,
                        [&](const Json& a) { return evaluate_wait(a, args.wait_for); }, outcome);
  const auto palette = Palette::for_stdout(environment_variable);
  std::cout << app_summary(app, palette) << "\n" << resource_table(app, palette);
  if (outcome.verdict == Verdict::Failed) {
    std::cerr << "error: application " << args.name << ": " << outcome.reason << "\n";
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace

void register_app_sync(CLI::App& app, const SharedFlags& flags, int& exit_code) {
  auto args = std::make_shared<SyncArgs>();
  auto* cmd = app.add_subcommand("sync", "Sync applications now (even when Synced) and wait for the result");
  cmd->add_option("NAME", args->names, "Application names")->required();
  cmd->add_flag("--prune", args->prune, "Delete resources that are no longer in Git");
  cmd->add_flag("--force", args->force, "Replace resources that cannot be patched");
  cmd->add_flag("--dry-run", args->dry_run, "Show what would change; change nothing");
  cmd->add_option("--revision", args->revision, "Sync to this revision instead of the target");
  cmd->add_option("--resource", args->resources, "Only these resources: GROUP:KIND:NAME (repeatable)");
  cmd->add_flag("--apply-out-of-sync-only", args->apply_out_of_sync_only, "Apply only resources that are OutOfSync");
  cmd->add_flag("--async", args->async, "Start the sync and return without waiting");
  cmd->add_option("--timeout", args->timeout, "Give up waiting after this long (seconds or 5m; default: none)");
  cmd->callback([flags, args, &exit_code] {
    run_client_command(exit_code, "sync", [&] { return sync(*flags, *args); });
  });

  auto rollback_args = std::make_shared<RollbackArgs>();
  auto* rollback_cmd = app.add_subcommand("rollback", "Sync an earlier deployment of the history again and wait");
  rollback_cmd->add_option("NAME", rollback_args->name, "Application name")->required();
  rollback_cmd->add_option("ID", rollback_args->id, "History ID (default: the deployment before the current one)")
      ->check(CLI::NonNegativeNumber);
  rollback_cmd->add_flag("--prune", rollback_args->prune, "Delete resources that the old deployment did not have");
  rollback_cmd->add_flag("--dry-run", rollback_args->dry_run, "Show what would change; change nothing");
  rollback_cmd->add_option("--timeout", rollback_args->timeout, "Give up waiting after this long (default: none)");
  rollback_cmd->callback([flags, rollback_args, &exit_code] {
    run_client_command(exit_code, "application " + rollback_args->name,
                       [&] { return rollback(*flags, *rollback_args); });
  });

  auto wait_args = std::make_shared<WaitArgs>();
  auto* wait_cmd = app.add_subcommand("wait", "Wait until an application is synced, healthy and idle");
  wait_cmd->add_option("NAME", wait_args->name, "Application name")->required();
  wait_cmd->add_flag("--sync", wait_args->wait_for.sync, "Wait for sync status Synced");
  wait_cmd->add_flag("--health", wait_args->wait_for.health, "Wait for health Healthy (fails at once on Degraded)");
  wait_cmd->add_flag("--operation", wait_args->wait_for.operation, "Wait for the running operation to finish");
  wait_cmd->add_option("--timeout", wait_args->timeout, "Give up after this long (seconds or 5m; default: none)");
  wait_cmd->callback([flags, wait_args, &exit_code] {
    run_client_command(exit_code, "application " + wait_args->name, [&] { return wait(*flags, *wait_args); });
  });
}

}  // namespace gitmoor::cli
