#include "gitmoor/core/tools.hpp"

#include <cstdlib>
#include <string>
#include <unistd.h>

#include "gitmoor/core/error.hpp"

#ifndef GITMOOR_TOOLS_DIR
#define GITMOOR_TOOLS_DIR ""
#endif

namespace gitmoor::core {
namespace {

bool is_executable(const std::filesystem::path& path) {
  std::error_code ec;
  return std::filesystem::is_regular_file(path, ec) && ::access(path.c_str(), X_OK) == 0;
}

std::filesystem::path search_path(std::string_view name) {
  const char* path_env = std::getenv("PATH");
  std::string_view dirs = path_env ? path_env : "/usr/local/bin:/usr/bin:/bin";
  while (!dirs.empty()) {
    auto colon = dirs.find(':');
    std::string_view dir = dirs.substr(0, colon);
    if (!dir.empty()) {
      auto candidate = std::filesystem::path(dir) / name;
      if (is_executable(candidate)) return candidate;
    }
    if (colon == std::string_view::npos) break;
    dirs.remove_prefix(colon + 1);
  }
  return {};
}

}  // namespace

std::string_view tool_name(Tool tool) {
  switch (tool) {
    case Tool::Helm: return "helm";
    case Tool::Kubectl: return "kubectl";
  }
  return "?";
}

std::filesystem::path tool_path(Tool tool) {
  const std::string name(tool_name(tool));
  const std::string env_var = tool == Tool::Helm ? "GITMOOR_HELM" : "GITMOOR_KUBECTL";
  if (const char* from_env = std::getenv(env_var.c_str()); from_env && *from_env) {
    if (is_executable(from_env)) return from_env;
    throw EnvironmentError(env_var + "=" + from_env + ": not an executable file");
  }
  const std::filesystem::path tools_dir = GITMOOR_TOOLS_DIR;
  if (!tools_dir.empty() && is_executable(tools_dir / name)) return tools_dir / name;
  if (auto found = search_path(name); !found.empty()) return found;
  throw EnvironmentError(name + " not found: set " + env_var + ", run scripts/setup.sh (installs into " +
                         tools_dir.string() + "), or put " + name + " on PATH");
}

}  // namespace gitmoor::core
