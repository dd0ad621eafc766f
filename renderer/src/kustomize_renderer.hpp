#pragma once
#include <filesystem>

#include "gitmoor/renderer/render_options.hpp"

namespace gitmoor::renderer {

// `kubectl kustomize <dir>` (helm chart inflation stays off: charts go through the Helm renderer) under the limits.
std::vector<core::Object> render_kustomize(const std::filesystem::path& repo_root, const std::filesystem::path& dir,
                                           const RenderRequest& request);

}  // namespace gitmoor::renderer
