// The YAML codec against kubectl. Sources of expectations:
//   kKubectl: verified with kubectl v1.35.2: `kubectl annotate --local -f case.yaml x=y -o json` (offline; the
//             case is prefixed with apiVersion/kind/metadata, which are dropped again), exact JSON value.
//   kKubectlNumeric: same command; kubectl prints every number through float64 (e.g. 18446744073709552000), the
//             value is numerically equal and stored per the decision in core/src/yaml.cpp (integral floats that
//             fit int64 become integers; integers beyond int64 become float64, as kubectl and the API server keep
//             them).
//   kSpec:    not expressible through kubectl's file reader (JSON text, a non-object document); expectation from
//             the YAML 1.2 spec / go-yaml v2 rules.
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "gitmoor/core/yaml.hpp"

using gitmoor::core::Json;
using gitmoor::core::parse_manifests;
using gitmoor::core::parse_yaml;
using gitmoor::core::parse_yaml_documents;
using gitmoor::core::to_yaml;
using gitmoor::core::to_yaml_stream;
using gitmoor::core::YamlError;
using gitmoor::core::YamlOptions;
using gitmoor::core::YamlWarning;

namespace {

constexpr const char* kKubectl = "kubectl v1.35.2 annotate --local -o json";
constexpr const char* kKubectlNumeric = "kubectl v1.35.2 annotate --local -o json (numeric value; storage decision)";
constexpr const char* kSpec = "YAML 1.2 / go-yaml v2 rules";

struct Case {
  const char* name;
  const char* yaml;
  const char* json;
  const char* source;
};

// clang-format off
const std::vector<Case> kCases = {
  {"quoted scalars stay strings", R"y(v: "1"
w: 'true'
x: "null"
u: '0755'
z: ""
)y", R"j({"v":"1","w":"true","x":"null","u":"0755","z":""})j", kKubectl},
  {"YAML 1.1 true spellings", R"y(v: [y, Y, yes, Yes, YES, on, On, ON, true, True, TRUE]
)y", R"j({"v":[true,true,true,true,true,true,true,true,true,true,true]})j", kKubectl},
  {"YAML 1.1 false spellings", R"y(v: [n, N, no, No, NO, off, Off, OFF, false, False, FALSE]
)y", R"j({"v":[false,false,false,false,false,false,false,false,false,false,false]})j", kKubectl},
  {"odd capitalisations are strings", R"y(v: [yES, tRUE, oN, nULL, Truex, nope]
)y", R"j({"v":["yES","tRUE","oN","nULL","Truex","nope"]})j", kKubectl},
  {"bool map keys become their string form", R"y(yes: 1
Off: 2
)y", R"j({"true":1,"false":2})j", kKubectl},
  {"int map keys become decimal strings", R"y(1: a
0x10: b
0755: c
-3: d
)y", R"j({"1":"a","16":"b","493":"c","-3":"d"})j", kKubectl},
  {"float map keys use Go's 'g' float32 form", R"y(v: {1.5: a, 1e3: b, 1.0: c, 1e6: e, 123456789.0: f, 0.00001: g, -.inf: l, .inf: m, 2001-12-14: i}
)y", R"j({"v":{"1.5":"a","1000":"b","1":"c","1e+06":"e","1.2345679e+08":"f","1e-05":"g","-.inf":"l",".inf":"m","2001-12-14":"i"}})j", kKubectl},
  {"later key wins after key conversion", R"y(v: {1: a, "1": b}
)y", R"j({"v":{"1":"b"}})j", kKubectl},
  {"octal with a leading zero and 0o", R"y(v: [0755, 0o17, 0O7, 00, +0755]
)y", R"j({"v":[493,15,7,0,493]})j", kKubectl},
  {"hexadecimal", R"y(v: [0x1F, 0X1f, +0x1f, -0x10]
)y", R"j({"v":[31,31,31,-16]})j", kKubectl},
  {"binary", R"y(v: [0b101, -0b11, 0B1]
)y", R"j({"v":[5,-3,1]})j", kKubectl},
  {"underscores are removed", R"y(v: [1_000, 1__0, 0_7, 1_0.5, -_1, _1]
)y", R"j({"v":[1000,10,7,10.5,-1,"_1"]})j", kKubectl},
  {"signed decimal ints", R"y(v: [+12, -0, -7, 0]
)y", R"j({"v":[12,0,-7,0]})j", kKubectl},
  {"decimal floats", R"y(v: [1.10, .5, +.5, -.5, 3.25, -0.125]
)y", R"j({"v":[1.1,0.5,0.5,-0.5,3.25,-0.125]})j", kKubectl},
  {"exponent floats", R"y(v: [1E+2, 12e-1, .1e2, 1.5e300, 2.5e-7]
)y", R"j({"v":[100,1.2,10,1.5e300,2.5e-7]})j", kKubectl},
  {"integral floats become integers", R"y(v: [1.0, -1.0, 1e3, 0., 08, 09.5, 1e15]
)y", R"j({"v":[1,-1,1000,0,8,9.5,1000000000000000]})j", kKubectl},
  {"large integers", R"y(v: [9223372036854775807, -9223372036854775808, 9223372036854775808, 18446744073709551615]
)y", R"j({"v":[9223372036854775807,-9223372036854775808,9.223372036854776e18,1.8446744073709552e19]})j", kKubectlNumeric},
  {"integers beyond int64 are float64 as the API server keeps them", R"y(v: 12345678901234567890
)y", R"j({"v":1.2345678901234567e19})j", kKubectlNumeric},
  {"integers beyond uint64 are floats", R"y(v: [18446744073709551616, 123456789012345678901234, 1e19]
)y", R"j({"v":[1.8446744073709552e19,1.2345678901234568e23,1e19]})j", kKubectlNumeric},
  {"a float overflowing a double stays a string", R"y(v: [1e400, -1e400]
)y", R"j({"v":["1e400","-1e400"]})j", kKubectl},
  {"not numbers", R"y(v: [0xG, ., +, -, 1e, 1:20, 1:20:30, 0o, 1.2.3]
)y", R"j({"v":["0xG",".","+","-","1e","1:20","1:20:30","0o","1.2.3"]})j", kKubectl},
  {"null spellings", R"y(v: [~, null, Null, NULL]
w:
x: ""
)y", R"j({"v":[null,null,null,null],"w":null,"x":""})j", kKubectl},
  {"dates and timestamps stay strings", R"y(v: [2001-12-14, 2001-12-14t21:59:43.10-05:00, 2001-12-14 21:59:43.10 -5, !!timestamp 2001-12-14]
)y", R"j({"v":["2001-12-14","2001-12-14t21:59:43.10-05:00","2001-12-14 21:59:43.10 -5","2001-12-14"]})j", kKubectl},
  {"inf and nan lookalikes are strings", R"y(v: [.inf2, inf, NaN, Infinity, "+.inf"]
)y", R"j({"v":[".inf2","inf","NaN","Infinity","+.inf"]})j", kKubectl},
  {"literal block scalar", R"y(v: |
  line one
    indented
  line three
w: 1
)y", R"j({"v":"line one\n  indented\nline three\n","w":1})j", kKubectl},
  {"folded block scalar", R"y(v: >
  folded
  text

  para
)y", R"j({"v":"folded text\npara\n"})j", kKubectl},
  {"chomping and indentation indicators", R"y(w: |+
  keep

x: |-
  strip
y: >-
  a
   b
  c
z: |2
   lead
)y", R"j({"w":"keep\n\n","x":"strip","true":"a\n b\nc","z":" lead\n"})j", kKubectl},
  {"--- inside a block scalar is content", R"y(v: |
  a
  ---
  b
w: 2
)y", R"j({"v":"a\n---\nb\n","w":2})j", kKubectl},
  {"anchors and aliases", R"y(a: &n 5
b: *n
c: &m {x: [1, 2]}
d: *m
e: [&s str, *s]
)y", R"j({"a":5,"b":5,"c":{"x":[1,2]},"d":{"x":[1,2]},"e":["str","str"]})j", kKubectl},
  {"merge key with explicit keys after it", R"y(base: &b {p: 1, q: 2}
v:
  <<: *b
  q: 3
)y", R"j({"base":{"p":1,"q":2},"v":{"p":1,"q":3}})j", kKubectl},
  {"merge key after an explicit key overrides it (go-yaml order)", R"y(base: &b {p: 1, q: 2}
v:
  q: 3
  <<: *b
)y", R"j({"base":{"p":1,"q":2},"v":{"p":1,"q":2}})j", kKubectl},
  {"merge a list of maps: earlier maps win", R"y(x: &x {p: 1}
w: &w {r: 1, p: 5}
v:
  <<: [*x, *w]
  q: 3
)y", R"j({"x":{"p":1},"w":{"p":5,"r":1},"v":{"p":1,"q":3,"r":1}})j", kKubectl},
  {"merge an inline map and merge twice", R"y(base: &b {p: 1, q: 2}
v:
  <<: *b
  <<: {q: 9}
)y", R"j({"base":{"p":1,"q":2},"v":{"p":1,"q":9}})j", kKubectl},
  {"a quoted << is an ordinary key", R"y("<<": {a: 1}
)y", R"j({"<<":{"a":1}})j", kKubectl},
  {"duplicate key keeps the last value", R"y(v: [a, b]
v:
  - c
)y", R"j({"v":["c"]})j", kKubectl},
  {"explicit tags", R"y(v: [!!str 12, !!int 12, !!float 12, !!bool yes, !!null null, !!str true, !!float "1.5", !!int "7"]
w: {!!float 3: a}
)y", R"j({"v":["12",12,12,true,null,"true",1.5,7],"w":{"3":"a"}})j", kKubectl},
  {"binary, empty !!str and non-specific tags", R"y(a: !!binary aGVsbG8=
b: !!str
c: ! 12
d: !foo bar
e: !!null ""
)y", R"j({"a":"hello","b":"","c":"12","d":"bar","e":null})j", kKubectl},
  {"escapes and unicode", R"y(v: "\t\u00e9\x01\U0001F600"
w: héllo wörld ✓
x: 'it''s'
)y", R"j({"v":"\t\u00e9\u0001\ud83d\ude00","w":"héllo wörld ✓","x":"it's"})j", kKubectl},
  {"multi-line plain and quoted scalars fold", R"y(v: a
  b
w: "c
  d"
)y", R"j({"v":"a b","w":"c d"})j", kKubectl},
  {"comments", R"y(# leading
v: a # trailing
w: a#b
x: "q" # after quote
)y", R"j({"v":"a","w":"a#b","x":"q"})j", kKubectl},
  {"keys needing quotes and empty collections", R"y("a: b": 1
"": 2
e: {}
f: []
)y", R"j({"a: b":1,"":2,"e":{},"f":[]})j", kKubectl},
  {"nested and key-indented sequences", R"y(v:
- - a
  - b
- c: 1
  d: [x]
- []
)y", R"j({"v":[["a","b"],{"c":1,"d":["x"]},[]]})j", kKubectl},
  {"a tab separating a value is fine", "v:\t1\nw: a\tb\n", R"j({"v":1,"w":"a\tb"})j", kKubectl},
  {"CRLF line endings", "v: a\r\nw: |\r\n  b\r\n", R"j({"v":"a","w":"b\n"})j", kKubectl},
  {"explicit document markers", R"y(---
v: 1
...
)y", R"j({"v":1})j", kKubectl},
  {"JSON text is flow YAML", R"y({"a": [1, 2.5, "x", true, null], "b": {"c": "yes", "d": -1e3}, "e": "\u00e9\n"})y",
   R"j({"a":[1,2.5,"x",true,null],"b":{"c":"yes","d":-1000},"e":"é\n"})j", kSpec},
  {"JSON indented with tabs", "{\n\t\"a\": [\n\t\t1,\n\t\t\"x\"\n\t]\n}\n", R"j({"a":[1,"x"]})j", kSpec},
  {"compact JSON", R"y({"a":"b","c":[1,{"d":{}}]})y", R"j({"a":"b","c":[1,{"d":{}}]})j", kSpec},
  {"a scalar document", "just text\n", R"j("just text")j", kSpec},
};
// clang-format on

YamlOptions named(const char* file) {
  YamlOptions options;
  options.file = file;
  return options;
}

// Runs `parse` and returns the YamlError it throws.
template <typename F>
YamlError error_of(F&& parse) {
  try {
    parse();
  } catch (const YamlError& e) {
    return e;
  }
  FAIL("expected a YamlError");
  throw std::logic_error("unreachable");
}

}  // namespace

