#pragma once
// Splitting `helm template` output into objects that name the template they came from.
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "gitmoor/core/object.hpp"

namespace gitmoor::renderer {

// Maps a `# Source:` path (`tetris/templates/backend.yaml`, `tetris/charts/redis/templates/x.yaml`) to the file
// name objects should carry (`helm/tetris/templates/backend.yaml`).
using SourceMapper = std::function<std::string(std::string_view source_comment_path)>;

// Parses helm's multi-document output; each object's SourceLocation.file is the mapped template, its document the
// index among that template's documents and its line the line within that template's rendered output (as
// `helm template --show-only` prints it: helm reports no lines of the template source). A document that is not
// valid YAML is a RenderError naming the template and the line in the same terms.
std::vector<core::Object> parse_helm_output(std::string_view output, const SourceMapper& map_source);

}  // namespace gitmoor::renderer
