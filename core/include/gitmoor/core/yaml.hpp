#pragma once
// YAML ⇄ JSON with Kubernetes semantics (DESIGN.md decision 2): a manifest means to gitmoor exactly what it means
// to kubectl, which decodes YAML with sigs.k8s.io/yaml over go-yaml v2. See core/src/yaml.cpp for the rules.
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "gitmoor/core/error.hpp"
#include "gitmoor/core/object.hpp"

namespace gitmoor::core {

// A YAML document that cannot be decoded. what() reads `file:line:column: message` (1-based line and column).
class YamlError : public InvalidInput {
 public:
  YamlError(std::string file, std::size_t line, std::size_t column, const std::string& message);
  [[nodiscard]] const std::string& file() const { return file_; }
  [[nodiscard]] std::size_t line() const { return line_; }
  [[nodiscard]] std::size_t column() const { return column_; }

 private:
  std::string file_;
  std::size_t line_;
  std::size_t column_;
};

// Something kubectl accepts but warns about (a duplicate key); `file:line:column: message`.
struct YamlWarning {
  std::string file;
  std::size_t line = 0;
  std::size_t column = 0;
  std::string message;
};

struct YamlOptions {
  std::string file;  // name used in errors, warnings and SourceLocation
  // Called for each warning; when empty, warnings are logged.
  std::function<void(const YamlWarning&)> on_warning;
};

// Decode one YAML (or JSON) document into JSON. An empty or comment-only input is null; a stream of several
// non-empty documents is an error (use parse_yaml_documents), rather than silently keeping the first.
// Integral floats (`1.0`, `1e3`) that fit int64 become JSON integers, as kubectl sends them; see yaml.cpp.
Json parse_yaml(std::string_view text, const YamlOptions& options = {});

// Decode a multi-document stream into JSON values, one per non-empty document (empty, comment-only and `null`
// documents are skipped, as kubectl does).
std::vector<Json> parse_yaml_documents(std::string_view text, const YamlOptions& options = {});

// Decode a manifest stream into objects: empty documents skipped, `kind: List` documents expanded into their items,
// each object carrying its SourceLocation (file, 0-based document index counting every `---` document, 1-based line
// of the document's first content; List items carry their List's). A document that is not a mapping is an error
// naming its position.
std::vector<Object> parse_manifests(std::string_view text, const YamlOptions& options = {});

// Encode JSON as YAML for display: keys in sorted order, two-space indent, strings quoted wherever a plain scalar
// would decode to something else, so parse_yaml(to_yaml(v)) == v.
std::string to_yaml(const Json& value);

// Encode several values as one multi-document stream (`---` between documents). A null value round-trips to no
// document at all, since decoding skips null documents.
std::string to_yaml_stream(const std::vector<Json>& values);

}  // namespace gitmoor::core
