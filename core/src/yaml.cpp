// YAML ⇄ JSON with Kubernetes semantics: what `kubectl` does (sigs.k8s.io/yaml over its go-yaml v2 fork).
//
// Decoding. yaml-cpp's Node API drops what we need (merge keys, duplicate keys, the scalar's plain/quoted style),
// so we drive yaml-cpp's event parser and build JSON ourselves, typing plain scalars by go-yaml v2's resolve rules:
//   - quoted and block scalars are strings; `!` (non-specific tag) too;
//   - null: empty, `~`, `null`, `Null`, `NULL`;
//   - bool: y Y yes Yes YES on On ON true True TRUE, and n N no No NO off Off OFF false False FALSE (YAML 1.1);
//   - int: Go's ParseInt(base 0) after removing every `_`: `0755` octal, `0o17`, `0x1F`, `0b101`, `+12`, `1_000`;
//     beyond int64 → a float64, as kubectl and the API server store it (12345678901234567890 → 1.2345678901234567e19);
//   - float: `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$` and `.inf`/`.nan` spellings; a float that
//     overflows a double (`1e400`) stays a string, as in Go;
//   - timestamps stay strings (go-yaml does so for interface{} targets); anything else is a string.
//   Integral floats: a float with an integral value that fits int64 (`1.0`, `1e3`) is stored as a JSON integer,
//   because Go's encoding/json prints it as `1`/`1000` and that is what kubectl sends to the API server; other
//   floats are doubles. `.inf`/`.nan` as values are errors, as JSON cannot hold them ("json: unsupported value").
//   Explicit tags (`!!str`, `!!int`, `!!float`, `!!bool`, `!!null`, `!!binary`, `!!timestamp`) are honoured; a
//   value that does not fit its tag is an error ("cannot decode !!str `abc` as a !!int"); unknown tags are ignored.
//   Map keys become strings as sigs.k8s.io/yaml makes them: bools "true"/"false", ints in decimal, floats as Go's
//   FormatFloat(f, 'g', -1, 32) (`1e6` → "1e+06"), `.inf` → ".inf"; null, uint64-only and collection keys are
//   errors. A duplicate key keeps the later value and warns. `<<` merge keys take a map or a list of maps (earlier
//   maps win) and, like go-yaml v2, are applied in document order: keys written after `<<` override merged ones.
//
// Encoding (to_yaml) is our own small block-style emitter: sorted keys, sequences at their key's indentation (as
// kubectl prints them), a string plain only when it would decode back to the same string, literal `|` blocks for
// multi-line strings that survive a round trip, double quotes otherwise.
#include "gitmoor/core/yaml.hpp"

#include <spdlog/spdlog.h>
#include <yaml-cpp/binary.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <vector>

#include "yaml_tabs.hpp"

