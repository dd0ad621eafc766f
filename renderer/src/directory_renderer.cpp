#include "directory_renderer.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "gitmoor/core/yaml.hpp"
#include "gitmoor/renderer/errors.hpp"
#include "gitmoor/renderer/repository_path.hpp"
#include "glob.hpp"

namespace gitmoor::renderer {

namespace fs = std::filesystem;

namespace {

bool is_manifest(const fs::path& file) {
  const auto ext = file.extension().string();
  return ext == ".yaml" || ext == ".yml" || ext == ".json";
}

std::vector<fs::path> manifest_files(const fs::path& dir, bool recurse) {
  std::vector<fs::path> files;
  std::error_code ec;
  auto consider = [&](const fs::directory_entry& entry) {
    if (entry.is_regular_file(ec) && is_manifest(entry.path())) files.push_back(entry.path());
  };
  if (recurse) {
    for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      // Hidden folders (.git, .github) hold no manifests of the app.
      if (it->is_directory(ec) && it->path().filename().string().starts_with(".")) {
        it.disable_recursion_pending();
        continue;
      }
      consider(*it);
    }
  } else {
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) consider(*it);
  }
  if (ec) throw RenderError("directory " + dir.string() + ": " + ec.message());
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

std::vector<core::Object> render_directory(const fs::path& repo_root, const fs::path& dir,
                                           const RenderRequest& request) {
  const fs::path root = fs::canonical(repo_root);
  std::vector<core::Object> objects;
  std::size_t total_bytes = 0;
  for (const auto& file : manifest_files(dir, request.directory.recurse)) {
    const std::string relative_to_app = fs::relative(file, dir).generic_string();
    if (!request.directory.include.empty() && !glob_matches(request.directory.include, relative_to_app)) continue;
    if (!request.directory.exclude.empty() && glob_matches(request.directory.exclude, relative_to_app)) continue;

    const std::string display = file.lexically_relative(root).generic_string();
    // A symlinked manifest is read only when its target stays inside the repository.
    std::error_code ec;
    const fs::path target = fs::canonical(file, ec);
    if (ec || !is_within(root, target)) {
      throw PathEscapesRepository("manifest " + display + " is a symlink to " +
                                  (ec ? std::string("a missing file") : target.string()) +
                                  ", outside the repository");
    }
    std::ifstream in(target, std::ios::binary);
    if (!in) throw RenderError("manifest " + display + ": cannot be read");
    std::ostringstream text;
    text << in.rdbuf();
    total_bytes += text.str().size();
    if (total_bytes > request.limits.max_output_bytes) {
      throw RenderLimitExceeded("directory " + request.app_path + ": manifests exceed the cap of " +
                                std::to_string(request.limits.max_output_bytes) + " bytes");
    }
    std::vector<core::Object> parsed;
    try {
      parsed = core::parse_manifests(text.str(), {.file = display});
    } catch (const core::YamlError& e) {
      throw RenderError(std::string("manifest ") + e.what());  // what() is `file:line:column: message`
    }
    for (auto& object : parsed) objects.push_back(std::move(object));
    if (objects.size() > request.limits.max_objects) {
      throw RenderLimitExceeded("directory " + request.app_path + ": more than " +
                                std::to_string(request.limits.max_objects) + " objects");
    }
  }
  return objects;
}

}  // namespace gitmoor::renderer
