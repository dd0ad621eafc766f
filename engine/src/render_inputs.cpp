#include "render_inputs.hpp"

#include <filesystem>

#include "gitmoor/core/yaml.hpp"

namespace gitmoor::engine {

namespace {

std::string join(const std::string& dir, const std::string& file) {
  return (std::filesystem::path(dir) / file).lexically_normal().generic_string();
}

bool has_local_chart_dependencies(const std::string& chart_yaml) {
  try {
    const core::Json chart = core::parse_yaml(chart_yaml);
    if (!chart.is_object() || !chart.contains("dependencies") || !chart["dependencies"].is_array()) return false;
    for (const auto& dep : chart["dependencies"]) {
      if (dep.is_object() && dep.value("repository", std::string()).starts_with("file://")) return true;
    }
    return false;
  } catch (const core::Error&) {
    return true;  // unreadable: let the commit decide, and the renderer report it
  }
}

}  // namespace

std::vector<std::string> render_inputs_identities(GitSource& source, const Repository& repository,
                                                  const std::string& commit,
                                                  const std::vector<const AppSource*>& apps) {
  using renderer::SourceType;
  constexpr std::size_t kFixed = 5;  // folder, Chart.yaml, three kustomization names; then the value files
  std::vector<PathQuery> queries;
  std::vector<std::size_t> first_query;
  for (const AppSource* app : apps) {
    first_query.push_back(queries.size());
    const std::vector<PathQuery> fixed{
        {.path = app->path, .read_content = false, .find_symlinks = true},
        {.path = join(app->path, "Chart.yaml"), .read_content = true, .find_symlinks = false},
        {.path = join(app->path, "kustomization.yaml")},
        {.path = join(app->path, "kustomization.yml")},
        {.path = join(app->path, "Kustomization")}};
    queries.insert(queries.end(), fixed.begin(), fixed.end());
    for (const auto& file : app->render.helm.value_files) queries.push_back({.path = join(app->path, file)});
  }
  const auto info = source.inspect(repository, commit, queries);

  std::vector<std::string> identities(apps.size());
  for (std::size_t a = 0; a < apps.size(); ++a) {
    const AppSource& app = *apps[a];
    const PathInfo* at = &info[first_query[a]];
    const auto forced = app.render.type;
    if (forced == SourceType::Kustomize) continue;
    const PathInfo& folder = at[0];
    if (folder.id.empty() || !folder.is_tree || folder.has_symlink) continue;
    const bool helm = forced == SourceType::Helm || (!forced && !at[1].id.empty());
    const bool kustomize = !forced && !helm && (!at[2].id.empty() || !at[3].id.empty() || !at[4].id.empty());
    if (kustomize) continue;
    std::string identity = "inputs:" + folder.id;
    if (helm) {
      if (has_local_chart_dependencies(at[1].content)) continue;
      bool symlinked = false;
      for (std::size_t v = 0; v < app.render.helm.value_files.size(); ++v) {
        const PathInfo& file = at[kFixed + v];
        symlinked = symlinked || file.has_symlink;
        identity += ";" + (file.id.empty() ? std::string("-") : file.id);
      }
      if (symlinked) continue;
    }
    identities[a] = std::move(identity);
  }
  return identities;
}

}  // namespace gitmoor::engine
