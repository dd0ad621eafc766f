// core::set_yaml_scalars: one value of a YAML text replaced in place, everything else byte for byte the same.
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "gitmoor/core/error.hpp"
#include "gitmoor/core/yaml.hpp"
#include "gitmoor/core/yaml_edit.hpp"
#include "test_paths.hpp"

using namespace gitmoor::core;
namespace fs = std::filesystem;

namespace {

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

void write_file(const fs::path& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// The lines that differ between two texts of the same line count, as "before => after".
std::vector<std::string> changed_lines(const std::string& before, const std::string& after) {
  const auto a = lines_of(before);
  const auto b = lines_of(after);
  REQUIRE(a.size() == b.size());
  std::vector<std::string> changed;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i] != b[i]) changed.push_back(a[i] + " => " + b[i]);
  }
  return changed;
}

std::string set(const std::string& text, const std::string& key, const std::string& value) {
  return set_yaml_scalars(text, {key}, value, "values.yaml").text;
}

// The message set_yaml_scalars fails with (empty when it does not).
std::string error_of(const std::string& text, const std::string& key, const std::string& value = "abc123") {
  try {
    set_yaml_scalars(text, {key}, value, "values.yaml");
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

const std::string kSha = "3f2c1e0b9a8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b";

struct TemporaryDirectory {
  fs::path path = fs::temp_directory_path() / ("gitmoor-yaml-edit-" + std::to_string(::getpid()));
  TemporaryDirectory() { fs::create_directories(path); }
  ~TemporaryDirectory() { fs::remove_all(path); }
};

}  // namespace

TEST_CASE("yaml edit: bumping image.tag in the example's values.yaml changes one line and keeps comments", "[yaml_edit]") {
  const std::string values = read_file(gitmoor::test::source_dir() / "examples/tetris/helm/tetris/values.yaml");
  const auto edit = set_yaml_scalars(values, {"image.tag"}, kSha, "values.yaml");
  REQUIRE(edit.changes.size() == 1);
  CHECK(edit.changes[0].changed);
  CHECK(edit.changes[0].previous == "0.1.0");
  // The quoting style of the old value is kept, and only that line differs.
  CHECK(changed_lines(values, edit.text) == std::vector<std::string>{"  tag: \"0.1.0\" =>   tag: \"" + kSha + "\""});
  CHECK(lines_of(values)[edit.changes[0].line - 1] == "  tag: \"0.1.0\"");
  CHECK_THAT(edit.text, Catch::Contains("# CI sets this to the commit SHA of the build (never `latest`)."));

  // Decoded, the document is the old one with that value changed (and backend.image.tag left alone).
  auto expected = parse_yaml(values);
  expected["image"]["tag"] = kSha;
  CHECK(parse_yaml(edit.text) == expected);
}

TEST_CASE("yaml edit: a nested key path reaches block mappings at any depth", "[yaml_edit]") {
  const std::string values = read_file(gitmoor::test::source_dir() / "examples/tetris/helm/tetris/values.yaml");
  const auto edit = set_yaml_scalars(values, {"backend.image.tag", "frontend.image.tag"}, kSha, "values.yaml");
  REQUIRE(edit.changes.size() == 2);
  CHECK(changed_lines(values, edit.text).size() == 2);
  auto decoded = parse_yaml(edit.text);
  CHECK(decoded["backend"]["image"]["tag"] == kSha);
  CHECK(decoded["frontend"]["image"]["tag"] == kSha);
  CHECK(decoded["image"]["tag"] == "0.1.0");
  CHECK(edit.changes[0].line < edit.changes[1].line);
}

TEST_CASE("yaml edit: a plain value stays plain unless the new string would read as another type", "[yaml_edit]") {
  const std::string text = "image:\n  repository: r\n  tag: v1.2.3   # pinned by CI\n  pullPolicy: Always\n";
  CHECK(set(text, "image.tag", "abc123") ==
        "image:\n  repository: r\n  tag: abc123   # pinned by CI\n  pullPolicy: Always\n");
  // An all-digit SHA would be an integer, `1e5` a float, `true` a boolean, `null` null: all double-quoted.
  CHECK(set(text, "image.tag", "1234567") ==
        "image:\n  repository: r\n  tag: \"1234567\"   # pinned by CI\n  pullPolicy: Always\n");
  for (const std::string value : {"1e5", "true", "null", "0x1F", "", "a: b", "#x", "- x"}) {
    INFO(value);
    const auto edited = set(text, "image.tag", value);
    CHECK(parse_yaml(edited)["image"]["tag"] == value);
    CHECK_THAT(edited, Catch::Contains("tag: \""));
    CHECK_THAT(edited, Catch::Contains("   # pinned by CI\n"));
  }
}

TEST_CASE("yaml edit: single- and double-quoted values keep their quotes and escape what they must", "[yaml_edit]") {
  CHECK(set("tag: 'v1'\n", "tag", "it's") == "tag: 'it''s'\n");
  CHECK(set("tag: \"v1\" # c\n", "tag", "a\"b\\c") == "tag: \"a\\\"b\\\\c\" # c\n");
  CHECK(parse_yaml(set("tag: \"v1\"\n", "tag", "a\"b\\c"))["tag"] == "a\"b\\c");
  CHECK(set("tag: !!str v1\n", "tag", "123") == "tag: !!str \"123\"\n");
  CHECK(set("\"tag\": v1\n", "tag", "v2") == "\"tag\": v2\n");
}

TEST_CASE("yaml edit: an empty or null value gets the new one after its key's colon", "[yaml_edit]") {
  CHECK(set("image:\n  tag:\n  x: 1\n", "image.tag", "abc") == "image:\n  tag: abc\n  x: 1\n");
  CHECK(set("image:\n  tag:   # set by CI\n", "image.tag", "abc") == "image:\n  tag: abc   # set by CI\n");
  CHECK(set("tag: ~\n", "tag", "abc") == "tag: abc\n");
  CHECK(set("tag: null # c\n", "tag", "abc") == "tag: abc # c\n");
  CHECK(set("tag:", "tag", "abc") == "tag: abc");
  const auto edit = set_yaml_scalars("a: 1\ntag:\n", {"tag"}, "abc", "values.yaml");
  CHECK(edit.changes[0].previous.empty());
  CHECK(edit.changes[0].line == 2);
}

TEST_CASE("yaml edit: values inside flow mappings, CRLF line endings, and dotted keys", "[yaml_edit]") {
  CHECK(set("image: {repository: r, tag: v1}\n", "image.tag", "abc") == "image: {repository: r, tag: abc}\n");
  CHECK(set("image: {tag: v1, x: 1}\n", "image.tag", "a,b") == "image: {tag: \"a,b\", x: 1}\n");
  CHECK(set("{\"image\": {\"tag\": \"v1\"}}", "image.tag", "abc") == "{\"image\": {\"tag\": \"abc\"}}");
  CHECK(set("a: 1\r\nimage:\r\n  tag: v1 # c\r\n  x: 2\r\n", "image.tag", "abc") ==
        "a: 1\r\nimage:\r\n  tag: abc # c\r\n  x: 2\r\n");
  CHECK(set("podAnnotations:\n  prometheus.io/port: \"8000\"\n", "podAnnotations.prometheus\\.io/port", "9090") ==
        "podAnnotations:\n  prometheus.io/port: \"9090\"\n");
  // A byte order mark does not shift the value.
  CHECK(set("\xef\xbb\xbfimage:\n  tag: v1 # c\n", "image.tag", "abc") == "\xef\xbb\xbfimage:\n  tag: abc # c\n");
  CHECK(split_key_path("a.b\\.c.d") == std::vector<std::string>{"a", "b.c", "d"});
  CHECK_THROWS_WITH(split_key_path("image..tag"), Catch::Contains("empty segment"));
}

TEST_CASE("yaml edit: a value already set leaves the text untouched, a number becomes the string", "[yaml_edit]") {
  const std::string text = "image:\n  tag: 'abc'  # c\n";
  const auto same = set_yaml_scalars(text, {"image.tag"}, "abc", "values.yaml");
  CHECK(same.text == text);
  CHECK_FALSE(same.changes[0].changed);
  // 123 is an integer: the string "123" is another value, written quoted.
  const auto number = set_yaml_scalars("tag: 123\n", {"tag"}, "123", "values.yaml");
  CHECK(number.changes[0].changed);
  CHECK(number.changes[0].previous == "123");
  CHECK(number.text == "tag: \"123\"\n");
}

TEST_CASE("yaml edit: text that is not YAML is refused with its file, line and column", "[yaml_edit]") {
  CHECK_THAT(error_of("image:\n  tag: [v1\n", "image.tag"), Catch::StartsWith("values.yaml:"));
  CHECK_THAT(error_of("image:\n  tag: \"v1\n", "image.tag"),
             Catch::Contains("values.yaml:2:8: found unexpected end of stream"));
  CHECK_THAT(error_of("image:\n\ttag: v1\n", "image.tag"), Catch::StartsWith("values.yaml:2:1:"));
  CHECK_THAT(error_of("image: {tag: v1}\n---\nimage: {tag: v2}\n", "image.tag"),
             Catch::Contains("values.yaml:3:1: expected a single YAML document, found another one"));
}

TEST_CASE("yaml edit: a missing key names the first segment that is missing", "[yaml_edit]") {
  const std::string text = "image:\n  repository: r\n  tag: v1\n";
  CHECK(error_of(text, "image.tga") == "values.yaml:2:3: key `image.tga` not found: `image` has no key `tga`");
  CHECK(error_of(text, "imgae.tag") == "values.yaml: key `imgae.tag` not found: the document has no key `imgae`");
  CHECK(error_of(text, "image.tag.x") ==
        "values.yaml:3:8: key `image.tag.x` not found: `image.tag` is a scalar, not a mapping");
  CHECK(error_of("containers:\n  - image: x\n", "containers.image") ==
        "values.yaml:2:3: key `containers.image` not found: `containers` is a sequence, not a mapping");
  CHECK(error_of("- a\n- b\n", "image.tag") ==
        "values.yaml:1:1: key `image.tag` not found: the document is a sequence, not a mapping");
  CHECK(error_of("", "image.tag") == "values.yaml: key `image.tag` not found: the file holds no YAML document");
  CHECK_THAT(error_of("base: &b {tag: v1}\nimage:\n  <<: *b\n", "image.tag"),
             Catch::Contains("has no key `tag` (keys merged in with `<<` are not edited through the merge)"));
}

TEST_CASE("yaml edit: a value that is not a one-line string scalar is refused, naming its line", "[yaml_edit]") {
  CHECK(error_of("image:\n  tag:\n    a: 1\n", "image.tag") ==
        "values.yaml:3:5: key `image.tag` is a mapping, not a scalar");
  CHECK(error_of("image:\n  tag: [a, b]\n", "image.tag") ==
        "values.yaml:2:8: key `image.tag` is a sequence, not a scalar");
  CHECK_THAT(error_of("v: &v x\nimage:\n  tag: *v\n", "image.tag"), Catch::Contains("values.yaml:3:8: key "
                                                                                     "`image.tag` is an alias"));
  CHECK_THAT(error_of("image:\n  tag: &v x\nother: *v\n", "image.tag"), Catch::Contains("carries an anchor"));
  CHECK_THAT(error_of("image:\n  tag: |\n    v1\n", "image.tag"), Catch::Contains("values.yaml:2:8: key "
                                                                                   "`image.tag`: is a block scalar"));
  CHECK_THAT(error_of("image:\n  tag: v1\n    continued\n", "image.tag"),
             Catch::Contains("is a plain scalar over several lines"));
  CHECK_THAT(error_of("image:\n  tag: \"v1\n    continued\"\n", "image.tag"),
             Catch::Contains("is a quoted scalar over several lines"));
  CHECK_THAT(error_of("image:\n  tag: !!int 5\n", "image.tag"),
             Catch::Contains("has the tag `tag:yaml.org,2002:int`"));
  CHECK_THAT(error_of("image:\n  tag: v1\n  tag: v2\n", "image.tag"),
             Catch::Contains("values.yaml:3:3: key `image.tag` is ambiguous: `image.tag` appears 2 times (lines 2, 3)"));
  CHECK_THAT(error_of("tag: v1\n", "tag", "a\nb"), Catch::Contains("one line of printable characters"));
}

TEST_CASE("yaml edit: the file is replaced through a rename with its mode kept, or not touched at all", "[yaml_edit]") {
  TemporaryDirectory dir;
  const fs::path file = dir.path / "values.yaml";
  const std::string text = "# the app\nimage:\n  tag: v1  # CI\n";
  write_file(file, text);
  REQUIRE(::chmod(file.c_str(), 0640) == 0);
  struct stat before {};
  REQUIRE(::stat(file.c_str(), &before) == 0);

  const auto edit = set_yaml_scalars_in_file(file, {"image.tag"}, kSha);
  CHECK(edit.changes.at(0).changed);
  CHECK(read_file(file) == "# the app\nimage:\n  tag: " + kSha + "  # CI\n");
  struct stat after {};
  REQUIRE(::stat(file.c_str(), &after) == 0);
  CHECK((after.st_mode & 07777) == 0640);
  CHECK(after.st_ino != before.st_ino);  // a new file renamed over the old one
  CHECK(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator{}) == 1);  // no temporary left

  // Unchanged value: the file is not rewritten.
  set_yaml_scalars_in_file(file, {"image.tag"}, kSha);
  struct stat again {};
  REQUIRE(::stat(file.c_str(), &again) == 0);
  CHECK(again.st_ino == after.st_ino);

  // Errors leave the file as it was.
  const std::string current = read_file(file);
  CHECK_THROWS_WITH(set_yaml_scalars_in_file(file, {"image.missing"}, "x"),
                    Catch::Contains(file.string() + ":3:3: key `image.missing` not found"));
  CHECK_THROWS_AS(set_yaml_scalars_in_file(file, {"image.tag", "image.missing"}, "x"), InvalidInput);
  CHECK(read_file(file) == current);
  CHECK_THROWS_WITH(set_yaml_scalars_in_file(dir.path / "nope.yaml", {"image.tag"}, "x"),
                    (dir.path / "nope.yaml").string() + ": no such file");
  CHECK_THROWS_WITH(set_yaml_scalars_in_file(dir.path, {"image.tag"}, "x"), Catch::Contains("not a regular file"));

  // A symbolic link is followed: the file it names changes, the link stays a link.
  const fs::path link = dir.path / "link.yaml";
  fs::create_symlink(file, link);
  set_yaml_scalars_in_file(link, {"image.tag"}, "v2");
  CHECK(fs::is_symlink(link));
  CHECK(parse_yaml(read_file(file))["image"]["tag"] == "v2");
}
