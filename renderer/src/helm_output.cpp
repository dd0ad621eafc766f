#include "helm_output.hpp"

#include <map>

#include "gitmoor/core/yaml.hpp"
#include "gitmoor/renderer/errors.hpp"

namespace gitmoor::renderer {

namespace {

constexpr std::string_view kSourcePrefix = "# Source: ";

struct Chunk {
  std::string source;  // the `# Source:` path; empty when helm printed none
  std::string text;
};

std::vector<Chunk> split_documents(std::string_view output) {
  std::vector<Chunk> chunks(1);
  std::size_t pos = 0;
  while (pos < output.size()) {
    std::size_t end = output.find('\n', pos);
    if (end == std::string_view::npos) end = output.size();
    std::string_view line = output.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line == "---" || line.starts_with("--- ")) {
      chunks.emplace_back();
    } else {
      if (chunks.back().source.empty() && line.starts_with(kSourcePrefix)) {
        chunks.back().source = std::string(line.substr(kSourcePrefix.size()));
      }
      chunks.back().text.append(line).push_back('\n');
    }
    pos = end + 1;
  }
  return chunks;
}

}  // namespace

std::vector<core::Object> parse_helm_output(std::string_view output, const SourceMapper& map_source) {
  std::vector<core::Object> objects;
  std::map<std::string, std::size_t> documents_per_file;
  for (auto& chunk : split_documents(output)) {
    const std::string file = chunk.source.empty() ? std::string("helm output") : map_source(chunk.source);
    std::vector<core::Object> parsed;
    try {
      parsed = core::parse_manifests(chunk.text, {.file = file});
    } catch (const core::YamlError& e) {
      throw RenderError("helm rendered invalid YAML from " + file + ": " + e.what());
    }
    std::size_t& index = documents_per_file[file];
    for (auto& object : parsed) {
      // The line inside the rendered chunk says nothing about the template's own lines: keep file and document.
      object.set_source({.file = file, .document = index, .line = 0});
      objects.push_back(std::move(object));
    }
    if (!parsed.empty()) ++index;
  }
  return objects;
}

}  // namespace gitmoor::renderer
