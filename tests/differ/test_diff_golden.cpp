// Every golden pair through the differ (library and `gitmoor diff`): expected status and changes, exit codes, and no
// Secret value in any output.
#include <catch2/catch.hpp>

#include "diff_cases.hpp"
#include "gitmoor/core/subprocess.hpp"
#include "gitmoor/differ/diff.hpp"
#include "gitmoor/differ/normalize.hpp"
#include "gitmoor/differ/output.hpp"

using namespace gitmoor;

namespace {

differ::DiffOptions options_of(const test::DiffCase& c) {
  differ::DiffOptions options;
  if (c.expected.contains("ignoreDifferences")) options.ignore_rules = differ::parse_ignore_rules(c.expected["ignoreDifferences"]);
  return options;
}

// Every value of a Secret data/stringData in the fixture, plain and base64, plus the case's listed secrets.
std::vector<std::string> secret_values(const test::DiffCase& c) {
  std::vector<std::string> values;
  if (c.expected.contains("secrets")) {
    for (const auto& s : c.expected["secrets"]) values.push_back(s.get<std::string>());
  }
  for (const char* file : {"desired.yaml", "applied.yaml", "live.yaml"}) {
    for (const auto& object : test::objects_in(c.dir / file)) {
      if (object.kind() != "Secret") continue;
      for (const char* field : {"data", "stringData"}) {
        if (!object.json().contains(field)) continue;
        for (const auto& [key, value] : object.json()[field].items()) {
          values.push_back(value.get<std::string>());
          if (std::string(field) == "stringData") values.push_back(differ::base64_encode(value.get<std::string>()));
        }
      }
    }
  }
  return values;
}

void check_no_secrets(const std::string& output, const std::vector<std::string>& secrets) {
  for (const auto& secret : secrets) {
    INFO("secret value " << secret);
    CHECK(output.find(secret) == std::string::npos);
  }
}

}  // namespace

TEST_CASE("golden diff pairs give their expected status and changes", "[differ][golden]") {
  const auto cases = test::diff_cases();
  REQUIRE(cases.size() >= 40);
  for (const auto& c : cases) {
    INFO("case " << c.name);
    REQUIRE(std::filesystem::exists(c.dir / "live.yaml"));
    const auto desired = test::objects_in(c.dir / "desired.yaml");
    const auto live = test::objects_in(c.dir / "live.yaml");
    const auto diff = differ::diff_app(desired, live, options_of(c));
    CHECK(std::string(differ::to_string(diff.status())) == c.expected["status"].get<std::string>());
    REQUIRE(diff.resources.size() == c.expected["resources"].size());
    for (const auto& resource : diff.resources) {
      const std::string key = resource.key.to_string();
      INFO("resource " << key);
      REQUIRE(c.expected["resources"].contains(key));
      const auto& want = c.expected["resources"][key];
      CHECK(std::string(differ::to_string(resource.status)) == want["status"].get<std::string>());
      std::vector<std::string> got, expected;
      for (const auto& change : resource.changes) got.push_back(std::string(differ::to_string(change.op)) + " " + change.path);
      for (const auto& change : want["changes"]) expected.push_back(change.get<std::string>());
      CHECK(got == expected);
    }
    const auto secrets = secret_values(c);
    check_no_secrets(differ::format_text(diff), secrets);
    check_no_secrets(differ::format_json(diff).dump(), secrets);
  }
}

TEST_CASE("gitmoor diff on every golden pair: exit code, JSON, and no Secret value in any output", "[differ][golden][cli]") {
  for (const auto& c : test::diff_cases()) {
    INFO("case " << c.name);
    std::vector<std::string> base{test::gitmoor_binary().string(), "diff", "--desired", (c.dir / "desired.yaml").string(),
                                  "--live", (c.dir / "live.yaml").string()};
    auto ignore_file = std::filesystem::temp_directory_path() / ("gitmoor-ignore-" + c.name + ".yaml");
    if (c.expected.contains("ignoreDifferences")) {
      test::write_text(ignore_file, core::to_yaml(c.expected["ignoreDifferences"]));
      base.push_back("--ignore-differences");
      base.push_back(ignore_file.string());
    }
    const int want_exit = c.expected["status"] == "Synced" ? 0 : 1;
    const auto secrets = secret_values(c);

    auto text = core::run_subprocess(base);
    CHECK(text.exit_code == want_exit);
    check_no_secrets(text.stdout_data + text.stderr_data, secrets);
    if (want_exit == 1) CHECK(text.stdout_data.find("--- live ") != std::string::npos);

    auto json_args = base;
    json_args.insert(json_args.begin() + 1, {"--log-level", "trace"});
    json_args.insert(json_args.end(), {"-o", "json"});
    auto json = core::run_subprocess(json_args);
    CHECK(json.exit_code == want_exit);
    check_no_secrets(json.stdout_data + json.stderr_data, secrets);
    auto parsed = nlohmann::json::parse(json.stdout_data);
    CHECK(parsed["status"] == c.expected["status"]);
    CHECK(parsed["resources"].size() == c.expected["resources"].size());
    std::filesystem::remove(ignore_file);
  }
}

TEST_CASE("gitmoor diff: errors exit 2, folders of manifests and Lists are read", "[differ][cli]") {
  auto bin = test::gitmoor_binary().string();
  auto missing = core::run_subprocess({bin, "diff", "--desired", "/nonexistent/x.yaml", "--live", "/nonexistent"});
  CHECK(missing.exit_code == 2);
  CHECK(missing.stderr_data.find("/nonexistent/x.yaml") != std::string::npos);

  const auto dir = std::filesystem::temp_directory_path() / "gitmoor-diff-cli";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir / "desired" / "sub");
  test::write_text(dir / "desired" / "sub" / "cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {k: v}\n");
  test::write_text(dir / "desired" / "notes.txt", "not a manifest");
  test::write_text(dir / "live.json", R"({"apiVersion":"v1","kind":"List","items":[
    {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","namespace":"default","uid":"1"},"data":{"k":"v"}}]})");
  auto same = core::run_subprocess({bin, "diff", "--desired", (dir / "desired").string(), "--live", (dir / "live.json").string()});
  CHECK(same.exit_code == 0);
  CHECK(same.stdout_data.empty());
  auto other_ns = core::run_subprocess({bin, "diff", "--desired", (dir / "desired").string(), "--live",
                                        (dir / "live.json").string(), "-n", "game", "-o", "json"});
  CHECK(other_ns.exit_code == 1);
  CHECK(other_ns.stdout_data.find("\"Missing\"") != std::string::npos);

  test::write_text(dir / "bad.yaml", "- jqPathExpressions: ['.x']\n");
  auto bad = core::run_subprocess({bin, "diff", "--desired", (dir / "desired").string(), "--live",
                                   (dir / "live.json").string(), "--ignore-differences", (dir / "bad.yaml").string()});
  CHECK(bad.exit_code == 2);
  std::filesystem::remove_all(dir);
}
