#include "gitmoor/renderer/render.hpp"

#include "directory_renderer.hpp"
#include "gitmoor/renderer/repository_path.hpp"
#include "helm_renderer.hpp"
#include "kustomize_renderer.hpp"

namespace gitmoor::renderer {

namespace fs = std::filesystem;

RenderResult render(const RenderRequest& request) {
  const std::string app_path = request.app_path.empty() ? std::string(".") : request.app_path;
  const fs::path dir = resolve_in_repository(request.repo_root, app_path, "path " + app_path);
  if (!fs::is_directory(dir)) throw RenderError("path " + app_path + " is not a directory");

  RenderResult result;
  result.type = request.type.value_or(detect_source_type(dir));
  switch (result.type) {
    case SourceType::Helm: result.objects = render_helm(request.repo_root, dir, request); break;
    case SourceType::Kustomize: result.objects = render_kustomize(request.repo_root, dir, request); break;
    case SourceType::Directory: result.objects = render_directory(request.repo_root, dir, request); break;
  }
  return result;
}

}  // namespace gitmoor::renderer
