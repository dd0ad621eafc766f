// Editing one scalar of a YAML text in place (yaml_edit.hpp).
//
// Locating the value. yaml-cpp's event parser reports every node with the Mark (byte offset, line, column) of its
// first token: for a scalar, its properties (`!tag`, `&anchor`) or its first character. A small tree of the
// document is built from those events and the key path walked through it. The value's extent is then read from the
// source bytes: up to the closing quote on the same line for a quoted scalar; for a plain one, up to a comment or
// the line's end (and `,]}` inside a flow collection), which must equal what yaml-cpp decoded, so a scalar that
// continues on the next line is refused rather than half-replaced. An empty value (`tag:`) has no characters: the
// new one goes right after the key's colon.
//
// Trust but verify: the edited text is decoded again with the project's codec and must equal the old document with
// just the edited values changed; otherwise nothing is returned and the caller's file stays as it was.
#include "gitmoor/core/yaml_edit.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>

#include "gitmoor/core/error.hpp"
#include "gitmoor/core/object.hpp"
#include "gitmoor/core/yaml.hpp"

namespace gitmoor::core {
namespace {

namespace fs = std::filesystem;

std::string display_file(const std::string& file) { return file.empty() ? std::string("<input>") : file; }

// ---------------------------------------------------------------------------------------------------------------
// The document as yaml-cpp's events describe it: just enough to walk a key path and find a value's first byte.

struct SourceNode {
  enum class Kind { Scalar, Null, Alias, Map, Sequence };
  Kind kind = Kind::Null;
  YAML::Mark mark;
  std::string tag;    // scalars: "?" plain without a tag, "!" quoted or block, else the resolved tag
  std::string value;  // scalars: the decoded text
  YAML::anchor_t anchor = 0;
  bool flow = false;                                  // collections written `{...}` or `[...]`
  std::vector<std::unique_ptr<SourceNode>> children;  // a map's keys and values alternating; a sequence's items
};

const char* kind_name(SourceNode::Kind kind) {
  switch (kind) {
    case SourceNode::Kind::Scalar:
      return "a scalar";
    case SourceNode::Kind::Null:
      return "null";
    case SourceNode::Kind::Alias:
      return "an alias";
    case SourceNode::Kind::Map:
      return "a mapping";
    case SourceNode::Kind::Sequence:
      return "a sequence";
  }
  return "a node";
}

std::size_t line_of(const SourceNode& node) { return static_cast<std::size_t>(node.mark.line) + 1; }

class SourceTreeBuilder : public YAML::EventHandler {
 public:
  [[nodiscard]] std::vector<std::unique_ptr<SourceNode>>& documents() { return documents_; }

  void OnDocumentStart(const YAML::Mark& /*mark*/) override {
    root_.reset();
    stack_.clear();
  }
  void OnDocumentEnd() override {
    if (root_ && root_->kind != SourceNode::Kind::Null) documents_.push_back(std::move(root_));
  }
  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    add(leaf(SourceNode::Kind::Null, mark, "", "", anchor));
  }
  // The anchor an alias names is not an anchor of the alias node itself.
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t /*anchor*/) override {
    add(leaf(SourceNode::Kind::Alias, mark, "", "", 0));
  }
  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    add(leaf(SourceNode::Kind::Scalar, mark, tag, value, anchor));
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value style) override {
    open(collection(SourceNode::Kind::Sequence, mark, tag, anchor, style));
  }
  void OnSequenceEnd() override { stack_.pop_back(); }
  void OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value style) override {
    open(collection(SourceNode::Kind::Map, mark, tag, anchor, style));
  }
  void OnMapEnd() override { stack_.pop_back(); }

 private:
  static std::unique_ptr<SourceNode> leaf(SourceNode::Kind kind, const YAML::Mark& mark, const std::string& tag,
                                          const std::string& value, YAML::anchor_t anchor) {
    auto node = std::make_unique<SourceNode>();
    node->kind = kind;
    node->mark = mark;
    node->tag = tag;
    node->value = value;
    node->anchor = anchor;
    return node;
  }
  static std::unique_ptr<SourceNode> collection(SourceNode::Kind kind, const YAML::Mark& mark, const std::string& tag,
                                                YAML::anchor_t anchor, YAML::EmitterStyle::value style) {
    auto node = leaf(kind, mark, tag, "", anchor);
    node->flow = style == YAML::EmitterStyle::Flow;
    return node;
  }
  void add(std::unique_ptr<SourceNode> node) {
    if (stack_.empty()) {
      root_ = std::move(node);
    } else {
      stack_.back()->children.push_back(std::move(node));
    }
  }
  void open(std::unique_ptr<SourceNode> node) {
    SourceNode* raw = node.get();  // owned by its parent (or root_) from here on
    add(std::move(node));
    stack_.push_back(raw);
  }

  std::unique_ptr<SourceNode> root_;
  std::vector<SourceNode*> stack_;
  std::vector<std::unique_ptr<SourceNode>> documents_;
};

