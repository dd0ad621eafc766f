#pragma once
// Editing one scalar of a YAML file in place, the way a person would: only the value's characters change, so
// comments, key order, indentation and quoting stay, and the Git diff of a CI tag bump is exactly one line.
// `gitmoor image set` is built on it. See core/src/yaml_edit.cpp for what is located and how.
#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace gitmoor::core {

// One key the edit set.
struct YamlScalarChange {
  std::string key;        // the dotted key path, as given
  std::size_t line = 0;   // 1-based line of the value
  std::string previous;   // the old value: a string as is, another scalar as JSON (`123`, `null`); "" when empty
  bool changed = false;   // false when the value already was this string: the text is then left as it was
};

struct YamlScalarEdit {
  std::string text;                       // the whole text after the edit
  std::vector<YamlScalarChange> changes;  // one per key path, in the order given
};

// `backend.image.tag` → {"backend", "image", "tag"}. A key that holds a dot writes it `\.`
// (`podAnnotations.prometheus\.io/scrape`), as `helm --set` does. Empty segments are an InvalidInput.
std::vector<std::string> split_key_path(std::string_view key_path);

// Sets the scalar at each dotted key path (block or flow mappings) to the string `value`, which must be one line of
// printable characters. Only the old value's characters are replaced: its quoting style is kept (a plain scalar
// becomes double-quoted when the new string would otherwise read as another type or break the YAML, e.g. an
// all-digit SHA or `1e5`), and so is a trailing comment. The result is checked by decoding it: it must equal the
// old document with just those values changed.
// Throws InvalidInput naming `file` (and the line where there is one) when the text is not YAML, holds several
// documents, a key is missing (naming the first missing segment), appears twice, or the value is not a single-line
// scalar (a mapping, a sequence, an alias, an anchored or block scalar, a scalar with a non-string tag).
YamlScalarEdit set_yaml_scalars(std::string_view text, const std::vector<std::string>& key_paths,
                                std::string_view value, const std::string& file);

// The same on a file: read, edited, and written back through a temporary file in the same folder and a rename, with
// the file's permissions kept. On any error, or when no value changes, the file is not touched.
// Throws InvalidInput for a missing file or bad content, EnvironmentError when reading or writing fails.
YamlScalarEdit set_yaml_scalars_in_file(const std::filesystem::path& file, const std::vector<std::string>& key_paths,
                                        std::string_view value);

}  // namespace gitmoor::core
