#include "render_flags.hpp"

#include <cstdlib>

#include <CLI/CLI.hpp>

namespace gitmoor::cli {

namespace fs = std::filesystem;

std::vector<renderer::HelmParameter> parse_helm_parameters(const std::vector<std::string>& items, bool force_string,
                                                           const std::string& flag) {
  std::vector<renderer::HelmParameter> out;
  for (const auto& item : items) {
    const auto eq = item.find('=');
    if (eq == std::string::npos || eq == 0) throw CLI::ValidationError(flag, item + ": expected KEY=VALUE");
    out.push_back({.name = item.substr(0, eq), .value = item.substr(eq + 1), .force_string = force_string});
  }
  return out;
}

fs::path git_cache_dir(const std::string& flag) {
  if (!flag.empty()) return flag;
  if (const char* dir = std::getenv("GITMOOR_CACHE_DIR"); dir != nullptr && *dir != '\0') return dir;
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg != nullptr && *xdg != '\0') return fs::path(xdg) / "gitmoor";
  const char* home = std::getenv("HOME");
  return fs::path(home != nullptr ? home : "/tmp") / ".cache" / "gitmoor";
}

}  // namespace gitmoor::cli
