#pragma once
// The one place that says where the external tools gitmoor runs (helm, kubectl) are. scripts/setup.sh puts
// pinned versions into the project's tools folder; the binary has that folder compiled in.
#include <filesystem>
#include <string_view>

namespace gitmoor::core {

enum class Tool { Helm, Kubectl };

[[nodiscard]] std::string_view tool_name(Tool tool);

// Lookup order: the environment variable GITMOOR_HELM / GITMOOR_KUBECTL; the tools folder this build was
// configured with (GITMOOR_TOOLS_DIR); then PATH. Throws EnvironmentError naming the tool and the places searched.
[[nodiscard]] std::filesystem::path tool_path(Tool tool);

}  // namespace gitmoor::core