TEST_CASE("yaml: table of decoding rules matches kubectl", "[yaml]") {
  REQUIRE(kCases.size() >= 40);
  for (const auto& c : kCases) {
    INFO(c.name << " (source: " << c.source << ")\n" << c.yaml);
    Json actual = parse_yaml(c.yaml, named("case.yaml"));
    Json expected = Json::parse(c.json);
    CHECK(actual.dump() == expected.dump());
  }
}

TEST_CASE("yaml: integral floats are integers, other numbers keep their JSON type", "[yaml]") {
  Json v = parse_yaml("a: 1.0\nb: 1.5\nc: 18446744073709551615\nd: 1e20\ne: 7\n");
  CHECK(v["a"].is_number_integer());
  CHECK(v["b"].is_number_float());
  CHECK(v["c"].is_number_float());  // beyond int64: float64, as the API server keeps it
  CHECK(v["d"].is_number_float());
  CHECK(v["e"].is_number_integer());
}

TEST_CASE("yaml: empty and comment-only input decodes to null", "[yaml]") {
  CHECK(parse_yaml("").is_null());
  CHECK(parse_yaml("# nothing here\n\n").is_null());
  CHECK(parse_yaml("---\n").is_null());
}

TEST_CASE("yaml: parse_yaml rejects a stream of several documents", "[yaml]") {
  auto e = error_of([] { parse_yaml("a: 1\n---\nb: 2\n", named("two.yaml")); });
  CHECK(e.file() == "two.yaml");
  CHECK(e.line() == 3);
}

