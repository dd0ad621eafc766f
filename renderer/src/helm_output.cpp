#include "helm_output.hpp"

#include <algorithm>
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
  struct TemplateOutput {
    std::size_t documents = 0;  // documents with objects so far
    std::size_t lines = 0;      // lines of this template's output so far, each chunk with its `---`
  };
  std::map<std::string, TemplateOutput> per_file;
  for (auto& chunk : split_documents(output)) {
    const std::string file = chunk.source.empty() ? std::string("helm output") : map_source(chunk.source);
    TemplateOutput& so_far = per_file[file];
    // helm prints no template line numbers; lines count within this template's rendered output, as
    // `helm template --show-only templates/x.yaml` prints it (`---` on line 1, `# Source:` on line 2). Leading
    // newlines shift the chunk there, so object lines and YAML error positions both come out in those terms.
    const std::size_t offset = so_far.lines + 1;
    so_far.lines += 1 + static_cast<std::size_t>(std::count(chunk.text.begin(), chunk.text.end(), '\n'));
    std::vector<core::Object> parsed;
    try {
      parsed = core::parse_manifests(std::string(offset, '\n') + chunk.text, {.file = file});
    } catch (const core::YamlError& e) {
      throw RenderError("helm rendered invalid YAML from " + file + ": " + e.what());
    }
    for (auto& object : parsed) {
      object.set_source({.file = file, .document = so_far.documents, .line = object.source().line});
      objects.push_back(std::move(object));
    }
    if (!parsed.empty()) ++so_far.documents;
  }
  return objects;
}

}  // namespace gitmoor::renderer
