#pragma once
// Which renderer a path needs. Detection follows Argo CD: a Chart.yaml means Helm, a kustomization file means
// Kustomize, anything else is a directory of manifests.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace gitmoor::renderer {

enum class SourceType { Helm, Kustomize, Directory };

[[nodiscard]] std::string_view to_string(SourceType type);
// "helm" | "kustomize" | "directory" (case-insensitive); std::nullopt otherwise.
[[nodiscard]] std::optional<SourceType> parse_source_type(std::string_view text);

// Chart.yaml → Helm; kustomization.yaml, kustomization.yml or Kustomization → Kustomize; otherwise Directory.
[[nodiscard]] SourceType detect_source_type(const std::filesystem::path& dir);

}  // namespace gitmoor::renderer
