#include "helm_renderer.hpp"

#include <fstream>

#include "gitmoor/core/tools.hpp"
#include "gitmoor/renderer/errors.hpp"
#include "gitmoor/renderer/repository_path.hpp"
#include "helm_chart.hpp"
#include "helm_output.hpp"
#include "temporary_directory.hpp"
#include "tool_run.hpp"

namespace gitmoor::renderer {

namespace fs = std::filesystem;

namespace {

void write_file(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out) throw core::EnvironmentError("cannot write " + path.string());
}

// Value files are relative to the app path (Argo CD's valueFiles) and must stay inside the repository.
std::vector<std::string> value_file_arguments(const fs::path& repo_root, const RenderRequest& request,
                                              const fs::path& scratch) {
  std::vector<std::string> args;
  const HelmOptions& helm = request.helm;
  for (const auto& file : helm.value_files) {
    if (fs::path(file).is_absolute()) {
      throw PathEscapesRepository("value file " + file + ": absolute paths are not allowed; give a path relative "
                                  "to the app path " + request.app_path);
    }
    const std::string relative = (fs::path(request.app_path) / file).lexically_normal().generic_string();
    const fs::path resolved =
        resolve_in_repository(repo_root, relative, "value file " + file, false);
    std::error_code ec;
    if (!fs::is_regular_file(resolved, ec)) {
      if (helm.ignore_missing_value_files) continue;
      throw RenderError("value file " + file + " (" + relative + ") does not exist in the repository");
    }
    args.insert(args.end(), {"--values", resolved.string()});
  }
  // Inline values come after the files, so they win, as in Argo CD; valuesObject wins over values.
  if (!helm.values_object.is_null()) {
    const fs::path path = scratch / "values-object.yaml";
    write_file(path, helm.values_object.dump());  // JSON is YAML
    args.insert(args.end(), {"--values", path.string()});
  } else if (!helm.values.empty()) {
    const fs::path path = scratch / "values-inline.yaml";
    write_file(path, helm.values);
    args.insert(args.end(), {"--values", path.string()});
  }
  return args;
}

}  // namespace

std::vector<core::Object> render_helm(const fs::path& repo_root, const fs::path& chart_dir,
                                      const RenderRequest& request) {
  const fs::path root = fs::canonical(repo_root);
  TemporaryDirectory scratch;
  const PreparedChart chart = prepare_chart(root, chart_dir, scratch.path());
  const HelmOptions& helm = request.helm;

  const std::string release = helm.release_name.empty() ? chart.name : helm.release_name;
  std::vector<std::string> argv{core::tool_path(core::Tool::Helm).string(), "template", release, chart.dir.string()};
  if (!helm.ns.empty()) argv.insert(argv.end(), {"--namespace", helm.ns});
  for (auto& arg : value_file_arguments(root, request, scratch.path())) argv.push_back(std::move(arg));
  for (const auto& parameter : helm.parameters) {
    argv.push_back(parameter.force_string ? "--set-string" : "--set");
    argv.push_back(parameter.name + "=" + parameter.value);
  }
  if (!helm.kube_version.empty()) argv.insert(argv.end(), {"--kube-version", helm.kube_version});
  for (const auto& api_version : helm.api_versions) argv.insert(argv.end(), {"--api-versions", api_version});
  if (!helm.skip_crds) argv.push_back("--include-crds");

  // helm's own state (repositories, cache) lives in the scratch folder: renders are offline and independent of
  // whatever the user running gitmoor has configured.
  const fs::path home = scratch.path() / "helm";
  core::SubprocessOptions options;
  options.environment = {{"HELM_CACHE_HOME", (home / "cache").string()},
                         {"HELM_CONFIG_HOME", (home / "config").string()},
                         {"HELM_DATA_HOME", (home / "data").string()}};
  options.working_dir = chart_dir;

  const std::string chart_display = fs::relative(chart_dir, root).generic_string();
  const std::string output = run_tool(argv, "helm template " + release + " " + chart_display, request.limits, options);

  const std::string chart_prefix = chart_display == "." ? std::string() : chart_display + "/";
  auto map_source = [&](std::string_view source) -> std::string {
    // `<chart name>/<path in chart>`; staged file:// dependencies map back to where they live in the repository.
    const auto slash = source.find('/');
    std::string in_chart(slash == std::string_view::npos ? source : source.substr(slash + 1));
    std::string best_key;
    for (const auto& [staged, original] : chart.staged_dependencies) {
      if (in_chart.starts_with(staged + "/") && staged.size() > best_key.size()) best_key = staged;
    }
    if (!best_key.empty()) {
      return chart.staged_dependencies.at(best_key) + in_chart.substr(best_key.size());
    }
    return chart_prefix + in_chart;
  };
  auto objects = parse_helm_output(output, map_source);
  if (objects.size() > request.limits.max_objects) {
    throw RenderLimitExceeded("helm template " + release + " " + chart_display + ": " +
                              std::to_string(objects.size()) + " objects, more than the cap of " +
                              std::to_string(request.limits.max_objects));
  }
  return objects;
}

}  // namespace gitmoor::renderer
