#include "helm_chart.hpp"

#include <fstream>
#include <sstream>
#include <vector>

#include "gitmoor/core/yaml.hpp"
#include "gitmoor/renderer/errors.hpp"
#include "gitmoor/renderer/repository_path.hpp"

namespace gitmoor::renderer {

namespace fs = std::filesystem;

namespace {

struct Dependency {
  std::string name;
  std::string repository;
};

struct ChartFile {
  std::string name;
  std::vector<Dependency> dependencies;
};

ChartFile read_chart_file(const fs::path& chart_dir, const std::string& display) {
  std::ifstream in(chart_dir / "Chart.yaml");
  if (!in) throw RenderError("chart " + display + ": Chart.yaml cannot be read");
  std::ostringstream text;
  text << in.rdbuf();
  core::Json chart;
  try {
    chart = core::parse_yaml(text.str(), {.file = display + "/Chart.yaml"});
  } catch (const core::YamlError& e) {
    throw RenderError(std::string("chart ") + e.what());
  }
  if (!chart.is_object()) throw RenderError("chart " + display + "/Chart.yaml: not a mapping");
  ChartFile out;
  out.name = chart.value("name", std::string());
  if (chart.contains("dependencies") && chart["dependencies"].is_array()) {
    for (const auto& dep : chart["dependencies"]) {
      if (!dep.is_object()) continue;
      out.dependencies.push_back({dep.value("name", std::string()), dep.value("repository", std::string())});
    }
  }
  return out;
}

// A dependency is vendored when charts/ holds its unpacked folder or a `<name>-<version>.tgz`.
bool is_vendored(const fs::path& chart_dir, const std::string& name) {
  const fs::path charts = chart_dir / "charts";
  std::error_code ec;
  if (!fs::is_directory(charts, ec)) return false;
  for (const auto& entry : fs::directory_iterator(charts, ec)) {
    const std::string file = entry.path().filename().string();
    if (entry.is_directory(ec) && fs::exists(entry.path() / "Chart.yaml", ec)) {
      try {
        if (read_chart_file(entry.path(), file).name == name) return true;
      } catch (const RenderError&) {
        // helm will report the broken subchart itself.
      }
    } else if (file.starts_with(name + "-") && file.ends_with(".tgz")) {
      return true;
    }
  }
  return false;
}

// Symlinks inside a chart are followed by helm: each must stay inside the repository.
void check_symlinks(const fs::path& repo_root, const fs::path& dir) {
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (!it->is_symlink(ec)) continue;
    const fs::path target = fs::weakly_canonical(it->path(), ec);
    if (ec || !is_within(repo_root, target)) {
      throw PathEscapesRepository("chart file " + it->path().lexically_relative(repo_root).generic_string() +
                                  " is a symlink to " + target.string() + ", outside the repository");
    }
  }
}

std::string display_of(const fs::path& repo_root, const fs::path& dir) {
  std::string rel = fs::relative(dir, repo_root).generic_string();
  return rel.empty() ? "." : rel;
}

// Copies file:// dependencies that charts/ lacks into `staged`/charts, recursively for their own dependencies.
void stage_dependencies(const fs::path& repo_root, const fs::path& original, const fs::path& staged,
                        const std::string& prefix, std::map<std::string, std::string>& staged_map) {
  const std::string display = display_of(repo_root, original);
  const ChartFile chart = read_chart_file(original, display);
  for (const auto& dep : chart.dependencies) {
    if (is_vendored(original, dep.name)) continue;
    if (!dep.repository.starts_with("file://")) {
      throw RenderError("chart " + display + ": dependency " + dep.name +
                        (dep.repository.empty() ? std::string() : " from " + dep.repository) +
                        " is not vendored in charts/; remote dependencies are not downloaded at render time — run "
                        "`helm dependency build " + display + "` and commit its charts/ folder");
    }
    const std::string relative = dep.repository.substr(std::string_view("file://").size());
    const fs::path source_rel = fs::relative(original, repo_root) / relative;
    const fs::path source =
        resolve_in_repository(repo_root, source_rel.generic_string(),
                              "chart " + display + " dependency " + dep.name + " (" + dep.repository + ")");
    if (!fs::exists(source / "Chart.yaml")) {
      throw RenderError("chart " + display + ": dependency " + dep.name + " at " + dep.repository +
                        " has no Chart.yaml");
    }
    check_symlinks(repo_root, source);
    const fs::path target = staged / "charts" / dep.name;
    fs::create_directories(target);
    fs::copy(source, target, fs::copy_options::recursive | fs::copy_options::overwrite_existing);
    staged_map[prefix + "charts/" + dep.name] = display_of(repo_root, source);
    stage_dependencies(repo_root, source, target, prefix + "charts/" + dep.name + "/", staged_map);
  }
}

bool needs_staging(const fs::path& repo_root, const fs::path& chart_dir) {
  const ChartFile chart = read_chart_file(chart_dir, display_of(repo_root, chart_dir));
  for (const auto& dep : chart.dependencies) {
    if (!is_vendored(chart_dir, dep.name)) return true;
  }
  return false;
}

}  // namespace

PreparedChart prepare_chart(const fs::path& repo_root, const fs::path& chart_dir, const fs::path& scratch) {
  check_symlinks(repo_root, chart_dir);
  const ChartFile chart = read_chart_file(chart_dir, display_of(repo_root, chart_dir));
  PreparedChart prepared{.dir = chart_dir, .name = chart.name, .staged_dependencies = {}};
  if (!needs_staging(repo_root, chart_dir)) return prepared;

  // The checkout is shared and read-only: stage a copy rather than writing charts/ into it.
  const fs::path staged = scratch / "chart" / chart_dir.filename();
  fs::create_directories(staged);
  fs::copy(chart_dir, staged, fs::copy_options::recursive);
  stage_dependencies(repo_root, chart_dir, staged, "", prepared.staged_dependencies);
  prepared.dir = staged;
  return prepared;
}

}  // namespace gitmoor::renderer