namespace gitmoor::core {
namespace {

std::string display_file(const std::string& file) { return file.empty() ? std::string("<input>") : file; }

// ---------------------------------------------------------------------------------------------------------------
// Plain scalar typing (go-yaml v2 resolve.go).

constexpr std::string_view kTagPrefix = "tag:yaml.org,2002:";

bool is_float_syntax(std::string_view text) {
  static const std::regex kFloat(R"(^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$)");
  return std::regex_match(text.begin(), text.end(), kFloat);
}

bool is_timestamp_syntax(std::string_view text) {
  // The shapes go-yaml's parseTimestamp accepts: a date, optionally followed by a time and a zone.
  static const std::regex kTimestamp(
      R"(^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(([Tt]|[ \t]+)[0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(\.[0-9]*)?)"
      R"(([ \t]*(Z|[-+][0-9]{1,2}(:[0-9]{2})?))?)?$)");
  return std::regex_match(text.begin(), text.end(), kTimestamp);
}

// Go's strconv.ParseUint(text, 0, 64) without sign: 0x/0o/0b prefixes, a leading 0 means octal.
std::optional<std::uint64_t> parse_go_uint(std::string_view text) {
  int base = 10;
  if (text.size() > 1 && text[0] == '0') {
    char p = static_cast<char>(text[1] | 0x20);
    if (p == 'x' || p == 'o' || p == 'b') {
      base = p == 'x' ? 16 : p == 'o' ? 8 : 2;
      text.remove_prefix(2);
    } else {
      base = 8;
      text.remove_prefix(1);
    }
  }
  if (text.empty()) return std::nullopt;
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, base);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// An integer as Go's ParseInt/ParseUint(base 0) read it: int64 first, then uint64 (which takes no sign).
std::optional<Json> parse_go_integer(std::string_view text) {
  bool negative = false;
  std::string_view digits = text;
  if (!digits.empty() && (digits[0] == '+' || digits[0] == '-')) {
    negative = digits[0] == '-';
    digits.remove_prefix(1);
  }
  auto magnitude = parse_go_uint(digits);
  if (!magnitude) return std::nullopt;
  constexpr auto kMaxInt = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  if (negative) {
    if (*magnitude > kMaxInt + 1) return std::nullopt;
    return Json(*magnitude == kMaxInt + 1 ? std::numeric_limits<std::int64_t>::min()
                                          : -static_cast<std::int64_t>(*magnitude));
  }
  if (*magnitude <= kMaxInt) return Json(static_cast<std::int64_t>(*magnitude));
  if (text[0] == '+') return std::nullopt;  // ParseUint rejects a sign
  return Json(*magnitude);
}

// Go's strconv.ParseFloat on text already known to match the YAML float syntax: overflow is an error there (so
// `1e400` stays a string), underflow quietly gives zero.
std::optional<double> parse_go_float(std::string_view text) {
  bool negative = !text.empty() && text[0] == '-';
  if (!text.empty() && (text[0] == '+' || text[0] == '-')) text.remove_prefix(1);
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec == std::errc::result_out_of_range) {
    auto e = text.find_first_of("eE");
    if (e == std::string_view::npos || e + 1 >= text.size() || text[e + 1] != '-') return std::nullopt;
    value = 0;
  } else if (ec != std::errc{} || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return negative ? -value : value;
}

const std::map<std::string_view, Json>& special_plain_values() {
  static const std::map<std::string_view, Json> kValues = [] {
    std::map<std::string_view, Json> values;
    for (auto s : {"y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "true", "True", "TRUE"}) values[s] = true;
    for (auto s : {"n", "N", "no", "No", "NO", "off", "Off", "OFF", "false", "False", "FALSE"}) values[s] = false;
    for (auto s : {"", "~", "null", "Null", "NULL"}) values[s] = nullptr;
    for (auto s : {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"})
      values[s] = std::numeric_limits<double>::infinity();
    for (auto s : {"-.inf", "-.Inf", "-.INF"}) values[s] = -std::numeric_limits<double>::infinity();
    for (auto s : {".nan", ".NaN", ".NAN"}) values[s] = std::numeric_limits<double>::quiet_NaN();
    return values;
  }();
  return kValues;
}

enum class Resolved { Null, Bool, Int, Float, Timestamp, String };

struct Scalar {
  Resolved kind = Resolved::String;
  Json value;  // floats stay doubles here; see json_value()
};

// go-yaml v2's resolve(): the type a plain scalar (or one with a resolvable tag) has.
Scalar resolve_plain(const std::string& text, bool string_tag = false, bool timestamp_allowed = true) {
  char first = text.empty() ? 'N' : text[0];
  bool hinted = text.empty() || std::string_view("+-0123456789yYnNtTfFoO~.").find(first) != std::string_view::npos;
  if (!hinted || string_tag) return {Resolved::String, text};
  auto special = special_plain_values().find(text);
  if (special != special_plain_values().end()) {
    const Json& v = special->second;
    return {v.is_null() ? Resolved::Null : v.is_boolean() ? Resolved::Bool : Resolved::Float, v};
  }
  if (first == '.') {
    if (!is_float_syntax(text)) return {Resolved::String, text};
    if (auto f = parse_go_float(text)) return {Resolved::Float, *f};
    return {Resolved::String, text};
  }
  if (std::string_view("+-0123456789").find(first) == std::string_view::npos) return {Resolved::String, text};
  if (timestamp_allowed && is_timestamp_syntax(text)) return {Resolved::Timestamp, text};
  std::string plain;
  std::copy_if(text.begin(), text.end(), std::back_inserter(plain), [](char c) { return c != '_'; });
  if (auto i = parse_go_integer(plain)) return {Resolved::Int, *i};
  if (is_float_syntax(plain)) {
    if (auto f = parse_go_float(plain)) return {Resolved::Float, *f};
  }
  return {Resolved::String, text};
}

// ---------------------------------------------------------------------------------------------------------------
// Map keys as sigs.k8s.io/yaml turns them into strings.

// Go's strconv.FormatFloat(value, 'g', -1, 32).
std::string go_format_float32(double value) {
  auto f = static_cast<float>(value);
  if (std::isnan(f)) return ".nan";
  if (std::isinf(f)) return f > 0 ? ".inf" : "-.inf";
  if (f == 0) return std::signbit(f) ? "-0" : "0";
  char buf[64];
  auto end = std::to_chars(buf, buf + sizeof buf, f, std::chars_format::scientific).ptr;
  std::string sci(buf, end);  // shortest digits: "-1.2345679e+08"
  std::string sign = sci[0] == '-' ? "-" : "";
  if (!sign.empty()) sci.erase(0, 1);
  auto e = sci.find('e');
  int exponent = std::stoi(sci.substr(e + 1));
  std::string digits = sci.substr(0, e);
  digits.erase(std::remove(digits.begin(), digits.end(), '.'), digits.end());
  if (exponent < -4 || exponent >= 6) {  // Go's %e for shortest 'g' outside [1e-4, 1e6)
    std::string mantissa = digits.substr(0, 1) + (digits.size() > 1 ? "." + digits.substr(1) : "");
    std::string exp_digits = std::to_string(std::abs(exponent));
    if (exp_digits.size() < 2) exp_digits.insert(0, "0");
    return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + exp_digits;
  }
  if (exponent < 0) return sign + "0." + std::string(static_cast<std::size_t>(-exponent - 1), '0') + digits;
  auto int_len = static_cast<std::size_t>(exponent + 1);
  if (digits.size() <= int_len) return sign + digits + std::string(int_len - digits.size(), '0');
  return sign + digits.substr(0, int_len) + "." + digits.substr(int_len);
}

// The JSON key for a scalar key, or nullopt with `error` set when sigs.k8s.io/yaml rejects the key.
std::optional<std::string> key_string(const Scalar& key, std::string& error) {
  const Json& v = key.value;
  switch (key.kind) {
    case Resolved::Null:
      error = "unsupported map key of type: <nil>";
      return std::nullopt;
    case Resolved::Bool:
      return v.get<bool>() ? "true" : "false";
    case Resolved::Int:
      if (v.is_number_unsigned() && v.get<std::uint64_t>() > std::numeric_limits<std::int64_t>::max()) {
        error = "unsupported map key of type: uint64, key: " + v.dump();
        return std::nullopt;
      }
      return std::to_string(v.get<std::int64_t>());
    case Resolved::Float:
      return go_format_float32(v.get<double>());
    case Resolved::Timestamp:
    case Resolved::String:
      break;
  }
  return v.get<std::string>();
}

// ---------------------------------------------------------------------------------------------------------------
// Values as JSON.

// A scalar as the JSON value kubectl would send: integral floats become integers (see the top of this file).
// Returns nullopt with `error` set for values JSON cannot hold.
std::optional<Json> json_value(const Scalar& scalar, std::string& error) {
  // An integer beyond int64 is a uint64 to go-yaml, but kubectl and the API server decode JSON numbers into
  // unstructured objects as int64 or else float64: the cluster keeps the nearest double. Kept exact, desired and
  // live would differ forever.
  if (scalar.kind == Resolved::Int && scalar.value.is_number_unsigned() &&
      scalar.value.get<std::uint64_t>() > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    return Json(static_cast<double>(scalar.value.get<std::uint64_t>()));
  }
  if (scalar.kind != Resolved::Float) return scalar.value;
  double f = scalar.value.get<double>();
  if (std::isnan(f) || std::isinf(f)) {
    error = std::string("json: unsupported value: ") + (std::isnan(f) ? "NaN" : f > 0 ? "+Inf" : "-Inf");
    return std::nullopt;
  }
  constexpr double kTwo63 = 9223372036854775808.0;
  if (std::trunc(f) == f && f >= -kTwo63 && f < kTwo63) return Json(static_cast<std::int64_t>(f));
  return Json(f);
}

std::size_t json_size(const Json& value) {
  std::size_t n = 1;
  if (value.is_structured()) {
    for (const auto& child : value) n += json_size(child);
  }
  return n;
}

YamlError error_at(const std::string& file, const YAML::Mark& mark, const std::string& message) {
  bool known = !mark.is_null() && mark.line >= 0 && mark.column >= 0;
  return YamlError(file, known ? static_cast<std::size_t>(mark.line) + 1 : 1,
                   known ? static_cast<std::size_t>(mark.column) + 1 : 1, message);
}

// One decoded document: its JSON and where it starts.
struct Document {
  Json json;
  std::size_t index = 0;  // 0-based, counting every document yaml-cpp reports
  YAML::Mark mark;        // the root node
};

// ---------------------------------------------------------------------------------------------------------------
// The event handler that builds JSON.

class JsonBuilder : public YAML::EventHandler {
 public:
  JsonBuilder(std::string_view text, const YamlOptions& options) : text_(text), options_(options) {}

  [[nodiscard]] std::vector<Document>& documents() { return documents_; }

  void OnDocumentStart(const YAML::Mark& /*mark*/) override {
    stack_.clear();
    anchors_.clear();
    root_.reset();
    alias_budget_ = kAliasBudget;
  }

  void OnDocumentEnd() override {
    if (root_ && !root_->value.is_null()) documents_.push_back({std::move(root_->value), document_index_, root_->mark});
    ++document_index_;
  }

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    complete({Json(nullptr), Scalar{Resolved::Null, nullptr}, false, mark}, anchor);
  }

  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    auto it = anchors_.find(anchor);
    if (it == anchors_.end()) throw error_at(options_.file, mark, "unknown anchor");
    std::size_t size = json_size(it->second.value);
    if (size > alias_budget_) throw error_at(options_.file, mark, "document contains excessive aliasing");
    alias_budget_ -= size;
    Node node = it->second;
    node.mark = mark;
    complete(std::move(node), 0);
  }

  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    if (tag != "?") check_quote_closed(mark);
    bool merge = tag == "?" && value == "<<";
    Scalar scalar = tag == "?" ? resolve_plain(value) : resolve_tagged(mark, tag, value);
    complete({scalar.value, scalar, merge, mark}, anchor);
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string& /*tag*/, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value /*style*/) override {
    stack_.push_back({Json::array(), anchor, mark});
  }
  void OnSequenceEnd() override { finish_collection(); }

  void OnMapStart(const YAML::Mark& mark, const std::string& /*tag*/, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value /*style*/) override {
    stack_.push_back({Json::object(), anchor, mark});
  }
  void OnMapEnd() override { finish_collection(); }

 private:
  // Nodes that aliases may copy per document: far above real manifests, far below a "billion laughs" bomb.
  static constexpr std::size_t kAliasBudget = 1'000'000;

  struct Node {
    Json value;                    // for scalars, floats not yet converted (json_value())
    std::optional<Scalar> scalar;  // set for scalars: a key needs the resolved type
    bool merge = false;            // a plain `<<`
    YAML::Mark mark;
  };

  struct Frame {
    Json value;  // an array or an object
    YAML::anchor_t anchor = 0;
    YAML::Mark mark;
    std::optional<std::string> key;  // a map's pending key
    YAML::Mark key_mark;
    bool merge_pending = false;
    std::set<std::string> explicit_keys;
  };

  Scalar resolve_tagged(const YAML::Mark& mark, const std::string& tag, const std::string& value) const {
    if (tag.rfind(kTagPrefix, 0) != 0) return {Resolved::String, value};  // `!`, quoted, local tags: strings
    std::string name = tag.substr(kTagPrefix.size());
    if (name == "str") return {Resolved::String, value};
    if (name == "binary") {
      auto bytes = YAML::DecodeBase64(value);
      if (bytes.empty() && !value.empty())
        throw error_at(options_.file, mark, "!!binary value contains invalid base64 data");
      return {Resolved::String, std::string(bytes.begin(), bytes.end())};
    }
    static const std::map<std::string, Resolved> kKinds = {{"null", Resolved::Null},
                                                           {"bool", Resolved::Bool},
                                                           {"int", Resolved::Int},
                                                           {"float", Resolved::Float},
                                                           {"timestamp", Resolved::Timestamp}};
    auto wanted = kKinds.find(name);
    if (wanted == kKinds.end()) return resolve_plain(value);  // !!map/!!seq on a scalar, unknown: as untagged
    Scalar scalar = resolve_plain(value, false, name == "timestamp");
    if (scalar.kind == wanted->second) return scalar;
    if (wanted->second == Resolved::Float && scalar.kind == Resolved::Int) {
      return {Resolved::Float, scalar.value.is_number_unsigned()
                                   ? static_cast<double>(scalar.value.get<std::uint64_t>())
                                   : static_cast<double>(scalar.value.get<std::int64_t>())};
    }
    static const std::map<Resolved, std::string> kNames = {
        {Resolved::Null, "!!null"},   {Resolved::Bool, "!!bool"},           {Resolved::Int, "!!int"},
        {Resolved::Float, "!!float"}, {Resolved::Timestamp, "!!timestamp"}, {Resolved::String, "!!str"}};
    throw error_at(options_.file, mark,
                   "cannot decode " + kNames.at(scalar.kind) + " `" + value + "` as a " + kNames.at(wanted->second));
  }

  // yaml-cpp silently ends a quoted scalar at the end of the stream; go-yaml rejects it.
  void check_quote_closed(const YAML::Mark& mark) const {
    if (mark.pos < 0 || static_cast<std::size_t>(mark.pos) >= text_.size()) return;
    auto opening = find_quote_start(static_cast<std::size_t>(mark.pos));
    if (!opening) return;
    char quote = text_[*opening];
    for (std::size_t i = *opening + 1; i < text_.size(); ++i) {
      if (quote == '"' && text_[i] == '\\') {
        ++i;
      } else if (text_[i] == quote) {
        if (quote == '\'' && i + 1 < text_.size() && text_[i + 1] == '\'') {
          ++i;
        } else {
          return;
        }
      }
    }
    throw error_at(options_.file, mark, "found unexpected end of stream while scanning a quoted scalar");
  }

  // The opening quote of the scalar at `pos`, after its properties (`!tag`, `&anchor`); nullopt for block scalars.
  [[nodiscard]] std::optional<std::size_t> find_quote_start(std::size_t pos) const {
    while (pos < text_.size()) {
      char c = text_[pos];
      if (c == '"' || c == '\'') return pos;
      if (c == '!' || c == '&') {
        while (pos < text_.size() && std::string_view(" \t\r\n").find(text_[pos]) == std::string_view::npos) ++pos;
      } else if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
        ++pos;
      } else {
        return std::nullopt;
      }
    }
    return std::nullopt;
  }

  void finish_collection() {
    Frame frame = std::move(stack_.back());
    stack_.pop_back();
    complete({std::move(frame.value), std::nullopt, false, frame.mark}, frame.anchor);
  }

  // A node is complete: remember it under its anchor and hand it to its parent.
  void complete(Node node, YAML::anchor_t anchor) {
    if (anchor != 0) anchors_[anchor] = node;
    if (stack_.empty()) {
      root_ = Node{as_value(node), std::nullopt, false, node.mark};
      return;
    }
    Frame& parent = stack_.back();
    if (parent.value.is_array()) {
      parent.value.push_back(as_value(node));
    } else if (!parent.key && !parent.merge_pending) {
      take_key(parent, node);
    } else {
      put_value(parent, node);
    }
  }

  // Moves a collection's JSON out of `node`.
  Json as_value(Node& node) const {
    if (!node.scalar) return std::move(node.value);
    std::string error;
    auto value = json_value(*node.scalar, error);
    if (!value) throw error_at(options_.file, node.mark, error);
    return *value;
  }

  void take_key(Frame& map, const Node& node) const {
    if (node.merge) {
      map.merge_pending = true;
      map.key_mark = node.mark;
      return;
    }
    std::string error = "invalid map key: " + node.value.dump();
    std::optional<std::string> key = node.scalar ? key_string(*node.scalar, error) : std::nullopt;
    if (!key) throw error_at(options_.file, node.mark, error);
    map.key = std::move(key);
    map.key_mark = node.mark;
  }

  void put_value(Frame& map, Node& node) {
    if (map.merge_pending) {
      map.merge_pending = false;
      merge_into(map, node);
      return;
    }
    std::string key = std::move(*map.key);
    map.key.reset();
    if (!map.explicit_keys.insert(key).second) warn(map.key_mark, "duplicate key \"" + key + "\"; the last value wins");
    map.value[key] = as_value(node);
  }

  // `<<: *base` or `<<: [*a, *b]`: earlier maps in a list win; keys are assigned in document order.
  void merge_into(Frame& map, const Node& node) const {
    const Json& source = node.value;
    auto fail = [&] {
      return error_at(options_.file, node.mark, "map merge requires map or sequence of maps as the value");
    };
    if (node.scalar) throw fail();
    if (source.is_object()) {
      for (const auto& [k, v] : source.items()) map.value[k] = v;
      return;
    }
    for (auto it = source.rbegin(); it != source.rend(); ++it) {
      if (!it->is_object()) throw fail();
      for (const auto& [k, v] : it->items()) map.value[k] = v;
    }
  }

  void warn(const YAML::Mark& mark, const std::string& message) const {
    YamlWarning warning{options_.file, static_cast<std::size_t>(mark.line) + 1,
                        static_cast<std::size_t>(mark.column) + 1, message};
    if (options_.on_warning) {
      options_.on_warning(warning);
    } else {
      spdlog::warn("{}:{}:{}: {}", display_file(warning.file), warning.line, warning.column, warning.message);
    }
  }

  std::string_view text_;
  const YamlOptions& options_;
  std::vector<Frame> stack_;
  std::map<YAML::anchor_t, Node> anchors_;
  std::optional<Node> root_;
  std::size_t alias_budget_ = kAliasBudget;
  std::size_t document_index_ = 0;
  std::vector<Document> documents_;
};

std::vector<Document> decode_stream(std::string_view text, const YamlOptions& options) {
  if (auto tab = yaml_tabs::find_misplaced_tab(text))
    throw YamlError(options.file, tab->line, tab->column, tab->message);
  std::istringstream in{std::string(text)};
  JsonBuilder builder(text, options);
  try {
    YAML::Parser parser(in);
    while (parser.HandleNextDocument(builder)) {
    }
  } catch (const YAML::Exception& e) {
    throw error_at(options.file, e.mark, e.msg);
  }
  return std::move(builder.documents());
}

// ---------------------------------------------------------------------------------------------------------------
// Encoding.

bool is_printable_plain_char(unsigned char c) { return c >= 0x20 && c != 0x7f; }

// NEL, LINE SEPARATOR, PARAGRAPH SEPARATOR (line breaks to YAML 1.1 parsers) and BOM: only safe escaped.
bool has_unicode_break(const std::string& s) {
  for (const char* special : {"\xc2\x85", "\xe2\x80\xa8", "\xe2\x80\xa9", "\xef\xbb\xbf"}) {
    if (s.find(special) != std::string::npos) return true;
  }
  return false;
}

// True when `s` may be written as a plain scalar and decodes back to the same string.
bool plain_safe(const std::string& s) {
  if (s.empty() || s == "<<" || s.front() == ' ' || s.back() == ' ' || s.back() == ':') return false;
  if (std::string_view(",[]{}#&*!|>'\"%@`").find(s.front()) != std::string_view::npos) return false;
  if ((s.front() == '-' || s.front() == '?' || s.front() == ':') && (s.size() == 1 || s[1] == ' ')) return false;
  if (s.rfind("---", 0) == 0 || s.rfind("...", 0) == 0) return false;
  if (s.find(": ") != std::string::npos || s.find(" #") != std::string::npos) return false;
  if (has_unicode_break(s)) return false;
  if (!std::all_of(s.begin(), s.end(), [](char c) { return is_printable_plain_char(static_cast<unsigned char>(c)); })) {
    return false;
  }
  Scalar scalar = resolve_plain(s);
  return scalar.kind == Resolved::String || scalar.kind == Resolved::Timestamp;
}

std::string double_quoted(const std::string& s) {
  std::string out = "\"";
  for (std::size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          static const char* kHex = "0123456789abcdef";
          out += "\\x";
          out += kHex[c >> 4];
          out += kHex[c & 0xf];
        } else if (s.compare(i, 2, "\xc2\x85") == 0) {
          out += "\\u0085";  // yaml-cpp decodes `\N` to a lone 0x85 byte
          ++i;
        } else if (s.compare(i, 3, "\xe2\x80\xa8") == 0 || s.compare(i, 3, "\xe2\x80\xa9") == 0) {
          out += s[i + 2] == '\xa8' ? "\\u2028" : "\\u2029";
          i += 2;
        } else if (s.compare(i, 3, "\xef\xbb\xbf") == 0) {
          out += "\\ufeff";
          i += 2;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

std::vector<std::string> split_lines(const std::string& s) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  for (std::size_t nl; (nl = s.find('\n', start)) != std::string::npos; start = nl + 1)
    lines.push_back(s.substr(start, nl - start));
  lines.push_back(s.substr(start));
  return lines;
}

// A literal block (`|`, `|-`, `|+`) keeps the string only if every line survives re-indentation.
bool literal_safe(const std::string& s) {
  if (s.find('\n') == std::string::npos) return false;
  auto lines = split_lines(s);
  bool content_seen = false;
  for (const auto& line : lines) {
    for (char c : line) {
      auto u = static_cast<unsigned char>(c);
      if ((u < 0x20 && c != '\t') || u == 0x7f) return false;
    }
    if (line.find_first_not_of(' ') == std::string::npos && !line.empty()) return false;  // spaces-only lines
    if (!line.empty() && !content_seen) {
      if (line[0] == ' ' || line[0] == '\t') return false;  // would need an indentation indicator
      content_seen = true;
    }
  }
  return content_seen && !has_unicode_break(s);
}

// `|` keeps one final newline, `|-` none, `|+` all of them.
std::string literal_block(const std::string& s, std::size_t indent) {
  std::size_t trailing = s.size() - (s.find_last_not_of('\n') + 1);
  std::string out = trailing == 0 ? "|-\n" : trailing == 1 ? "|\n" : "|+\n";
  std::string body = s.substr(0, s.size() - trailing);
  for (const auto& line : split_lines(body)) {
    if (!line.empty()) out += std::string(indent, ' ') + line;
    out += '\n';
  }
  for (std::size_t i = 1; i < trailing; ++i) out += '\n';
  return out;
}

std::string format_double(double f) {
  if (std::isnan(f)) return ".nan";
  if (std::isinf(f)) return f > 0 ? ".inf" : "-.inf";
  char buf[64];
  auto end = std::to_chars(buf, buf + sizeof buf, f).ptr;
  // Shortest round-trip form ("0.1", "1e+20") matches the YAML float syntax; an integral 5.0 prints "5", which
  // decodes to the equal integer 5, as Go's encoding/json would print it.
  return std::string(buf, end);
}

// A scalar on one line (keys, and values that are not literal blocks).
std::string inline_scalar(const Json& value) {
  switch (value.type()) {
    case Json::value_t::null:
      return "null";
    case Json::value_t::boolean:
      return value.get<bool>() ? "true" : "false";
    case Json::value_t::number_integer:
      return std::to_string(value.get<std::int64_t>());
    case Json::value_t::number_unsigned:
      return std::to_string(value.get<std::uint64_t>());
    case Json::value_t::number_float:
      return format_double(value.get<double>());
    case Json::value_t::string: {
      const auto& s = value.get_ref<const std::string&>();
      return plain_safe(s) ? s : double_quoted(s);
    }
    case Json::value_t::object:
      return "{}";
    case Json::value_t::array:
      return "[]";
    default:
      return double_quoted(value.dump());  // binary and discarded values do not occur in manifests
  }
}

bool is_block_collection(const Json& value) { return value.is_structured() && !value.empty(); }

bool is_literal(const Json& value) { return value.is_string() && literal_safe(value.get_ref<const std::string&>()); }

void emit_map(std::string& out, const Json& map, std::size_t indent, bool first_line_started);
void emit_seq(std::string& out, const Json& seq, std::size_t indent, bool first_line_started);

// A value after `key:` or `- `; `indent` is the indentation of the key or dash.
void emit_value(std::string& out, const Json& value, std::size_t indent, bool after_dash) {
  if (is_literal(value)) {
    out += (after_dash ? "" : " ") + literal_block(value.get_ref<const std::string&>(), indent + 2);
  } else if (!is_block_collection(value)) {
    out += (after_dash ? "" : " ") + inline_scalar(value) + "\n";
  } else if (after_dash) {
    value.is_object() ? emit_map(out, value, indent + 2, true) : emit_seq(out, value, indent + 2, true);
  } else {
    out += "\n";
    // Sequences sit at their key's indentation, as kubectl prints them.
    value.is_object() ? emit_map(out, value, indent + 2, false) : emit_seq(out, value, indent, false);
  }
}

constexpr std::size_t kMaxImplicitKey = 1000;

void emit_map(std::string& out, const Json& map, std::size_t indent, bool first_line_started) {
  bool first = true;
  for (const auto& [key, value] : map.items()) {
    if (!first || !first_line_started) out += std::string(indent, ' ');
    first = false;
    std::string key_text = inline_scalar(Json(key));
    // YAML limits implicit keys to 1024 characters; longer ones need the explicit `? key` form.
    out +=
        key_text.size() <= kMaxImplicitKey ? key_text + ":" : "? " + key_text + "\n" + std::string(indent, ' ') + ":";
    emit_value(out, value, indent, false);
  }
}

void emit_seq(std::string& out, const Json& seq, std::size_t indent, bool first_line_started) {
  bool first = true;
  for (const auto& item : seq) {
    if (!first || !first_line_started) out += std::string(indent, ' ');
    first = false;
    out += "- ";
    emit_value(out, item, indent, true);
  }
}

}  // namespace

YamlError::YamlError(std::string file, std::size_t line, std::size_t column, const std::string& message)
    : InvalidInput(display_file(file) + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + message),
      file_(std::move(file)),
      line_(line),
      column_(column) {}

Json parse_yaml(std::string_view text, const YamlOptions& options) {
  auto documents = decode_stream(text, options);
  if (documents.empty()) return nullptr;
  if (documents.size() > 1) {
    // Silently dropping later documents (as go-yaml's Unmarshal does) would hide manifests; callers that expect a
    // stream use parse_yaml_documents.
    throw error_at(options.file, documents[1].mark, "expected a single YAML document, found another one");
  }
  return std::move(documents.front().json);
}

std::vector<Json> parse_yaml_documents(std::string_view text, const YamlOptions& options) {
  std::vector<Json> values;
  for (auto& document : decode_stream(text, options)) values.push_back(std::move(document.json));
  return values;
}

std::vector<Object> parse_manifests(std::string_view text, const YamlOptions& options) {
  std::vector<Object> objects;
  for (auto& document : decode_stream(text, options)) {
    SourceLocation source{options.file, document.index, static_cast<std::size_t>(document.mark.line) + 1};
    if (!document.json.is_object()) {
      throw error_at(
          options.file, document.mark,
          "document " + std::to_string(document.index + 1) + " is not a mapping but a " + document.json.type_name());
    }
    auto kind = document.json.find("kind");
    auto items = document.json.find("items");
    bool is_list = kind != document.json.end() && *kind == "List";
    if (!is_list) {
      objects.emplace_back(std::move(document.json), std::move(source));
      continue;
    }
    // kubectl applies the items of a `kind: List`, never the List itself.
    if (items == document.json.end() || items->is_null()) continue;
    if (!items->is_array()) throw error_at(options.file, document.mark, "List items must be a sequence");
    for (auto& item : *items) {
      if (!item.is_object()) {
        throw error_at(options.file, document.mark,
                       std::string("List item is not a mapping but a ") + item.type_name());
      }
      objects.emplace_back(std::move(item), source);
    }
  }
  return objects;
}

std::string to_yaml(const Json& value) {
  std::string out;
  if (is_literal(value)) {
    out = literal_block(value.get_ref<const std::string&>(), 2);
  } else if (!is_block_collection(value)) {
    out = inline_scalar(value) + "\n";
  } else if (value.is_object()) {
    emit_map(out, value, 0, false);
  } else {
    emit_seq(out, value, 0, false);
  }
  return out;
}

std::string to_yaml_stream(const std::vector<Json>& values) {
  std::string out;
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += "---\n";
    out += to_yaml(values[i]);
  }
  return out;
}

}  // namespace gitmoor::core