// The first non-empty document (parse_yaml has already refused a stream of several), or null for an empty text.
std::unique_ptr<SourceNode> parse_source_tree(std::string_view text, const std::string& file) {
  std::istringstream in{std::string(text)};
  SourceTreeBuilder builder;
  try {
    YAML::Parser parser(in);
    while (parser.HandleNextDocument(builder)) {
    }
  } catch (const YAML::Exception& e) {
    throw YamlError(file, static_cast<std::size_t>(e.mark.line) + 1, static_cast<std::size_t>(e.mark.column) + 1,
                    e.msg);
  }
  auto& documents = builder.documents();
  return documents.empty() ? nullptr : std::move(documents.front());
}

// ---------------------------------------------------------------------------------------------------------------
// Walking the key path.

struct Located {
  const SourceNode* key = nullptr;
  const SourceNode* value = nullptr;
  bool in_flow = false;  // the value sits in a flow mapping, where `,]}` end a plain scalar
};

std::string join(const std::vector<std::string>& segments, std::size_t count) {
  std::string out;
  for (std::size_t i = 0; i < count; ++i) out += (i ? "." : "") + segments[i];
  return out;
}

[[noreturn]] void fail_at(const std::string& file, const SourceNode& node, const std::string& message) {
  throw YamlError(file, line_of(node), static_cast<std::size_t>(node.mark.column) + 1, message);
}

Located locate(const SourceNode* root, const std::vector<std::string>& segments, const std::string& key_path,
               const std::string& file) {
  const std::string subject = "key `" + key_path + "`";
  if (!root) throw InvalidInput(display_file(file) + ": " + subject + " not found: the file holds no YAML document");
  Located found;
  const SourceNode* node = root;
  for (std::size_t i = 0; i < segments.size(); ++i) {
    const std::string parent = i == 0 ? "the document" : "`" + join(segments, i) + "`";
    if (node->kind != SourceNode::Kind::Map) {
      fail_at(file, *node, subject + " not found: " + parent + " is " + kind_name(node->kind) + ", not a mapping");
    }
    // An anchored mapping may be merged or aliased elsewhere: editing it would change those copies too.
    if (node->anchor != 0) {
      fail_at(file, *node, subject + ": " + parent + " carries an anchor (&), so its aliases would change too");
    }
    std::vector<std::size_t> matches;
    bool has_merge = false;
    for (std::size_t k = 0; k + 1 < node->children.size(); k += 2) {
      const SourceNode& key = *node->children[k];
      if (key.kind != SourceNode::Kind::Scalar) continue;
      if (key.tag == "?" && key.value == "<<") has_merge = true;
      if (key.value == segments[i]) matches.push_back(k);
    }
    if (matches.empty()) {
      std::string message = subject + " not found: " + parent + " has no key `" + segments[i] + "`";
      if (has_merge) message += " (keys merged in with `<<` are not edited through the merge)";
      if (i == 0) throw InvalidInput(display_file(file) + ": " + message);
      fail_at(file, *node, message);
    }
    if (matches.size() > 1) {
      std::string lines;
      for (auto k : matches) lines += (lines.empty() ? "" : ", ") + std::to_string(line_of(*node->children[k]));
      fail_at(file, *node->children[matches[1]],
              subject + " is ambiguous: `" + join(segments, i + 1) + "` appears " + std::to_string(matches.size()) +
                  " times (lines " + lines + ")");
    }
    found.key = node->children[matches.front()].get();
    found.value = node->children[matches.front() + 1].get();
    found.in_flow = node->flow;
    node = found.value;
  }
  switch (node->kind) {
    case SourceNode::Kind::Map:
    case SourceNode::Kind::Sequence:
      fail_at(file, *node, subject + " is " + kind_name(node->kind) + ", not a scalar");
    case SourceNode::Kind::Alias:
      fail_at(file, *node, subject + " is an alias (*); edit the anchored value it names instead");
    case SourceNode::Kind::Scalar:
    case SourceNode::Kind::Null:
      break;
  }
  if (node->anchor != 0) fail_at(file, *node, subject + " carries an anchor (&), so its aliases would change too");
  static const std::string kStringTag = "tag:yaml.org,2002:str";
  if (node->kind == SourceNode::Kind::Scalar && node->tag != "?" && node->tag != "!" && node->tag != kStringTag) {
    fail_at(file, *node, subject + " has the tag `" + node->tag + "`; only string values are set");
  }
  return found;
}

