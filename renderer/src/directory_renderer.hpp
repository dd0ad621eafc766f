#pragma once
#include <filesystem>

#include "gitmoor/renderer/render_options.hpp"

namespace gitmoor::renderer {

// The .yaml, .yml and .json files of `dir` (recursively when asked, in path order), filtered by the include and
// exclude globs; other files are ignored. Each object carries `<app path>/<file>:<line>`.
std::vector<core::Object> render_directory(const std::filesystem::path& repo_root, const std::filesystem::path& dir,
                                           const RenderRequest& request);

}  // namespace gitmoor::renderer
