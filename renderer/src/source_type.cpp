#include "gitmoor/renderer/source_type.hpp"

#include <algorithm>
#include <cctype>

namespace gitmoor::renderer {

std::string_view to_string(SourceType type) {
  switch (type) {
    case SourceType::Helm: return "Helm";
    case SourceType::Kustomize: return "Kustomize";
    case SourceType::Directory: return "Directory";
  }
  return "Directory";
}

std::optional<SourceType> parse_source_type(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  if (lower == "helm") return SourceType::Helm;
  if (lower == "kustomize") return SourceType::Kustomize;
  if (lower == "directory") return SourceType::Directory;
  return std::nullopt;
}

SourceType detect_source_type(const std::filesystem::path& dir) {
  std::error_code ec;
  if (std::filesystem::is_regular_file(dir / "Chart.yaml", ec)) return SourceType::Helm;
  for (const char* name : {"kustomization.yaml", "kustomization.yml", "Kustomization"}) {
    if (std::filesystem::is_regular_file(dir / name, ec)) return SourceType::Kustomize;
  }
  return SourceType::Directory;
}

}  // namespace gitmoor::renderer