// ---------------------------------------------------------------------------------------------------------------
// The value's characters in the source.

bool is_blank(char c) { return c == ' ' || c == '\t'; }
bool is_break(char c) { return c == '\n' || c == '\r'; }

// Past a node's properties (`!tag`, `&anchor`) and the blanks after them.
std::size_t skip_properties(std::string_view text, std::size_t pos) {
  while (pos < text.size() && (text[pos] == '!' || text[pos] == '&')) {
    while (pos < text.size() && !is_blank(text[pos]) && !is_break(text[pos])) ++pos;
    while (pos < text.size() && is_blank(text[pos])) ++pos;
  }
  return pos;
}

// The closing quote of the quoted scalar opening at `open`, when it closes on the same line.
std::optional<std::size_t> closing_quote(std::string_view text, std::size_t open) {
  const char quote = text[open];
  for (std::size_t i = open + 1; i < text.size(); ++i) {
    const char c = text[i];
    if (is_break(c)) return std::nullopt;
    if (quote == '"' && c == '\\') {
      if (i + 1 >= text.size() || is_break(text[i + 1])) return std::nullopt;  // an escaped line break
      ++i;
    } else if (c == quote) {
      if (quote == '\'' && i + 1 < text.size() && text[i + 1] == '\'') {
        ++i;  // '' is an escaped quote
      } else {
        return i;
      }
    }
  }
  return std::nullopt;
}

// Where a plain scalar starting at `begin` ends on its line: before ` #` or the line break, and in a flow
// collection before `,]}`; trailing blanks are not part of it.
std::size_t plain_end(std::string_view text, std::size_t begin, bool in_flow) {
  std::size_t i = begin;
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (is_break(c)) break;
    if (c == '#' && i > begin && is_blank(text[i - 1])) break;
    if (in_flow && (c == ',' || c == ']' || c == '}')) break;
  }
  while (i > begin && is_blank(text[i - 1])) --i;
  return i;
}

enum class Style { Plain, Single, Double };

// The characters to replace; `begin == end` inserts (an empty value).
struct ValueSpan {
  std::size_t begin = 0;
  std::size_t end = 0;
  Style style = Style::Plain;
  bool insert = false;
  std::size_t line = 0;
};

class SpanFinder {
 public:
  SpanFinder(std::string_view text, std::string file, std::string subject)
      : text_(text),
        // yaml-cpp reads past a UTF-8 byte order mark without counting it in its offsets.
        bom_(text.substr(0, 3) == "\xef\xbb\xbf" ? 3 : 0),
        file_(std::move(file)),
        subject_(std::move(subject)) {}

  ValueSpan find(const Located& located) const {
    const SourceNode& value = *located.value;
    if (value.kind == SourceNode::Kind::Scalar) return scalar_span(value, located.in_flow);
    return null_span(*located.key, value, located.in_flow);
  }

 private:
  [[noreturn]] void unlocatable(const SourceNode& node, const std::string& why) const {
    fail_at(file_, node, subject_ + ": " + why);
  }

  std::size_t start_of(const SourceNode& node) const {
    const std::size_t pos = static_cast<std::size_t>(node.mark.pos) + bom_;
    if (node.mark.pos < 0 || pos >= text_.size()) unlocatable(node, "cannot find its value in the text");
    return skip_properties(text_, pos);
  }

  ValueSpan scalar_span(const SourceNode& node, bool in_flow) const {
    const std::size_t begin = start_of(node);
    if (begin >= text_.size() || is_break(text_[begin])) unlocatable(node, "cannot find its value in the text");
    const char first = text_[begin];
    if (first == '|' || first == '>') unlocatable(node, "is a block scalar (| or >); only one-line values are set");
    if (first == '\'' || first == '"') {
      auto close = closing_quote(text_, begin);
      if (!close) unlocatable(node, "is a quoted scalar over several lines; only one-line values are set");
      return {begin, *close + 1, first == '\'' ? Style::Single : Style::Double, false, line_of(node)};
    }
    const std::size_t end = plain_end(text_, begin, in_flow);
    // Anything else means the scalar goes on after this line (or the offsets are not what we think).
    if (text_.substr(begin, end - begin) != node.value) {
      unlocatable(node, "is a plain scalar over several lines; only one-line values are set");
    }
    return {begin, end, Style::Plain, false, line_of(node)};
  }

