// gitmoor diff: desired manifests against live objects, offline. Reads the files and wires them to the differ.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include <nlohmann/json.hpp>

#include "command_apply.hpp"
#include "commands.hpp"
#include "gitmoor/core/error.hpp"
#include "gitmoor/core/yaml.hpp"
#include "gitmoor/differ/diff.hpp"
#include "gitmoor/differ/output.hpp"
#include "gitmoor/differ/schema.hpp"

namespace gitmoor::cli {

namespace {

namespace fs = std::filesystem;

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw core::InvalidInput(path.string() + ": cannot read");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

bool is_manifest(const fs::path& path) {
  const auto ext = path.extension().string();
  return ext == ".yaml" || ext == ".yml" || ext == ".json";
}

// A file, or every manifest under a folder (recursively, in path order so the result does not depend on the disk).
std::vector<core::Object> read_objects(const std::string& where) {
  const fs::path root(where);
  std::vector<fs::path> files;
  if (fs::is_directory(root)) {
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
      if (entry.is_regular_file() && is_manifest(entry.path())) files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
  } else if (fs::exists(root)) {
    files.push_back(root);
  } else {
    throw core::InvalidInput(where + ": no such file or directory");
  }
  std::vector<core::Object> objects;
  for (const auto& file : files) {
    auto parsed = core::parse_manifests(read_file(file), {.file = file.string()});
    for (auto& object : parsed) objects.push_back(std::move(object));
  }
  return objects;
}

// Rendered manifests often leave the namespace to the apply; give namespaced objects the default one so they match
// the live objects kubectl get printed.
void default_namespace(std::vector<core::Object>& objects, const std::string& ns) {
  for (auto& object : objects) {
    const auto gvk = object.gvk();
    if (object.ns().empty() && !differ::is_cluster_scoped(gvk.group, gvk.kind)) object.set_ns(ns);
  }
}

}  // namespace

void register_diff(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("diff", "Compare desired manifests with live objects, predicting server-side apply");
  struct Args {
    std::string desired, live, field_manager = "gitmoor", ignore_file, output = "text", ns = "default";
  };
  auto args = std::make_shared<Args>();
  cmd->add_option("--desired", args->desired, "Manifest file or folder of manifests (YAML or JSON)");
  cmd->add_option("--live", args->live, "Live objects: file or folder (kubectl get -o yaml output; Lists allowed)");
  // Live-cluster mode (--app with --dir/--repo and --kubeconfig): rendered app against the cluster; see command_apply.
  auto app_flags = std::make_shared<AppSourceFlags>();
  add_app_source_flags(*cmd, *app_flags);
  cmd->add_option("--field-manager", args->field_manager, "Field manager whose applied fields are compared")
      ->capture_default_str();
  cmd->add_option("--ignore-differences", args->ignore_file,
                  "YAML/JSON file with ignoreDifferences rules (a list, or an Application)");
  cmd->add_option("-n,--namespace", args->ns, "Namespace of desired objects that name none")->capture_default_str();
  cmd->add_option("-o,--output", args->output, "text or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  cmd->callback([args, app_flags, &exit_code] {
    if (app_flags->app.empty() && (args->desired.empty() || args->live.empty())) {
      throw CLI::RequiredError("--desired and --live (or --app with --dir/--repo)");
    }
    try {
      if (!app_flags->app.empty()) {
        differ::DiffOptions live_options{.field_manager = args->field_manager};
        if (!args->ignore_file.empty()) {
          live_options.ignore_rules =
              differ::parse_ignore_rules(core::parse_yaml(read_file(args->ignore_file), {.file = args->ignore_file}));
        }
        exit_code = run_live_diff(*app_flags, args->ns, live_options, args->output);
        return;
      }
      auto desired = read_objects(args->desired);
      auto live = read_objects(args->live);
      default_namespace(desired, args->ns);
      differ::DiffOptions options{.field_manager = args->field_manager};
      if (!args->ignore_file.empty()) {
        options.ignore_rules =
            differ::parse_ignore_rules(core::parse_yaml(read_file(args->ignore_file), {.file = args->ignore_file}));
      }
      const auto diff = differ::diff_app(desired, live, options);
      if (args->output == "json") {
        std::cout << differ::format_json(diff).dump(2) << "\n";
      } else {
        std::cout << differ::format_text(diff);
      }
      exit_code = diff.in_sync() ? kExitOk : kExitFailure;
    } catch (const std::exception& e) {
      // Exit 1 means "differs", so every failure to compare is 2.
      std::cerr << "error: " << e.what() << "\n";
      exit_code = kExitUsage;
    }
  });
}

}  // namespace gitmoor::cli
