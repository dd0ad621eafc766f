#pragma once
#include <filesystem>

#include "gitmoor/renderer/render_options.hpp"

namespace gitmoor::renderer {

// `helm template <release> <chart>` with the request's Helm options, offline, under the render limits.
std::vector<core::Object> render_helm(const std::filesystem::path& repo_root, const std::filesystem::path& chart_dir,
                                      const RenderRequest& request);

}  // namespace gitmoor::renderer