  // `tag:` (empty) or `tag: null`/`~`: yaml-cpp's mark for an empty value is the next token, possibly lines later,
  // so the value is found from its key instead: right after the key's colon.
  ValueSpan null_span(const SourceNode& key, const SourceNode& value, bool in_flow) const {
    std::size_t pos = start_of(key);
    if (pos < text_.size() && (text_[pos] == '\'' || text_[pos] == '"')) {
      auto close = closing_quote(text_, pos);
      if (!close) unlocatable(key, "cannot find its key's end");
      pos = *close + 1;
    } else if (text_.substr(pos, key.value.size()) == key.value) {
      pos += key.value.size();
    } else {
      unlocatable(key, "cannot find its key's end");
    }
    while (pos < text_.size() && is_blank(text_[pos])) ++pos;
    if (pos >= text_.size() || text_[pos] != ':') unlocatable(key, "cannot find the `:` after its key");
    const std::size_t after_colon = pos + 1;
    pos = skip_properties(text_, after_colon);
    while (pos < text_.size() && is_blank(text_[pos])) ++pos;
    const bool ends_here = pos >= text_.size() || is_break(text_[pos]) || text_[pos] == '#' ||
                           (in_flow && (text_[pos] == ',' || text_[pos] == '}'));
    if (ends_here) return {after_colon, after_colon, Style::Plain, true, line_of(key)};
    const std::size_t end = plain_end(text_, pos, in_flow);
    const auto spelled = text_.substr(pos, end - pos);
    if (spelled == "~" || spelled == "null" || spelled == "Null" || spelled == "NULL") {
      return {pos, end, Style::Plain, false, line_of(key)};
    }
    unlocatable(value, "cannot find its value in the text");
  }

  std::string_view text_;
  std::size_t bom_;
  std::string file_;
  std::string subject_;
};

// ---------------------------------------------------------------------------------------------------------------
// Writing the new value.