TEST_CASE("yaml: multi-document streams skip empty documents", "[yaml]") {
  auto docs = parse_yaml_documents("# header\n---\na: 1\n---\n# only a comment\n---\n---\nb: 2\n--- ~\n---\nnull\n");
  REQUIRE(docs.size() == 2);
  CHECK(docs[0] == Json{{"a", 1}});
  CHECK(docs[1] == Json{{"b", 2}});
}

TEST_CASE("yaml: round trip of tricky strings and numbers", "[yaml]") {
  std::vector<std::string> strings = {
      "yes", "on", "On", "y", "n", "NO", "off", "1", "0755", "0x1F", "0b101", "0o17", "+12", "-3", "1_000", "1e3",
      "1.10", ".5", "1.", "null", "Null", "NULL", "", "~", "true", "False", ".inf", "-.Inf", ".nan", "<<", "=",
      " lead", "trail ", "  ", " ", "a: b", "a #b", "a#b", "key:", "a:b", "-", "- x", "-x", "--set", "?", "? x",
      "?x", ":", ":x", "#c", "&a", "*a", "!t", "|", ">", "'", "\"", "%", "@", "`", "[a]", "{a}", ",", "a,b",
      "a [b] {c}", "---", "...", "--- x", "multi\nline\n", "multi\nline", "multi\n\n", "multi\n\n\n", "\nlead",
      "\n", "\n\n", " indented\nx", "x\n indented\n", "tab\tin", "\ttab lead", "x\n\ty", "ctrl\x01", "del\x7f",
      "bell\a\b\f\v", "nul", std::string("nul\0x", 5), "unicode é ✓ 😀", "sep\u2028x", "nel\u0085x",
      "line  \n  more", "x\r\ny", "cr\r", "a\n \nb", "\t", "\\", "a\\nb", "quote\"s and 'apos'", "2001-12-14",
      "1:20", "0.", "08", "1e400", "_1", "@at", "percent%", "100%", "a: b\nc: d\n", "- item\n- item\n",
      "  leading spaces\nand more\n", "trailing spaces  \n", "# not a comment\n", "|\n", "\xef\xbb\xbf" "bom"};
  for (const auto& s : strings) {
    INFO("string: " << Json(s).dump() << "\nyaml:\n" << to_yaml(Json(s)));
    CHECK(parse_yaml(to_yaml(Json(s))) == Json(s));
    Json as_value = {{"k", s}, {"list", {s, s}}, {"nested", {{"deep", {{"x", s}}}}}};
    INFO("as value:\n" << to_yaml(as_value));
    CHECK(parse_yaml(to_yaml(as_value)) == as_value);
    Json as_key = {{s, 1}};
    INFO("as key:\n" << to_yaml(as_key));
    CHECK(parse_yaml(to_yaml(as_key)) == as_key);
  }
  std::vector<Json> numbers = {0, -1, 42, std::numeric_limits<std::int64_t>::max(),
                               std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::uint64_t>::max(),
                               0.1, -2.5e-7, 1.5, 1e300, 1e20, 3.0, true, false, nullptr, Json::object(),
                               Json::array()};
  for (const auto& n : numbers) {
    INFO("value: " << n.dump() << "\nyaml:\n" << to_yaml(n));
    CHECK(parse_yaml(to_yaml(n)) == n);
    Json wrapped = {{"v", n}, {"l", {n}}};
    CHECK(parse_yaml(to_yaml(wrapped)) == wrapped);
  }
}

