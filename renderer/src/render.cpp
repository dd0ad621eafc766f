#include "gitmoor/renderer/render.hpp"

#include <cctype>
#include <chrono>

#include "directory_renderer.hpp"
#include "gitmoor/core/metrics.hpp"
#include "gitmoor/renderer/repository_path.hpp"
#include "helm_renderer.hpp"
#include "kustomize_renderer.hpp"

namespace gitmoor::renderer {

namespace fs = std::filesystem;

namespace {

// gitmoor_render_seconds{source_type}: every render run (a cache hit runs none), failed ones included. The source
// type in lower case (helm, kustomize, directory), as spec.source's keys and the --type flag write it.
void observe_render(SourceType type, std::chrono::steady_clock::time_point started) {
  static auto& seconds = core::metrics::registry().histogram(
      "gitmoor_render_seconds", "Duration of manifest renders (helm template, kubectl kustomize, directory reads), "
      "by source type; cache hits run none.", {"source_type"}, core::metrics::fast_buckets());
  std::string source_type(to_string(type));
  for (auto& c : source_type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  seconds.labels({source_type})
      .observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
}

}  // namespace

RenderResult render(const RenderRequest& request) {
  const std::string app_path = request.app_path.empty() ? std::string(".") : request.app_path;
  const fs::path dir = resolve_in_repository(request.repo_root, app_path, "path " + app_path);
  if (!fs::is_directory(dir)) throw RenderError("path " + app_path + " is not a directory");

  RenderResult result;
  result.type = request.type.value_or(detect_source_type(dir));
  const auto started = std::chrono::steady_clock::now();
  try {
    switch (result.type) {
      case SourceType::Helm: result.objects = render_helm(request.repo_root, dir, request); break;
      case SourceType::Kustomize: result.objects = render_kustomize(request.repo_root, dir, request); break;
      case SourceType::Directory: result.objects = render_directory(request.repo_root, dir, request); break;
    }
  } catch (...) {
    observe_render(result.type, started);
    throw;
  }
  observe_render(result.type, started);
  return result;
}

}  // namespace gitmoor::renderer
