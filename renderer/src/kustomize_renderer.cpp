#include "kustomize_renderer.hpp"

#include "gitmoor/core/tools.hpp"
#include "gitmoor/core/yaml.hpp"
#include "gitmoor/renderer/errors.hpp"
#include "tool_run.hpp"

namespace gitmoor::renderer {

namespace fs = std::filesystem;

std::vector<core::Object> render_kustomize(const fs::path& repo_root, const fs::path& dir,
                                           const RenderRequest& request) {
  const std::string display = fs::relative(dir, fs::canonical(repo_root)).generic_string();
  const std::string subject = "kubectl kustomize " + display;
  // The default load restrictor (LoadRestrictionsRootOnly) already keeps kustomize inside the kustomization root.
  const std::vector<std::string> argv{core::tool_path(core::Tool::Kubectl).string(), "kustomize", dir.string()};
  const std::string output = run_tool(argv, subject, request.limits);
  std::vector<core::Object> objects;
  try {
    objects = core::parse_manifests(output, {.file = display + " (kustomize output)"});
  } catch (const core::YamlError& e) {
    throw RenderError(subject + ": " + e.what());
  }
  if (objects.size() > request.limits.max_objects) {
    throw RenderLimitExceeded(subject + ": " + std::to_string(objects.size()) + " objects, more than the cap of " +
                              std::to_string(request.limits.max_objects));
  }
  return objects;
}

}  // namespace gitmoor::renderer