TEST_CASE("yaml: keys longer than YAML's implicit-key limit round-trip", "[yaml]") {
  std::string long_key(2000, 'k');
  Json value = {{long_key, {{"nested", {{long_key + "x", "v"}}}, {"list", {1, {{long_key, "multi\nline"}}}}}},
                {long_key + "s", "scalar"}, {long_key + "l", {1, 2}}, {"short", true}};
  INFO(to_yaml(value));
  CHECK(parse_yaml(to_yaml(value)) == value);
}

TEST_CASE("yaml: round trip of every table output", "[yaml]") {
  for (const auto& c : kCases) {
    Json value = Json::parse(c.json);
    INFO(c.name << "\n" << to_yaml(value));
    CHECK(parse_yaml(to_yaml(value)).dump() == value.dump());
  }
}

TEST_CASE("yaml: to_yaml prints sorted keys, key-indented sequences and literal blocks", "[yaml]") {
  Json value = Json::parse(R"({"spec":{"replicas":3,"args":["--port","8080"],"script":"echo hi\necho bye\n",
    "containers":[{"name":"app","ports":[{"containerPort":80}]}],"empty":{},"none":null},
    "apiVersion":"apps/v1","kind":"Deployment","metadata":{"labels":{"on":"yes"}}})");
  CHECK(to_yaml(value) ==
        "apiVersion: apps/v1\n"
        "kind: Deployment\n"
        "metadata:\n"
        "  labels:\n"
        "    \"on\": \"yes\"\n"
        "spec:\n"
        "  args:\n"
        "  - --port\n"
        "  - \"8080\"\n"
        "  containers:\n"
        "  - name: app\n"
        "    ports:\n"
        "    - containerPort: 80\n"
        "  empty: {}\n"
        "  none: null\n"
        "  replicas: 3\n"
        "  script: |\n"
        "    echo hi\n"
        "    echo bye\n");
}

