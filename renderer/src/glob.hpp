#pragma once
// The globs of spec.source.directory.include/exclude: `*`, `?`, `[...]` and `{a,b}` alternatives, matched
// against a path relative to the app path (`*` also crosses `/`, as in Argo CD's matching of relative paths).
#include <string>
#include <string_view>
#include <vector>

namespace gitmoor::renderer {

// `{a.yaml,b/*.yml}` → {"a.yaml", "b/*.yml"}; nested braces are expanded too.
[[nodiscard]] std::vector<std::string> expand_braces(std::string_view pattern);

[[nodiscard]] bool glob_matches(std::string_view pattern, std::string_view path);

}  // namespace gitmoor::renderer
