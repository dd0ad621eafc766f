#pragma once
// Flag parsing shared by the commands that render an app (`gitmoor render`, `gitmoor apply`, `gitmoor diff --app`).
#include <filesystem>
#include <string>
#include <vector>

#include "gitmoor/renderer/render.hpp"

namespace gitmoor::cli {

// KEY=VALUE items of --set / --set-string into Helm parameters; a malformed item is a CLI::ValidationError naming
// `flag`.
std::vector<renderer::HelmParameter> parse_helm_parameters(const std::vector<std::string>& items, bool force_string,
                                                           const std::string& flag);

// Where repository mirrors live: `flag` when given, else $GITMOOR_CACHE_DIR, $XDG_CACHE_HOME/gitmoor or
// ~/.cache/gitmoor.
std::filesystem::path git_cache_dir(const std::string& flag);

}  // namespace gitmoor::cli