TEST_CASE("yaml: to_yaml_stream separates documents", "[yaml]") {
  std::vector<Json> values = {Json{{"a", 1}}, Json{{"b", "multi\nline"}}, Json{{"c", {1, 2}}}};
  std::string stream = to_yaml_stream(values);
  CHECK(stream == "a: 1\n---\nb: |-\n  multi\n  line\n---\nc:\n- 1\n- 2\n");
  CHECK(parse_yaml_documents(stream) == values);
}

TEST_CASE("yaml: errors name file, line and column", "[yaml]") {
  struct ErrorCase {
    const char* name;
    const char* yaml;
    std::size_t line;
    std::size_t column;
    const char* message;
  };
  // kubectl reports these as: "yaml: line N: did not find expected key", "found character that cannot start any
  // token", "found unexpected end of stream", "json: unsupported value: +Inf", ... (go-yaml gives no column).
  const std::vector<ErrorCase> cases = {
      {"bad indentation", "a:\n  b: 1\n c: 2\n", 3, 2, ""},
      {"mapping in a plain scalar", "a: 1\n  b: 2\n", 2, 4, ""},
      {"tab indentation", "a:\n\tb: 1\n", 2, 1, "found character that cannot start any token"},
      {"tab after spaces", "a:\n  \tb: 1\n", 2, 3, "found character that cannot start any token"},
      {"tab after a sequence dash", "a:\n- \tx\n", 2, 3, "found character that cannot start any token"},
      {"tab on a blank line", "a: 1\n\t\nb: 2\n", 2, 1, "found a tab character that violates indentation"},
      {"tab in block scalar indentation", "v: |\n  a\n\t b\n", 3, 1,
       "found a tab character where an indentation space is expected"},
      {"unclosed double quote", "a: 1\nb: \"abc\n", 2, 4, "found unexpected end of stream"},
      {"unclosed single quote", "a: 'it''s\n", 1, 4, "found unexpected end of stream"},
      {"unclosed flow sequence", "a: [1, 2\n", 2, 1, ""},
      {".inf value", "a:\n  b: .inf\n", 2, 6, "json: unsupported value: +Inf"},
      {"-.Inf in a sequence", "a: [1, -.Inf]\n", 1, 8, "json: unsupported value: -Inf"},
      {".nan value", "a: .NaN\n", 1, 4, "json: unsupported value: NaN"},
      {".inf through an alias", "k: &i .inf\n", 1, 4, "json: unsupported value: +Inf"},
      {"value not fitting its tag", "a: !!int abc\n", 1, 4, "cannot decode !!str `abc` as a !!int"},
      {"float where an int is tagged", "a: !!int 1.5\n", 1, 4, "cannot decode !!float `1.5` as a !!int"},
      {"null key", "~: a\n", 1, 1, "unsupported map key of type: <nil>"},
      {"uint64 key", "18446744073709551615: a\n", 1, 1, "unsupported map key of type: uint64"},
      {"sequence key", "[a]: 1\n", 1, 1, "invalid map key"},
      {"merging a scalar", "a: &x 5\nb:\n  <<: *x\n", 3, 7, "map merge requires map or sequence of maps"},
      {"merging a list with a scalar", "b:\n  <<: [{a: 1}, 3]\n", 2, 7, "map merge requires map or sequence of maps"},
      {"unknown alias", "a: *nope\n", 1, 4, ""},
      {"alias bomb", "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                     "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
                     "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n",
       6, 36, "excessive aliasing"},
  };
  for (const auto& c : cases) {
    INFO(c.name << "\n" << c.yaml);
    auto e = error_of([&] { parse_yaml_documents(c.yaml, named("dir/bad.yaml")); });
    CHECK(e.file() == "dir/bad.yaml");
    CHECK(e.line() == c.line);
    CHECK(e.column() == c.column);
    std::string what = e.what();
    CHECK(what.rfind("dir/bad.yaml:" + std::to_string(c.line) + ":" + std::to_string(c.column) + ": ", 0) == 0);
    CHECK_THAT(what, Catch::Contains(c.message));
  }
}