std::string double_quoted(std::string_view value) {
  std::string out = "\"";
  for (char c : value) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string single_quoted(std::string_view value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

// The new value in the old value's style. A plain scalar stays plain only when it decodes back to the same string
// (to_yaml's rule: `abc123` yes; `1234567`, `1e5`, `true`, `null`, `a: b` no), and inside a flow collection only
// without `,[]{}`; otherwise it is double-quoted.
std::string render(std::string_view value, Style style, bool in_flow) {
  switch (style) {
    case Style::Single:
      return single_quoted(value);
    case Style::Double:
      return double_quoted(value);
    case Style::Plain:
      break;
  }
  std::string yaml = to_yaml(Json(std::string(value)));
  if (!yaml.empty() && yaml.back() == '\n') yaml.pop_back();
  const bool flow_safe = !in_flow || value.find_first_of(",[]{}") == std::string_view::npos;
  return yaml == value && flow_safe ? yaml : double_quoted(value);
}

// One line of printable characters: anything else would need escapes, or a line break in the file.
void check_value(std::string_view value) {
  for (std::size_t i = 0; i < value.size(); ++i) {
    const auto c = static_cast<unsigned char>(value[i]);
    const bool control = c < 0x20 || c == 0x7f;
    // NEL, LINE SEPARATOR, PARAGRAPH SEPARATOR (line breaks to YAML 1.1) and a BOM.
    const bool unicode_break = value.compare(i, 2, "\xc2\x85") == 0 || value.compare(i, 3, "\xe2\x80\xa8") == 0 ||
                               value.compare(i, 3, "\xe2\x80\xa9") == 0 || value.compare(i, 3, "\xef\xbb\xbf") == 0;
    if (control || unicode_break) {
      throw InvalidInput("the new value must be one line of printable characters (byte " + std::to_string(i + 1) +
                         " is not)");
    }
  }
}

Json::json_pointer pointer_of(const std::vector<std::string>& segments) {
  Json::json_pointer pointer;
  for (const auto& segment : segments) pointer.push_back(segment);
  return pointer;
}

}  // namespace

std::vector<std::string> split_key_path(std::string_view key_path) {
  std::vector<std::string> segments(1);
  for (std::size_t i = 0; i < key_path.size(); ++i) {
    if (key_path[i] == '\\' && i + 1 < key_path.size() && key_path[i + 1] == '.') {
      segments.back() += '.';
      ++i;
    } else if (key_path[i] == '.') {
      segments.emplace_back();
    } else {
      segments.back() += key_path[i];
    }
  }
  for (const auto& segment : segments) {
    if (segment.empty()) {
      throw InvalidInput("key `" + std::string(key_path) +
                         "`: empty segment (write keys as a.b.c, and a dot inside a key as \\.)");
    }
  }
  return segments;
}

YamlScalarEdit set_yaml_scalars(std::string_view text, const std::vector<std::string>& key_paths,
                                std::string_view value, const std::string& file) {
  if (key_paths.empty()) throw InvalidInput("no key to set");
  check_value(value);
  // The project's codec first: its errors are kubectl's (tabs, unclosed quotes, several documents), with positions.
  const Json before = parse_yaml(text, {.file = file});

  YamlScalarEdit edit{std::string(text), {}};
  Json expected = before;
  for (const auto& key_path : key_paths) {
    const auto segments = split_key_path(key_path);
    const std::string subject = "key `" + key_path + "`";
    const auto root = parse_source_tree(edit.text, file);
    const Located located = locate(root.get(), segments, key_path, file);
    const ValueSpan span = SpanFinder(edit.text, file, subject).find(located);

    const auto pointer = pointer_of(segments);
    if (!expected.contains(pointer)) {
      throw Error(display_file(file) + ": " + subject + " decodes to another key (a number or boolean spelled " +
                  "differently); not edited");
    }
    const Json& old_value = expected.at(pointer);
    YamlScalarChange change{key_path, span.line,
                            old_value.is_string() ? old_value.get<std::string>()
                                                  : (old_value.is_null() && span.insert ? "" : old_value.dump()),
                            false};
    if (old_value != Json(std::string(value))) {
      std::string replacement = render(value, span.style, located.in_flow);
      if (span.insert) replacement.insert(0, " ");
      edit.text.replace(span.begin, span.end - span.begin, replacement);
      expected[pointer] = std::string(value);
      change.changed = true;
    }
    edit.changes.push_back(std::move(change));
  }

  const std::string refused = display_file(file) + ": the edit would change more than the value(s) set (is a value " +
                              "laid out over several lines?); the file is left as it was";
  Json after;
  try {
    after = parse_yaml(edit.text, {.file = file, .on_warning = [](const YamlWarning&) {}});
  } catch (const InvalidInput&) {
    throw Error(refused);
  }
  if (after != expected) throw Error(refused);
  return edit;
}

YamlScalarEdit set_yaml_scalars_in_file(const fs::path& file, const std::vector<std::string>& key_paths,
                                        std::string_view value) {
  const std::string name = file.string();
  std::error_code ec;
  // A symbolic link is followed: the file it names is edited and the link stays.
  const fs::path target = fs::canonical(file, ec);
  if (ec) throw InvalidInput(name + ": no such file");
  const auto status = fs::status(target, ec);
  if (ec || !fs::is_regular_file(status)) throw InvalidInput(name + ": not a regular file");

  std::ifstream in(target, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  if (!in && !in.eof()) throw EnvironmentError(name + ": cannot read: " + std::strerror(errno));

  YamlScalarEdit edit = set_yaml_scalars(content.str(), key_paths, value, name);
  bool changed = false;
  for (const auto& change : edit.changes) changed = changed || change.changed;
  if (!changed) return edit;

  // A temporary file next to the target, renamed over it: a reader sees the old file or the new one, never half.
  std::string temporary = (target.parent_path() / ("." + target.filename().string() + ".gitmoor-XXXXXX")).string();
  const int fd = ::mkstemp(temporary.data());
  if (fd < 0) throw EnvironmentError(name + ": cannot create a temporary file: " + std::strerror(errno));
  auto give_up = [&](const std::string& what) {
    const int saved = errno;
    ::close(fd);
    ::unlink(temporary.c_str());
    throw EnvironmentError(name + ": cannot " + what + ": " + std::strerror(saved));
  };
  const auto mode = static_cast<mode_t>(status.permissions() & fs::perms::mask);
  if (::fchmod(fd, mode) != 0) give_up("keep the file mode");
  std::string_view rest = edit.text;
  while (!rest.empty()) {
    const ssize_t written = ::write(fd, rest.data(), rest.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      give_up("write");
    }
    rest.remove_prefix(static_cast<std::size_t>(written));
  }
  if (::fsync(fd) != 0) give_up("write");
  if (::close(fd) != 0) {
    const int saved = errno;
    ::unlink(temporary.c_str());
    throw EnvironmentError(name + ": cannot write: " + std::strerror(saved));
  }
  if (::rename(temporary.c_str(), target.c_str()) != 0) {
    const int saved = errno;
    ::unlink(temporary.c_str());
    throw EnvironmentError(name + ": cannot replace the file: " + std::strerror(saved));
  }
  return edit;
}

}  // namespace gitmoor::core
