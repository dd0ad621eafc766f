#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "gitmoor/core/subprocess.hpp"
#include "test_paths.hpp"

using gitmoor::core::run_subprocess;

namespace {
gitmoor::core::SubprocessResult gitmoor_cli(std::vector<std::string> args) {
  args.insert(args.begin(), gitmoor::test::gitmoor_binary().string());
  return run_subprocess(args, {.timeout = std::chrono::seconds(20)});
}
}  // namespace

TEST_CASE("gitmoor --help lists the version command", "[cli]") {
  auto r = gitmoor_cli({"--help"});
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.stdout_data, Catch::Contains("gitmoor keeps Kubernetes clusters"));
  CHECK_THAT(r.stdout_data, Catch::Contains("version"));
}

TEST_CASE("gitmoor version prints the release", "[cli]") {
  auto text = gitmoor_cli({"version"});
  CHECK(text.exit_code == 0);
  CHECK_THAT(text.stdout_data, Catch::StartsWith("gitmoor 0.1.0"));

  auto json = gitmoor_cli({"version", "-o", "json"});
  CHECK(json.exit_code == 0);
  CHECK(nlohmann::json::parse(json.stdout_data)["gitmoor"] == "0.1.0");
}

TEST_CASE("gitmoor rejects unknown commands and flags with exit code 2", "[cli]") {
  CHECK(gitmoor_cli({"frobnicate"}).exit_code == 2);
  CHECK(gitmoor_cli({"version", "-o", "xml"}).exit_code == 2);
  auto bad_level = gitmoor_cli({"--log-level", "loud", "version"});
  CHECK(bad_level.exit_code == 2);
  CHECK_THAT(bad_level.stderr_data, Catch::Contains("log level \"loud\""));
  CHECK(gitmoor_cli({}).exit_code == 2);
}