TEST_CASE("yaml: an error without a file name says <input>", "[yaml]") {
  auto e = error_of([] { parse_yaml("a: .inf\n"); });
  CHECK(std::string(e.what()) == "<input>:1:4: json: unsupported value: +Inf");
}

TEST_CASE("yaml: a duplicate key warns and keeps the last value", "[yaml]") {
  std::vector<YamlWarning> warnings;
  YamlOptions options;
  options.file = "dup.yaml";
  options.on_warning = [&](const YamlWarning& w) { warnings.push_back(w); };
  Json v = parse_yaml("a: 1\nb:\n  c: 1\n  c: 2\na: 3\nyes: x\ntrue: z\n", options);
  CHECK(v == Json::parse(R"({"a":3,"b":{"c":2},"true":"z"})"));
  REQUIRE(warnings.size() == 3);
  CHECK(warnings[0].file == "dup.yaml");
  CHECK(warnings[0].line == 4);
  CHECK(warnings[0].column == 3);
  CHECK_THAT(warnings[0].message, Catch::Contains("duplicate key \"c\""));
  CHECK(warnings[1].line == 5);
  CHECK(warnings[1].column == 1);
  CHECK(warnings[2].line == 7);
  CHECK_THAT(warnings[2].message, Catch::Contains("\"true\""));
  // A merged key overridden by an explicit one is not a duplicate.
  warnings.clear();
  parse_yaml("b: &b {p: 1}\nv:\n  <<: *b\n  p: 2\n", options);
  CHECK(warnings.empty());
  // Without a callback the warning is logged and decoding goes on.
  CHECK(parse_yaml("a: 1\na: 2\n") == Json{{"a", 2}});
}

