#pragma once
// Preparing a chart for an offline `helm template`: every dependency must already be in charts/ (vendored) or be
// a `file://` chart inside the repository, which is staged into a scratch copy of the chart. Remote dependencies
// are never fetched: the render would depend on the network and on whatever the repository serves today.
#include <filesystem>
#include <map>
#include <string>

namespace gitmoor::renderer {

struct PreparedChart {
  std::filesystem::path dir;  // what to give helm: the chart itself, or the staged copy
  std::string name;           // Chart.yaml name (the first component of helm's `# Source:` comments)
  // charts/<name> of the staged copy → the repository-relative folder it was copied from.
  std::map<std::string, std::string> staged_dependencies;
};

// `chart_dir` is canonical and inside `repo_root` (canonical); `scratch` is an empty private folder that outlives
// the render. Throws RenderError naming the chart and dependency when one is missing or remote, and
// PathEscapesRepository for a file:// dependency or a symlink leaving the repository.
PreparedChart prepare_chart(const std::filesystem::path& repo_root, const std::filesystem::path& chart_dir,
                            const std::filesystem::path& scratch);

}  // namespace gitmoor::renderer