TEST_CASE("yaml: parse_manifests expands Lists and records sources", "[yaml]") {
  const char* text =
      "# a leading comment\n"                        // 1
      "---\n"                                        // 2
      "apiVersion: v1\n"                             // 3
      "kind: ConfigMap\n"                            // 4
      "metadata: {name: one}\n"                      // 5
      "---\n"                                        // 6
      "# only a comment\n"                           // 7
      "---\n"                                        // 8
      "\n"                                           // 9
      "apiVersion: v1\n"                             // 10
      "kind: List\n"                                 // 11
      "items:\n"                                     // 12
      "- {apiVersion: v1, kind: Service, metadata: {name: two}}\n"
      "- apiVersion: apps/v1\n"
      "  kind: Deployment\n"
      "  metadata: {name: three}\n"
      "---\n"                                        // 17
      "---\n"                                        // 18
      "apiVersion: v1\n"                             // 19
      "kind: Secret\n"
      "metadata: {name: four}\n";
  auto objects = parse_manifests(text, named("app/all.yaml"));
  REQUIRE(objects.size() == 4);
  CHECK(objects[0].name() == "one");
  CHECK(objects[0].source().file == "app/all.yaml");
  CHECK(objects[0].source().document == 0);
  CHECK(objects[0].source().line == 3);
  CHECK(objects[1].kind() == "Service");
  CHECK(objects[1].name() == "two");
  CHECK(objects[1].source().document == 2);
  CHECK(objects[1].source().line == 10);
  CHECK(objects[2].kind() == "Deployment");
  CHECK(objects[2].source() == objects[1].source());
  CHECK(objects[3].name() == "four");
  CHECK(objects[3].source().document == 4);
  CHECK(objects[3].source().line == 19);
  CHECK(objects[3].source().to_string() == "app/all.yaml:19 (document 5)");
}

TEST_CASE("yaml: parse_manifests handles empty input and empty Lists", "[yaml]") {
  CHECK(parse_manifests("").empty());
  CHECK(parse_manifests("# nothing\n---\n---\n").empty());
  CHECK(parse_manifests("apiVersion: v1\nkind: List\nitems: []\n").empty());
  auto json = parse_manifests(R"({"apiVersion":"v1","kind":"List","items":[{"kind":"A"},{"kind":"B"}]})");
  REQUIRE(json.size() == 2);
  CHECK(json[1].kind() == "B");
}

TEST_CASE("yaml: parse_manifests rejects documents that are not mappings", "[yaml]") {
  auto scalar = error_of([] { parse_manifests("kind: A\n---\njust text\n", named("x.yaml")); });
  CHECK(scalar.line() == 3);
  CHECK(scalar.column() == 1);
  CHECK_THAT(std::string(scalar.what()), Catch::StartsWith("x.yaml:3:1: document 2 is not a mapping"));
  auto list = error_of([] { parse_manifests("kind: A\n---\n- a\n- b\n", named("x.yaml")); });
  CHECK(list.line() == 3);
  CHECK_THAT(std::string(list.what()), Catch::Contains("array"));
  auto item = error_of([] { parse_manifests("kind: List\nitems: [5]\n", named("x.yaml")); });
  CHECK_THAT(std::string(item.what()), Catch::Contains("List item is not a mapping"));
}
