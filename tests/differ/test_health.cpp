#include <catch2/catch.hpp>

#include <filesystem>
#include <regex>

#include "differ_support.hpp"
#include "gitmoor/differ/health.hpp"
#include "test_paths.hpp"

using namespace gitmoor;

TEST_CASE("health fixtures assess to their expected status", "[differ][health]") {
  const auto dir = test::testdata_dir() / "health";
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  REQUIRE(files.size() >= 120);
  const std::regex expected_line(R"(^# expected: (\w+))");
  // Optional: a part of the message the health must carry (the resource's own words where it gives them).
  const std::regex message_line(R"((^|\n)# message: ([^\n]+))");
  for (const auto& file : files) {
    const std::string text = test::read_text(file);
    std::smatch match;
    REQUIRE(std::regex_search(text, match, expected_line));
    auto expected = differ::parse_health_status(match[1].str());
    REQUIRE(expected);
    auto objects = test::objects_in(file);
    REQUIRE(objects.size() == 1);
    auto health = differ::assess_health(&objects[0]);
    INFO(file.filename().string() << ": " << health.message);
    CHECK(differ::to_string(health.status) == differ::to_string(*expected));
    CHECK_FALSE(health.message.empty());  // every health says why
    if (std::regex_search(text, match, message_line)) CHECK_THAT(health.message, Catch::Contains(match[2].str()));
  }
}

TEST_CASE("missing is Missing, app health is the worst", "[differ][health]") {
  CHECK(differ::assess_health(nullptr).status == differ::HealthStatus::Missing);
  using H = differ::HealthStatus;
  CHECK(differ::worst_health({}).status == H::Healthy);
  CHECK(differ::worst_health({{H::Healthy, ""}, {H::Progressing, "p"}, {H::Suspended, ""}}).status == H::Progressing);
  CHECK(differ::worst_health({{H::Missing, ""}, {H::Degraded, "d"}, {H::Progressing, ""}}).message == "d");
  CHECK(differ::is_worse(H::Unknown, H::Degraded));
  CHECK(differ::is_worse(H::Missing, H::Progressing));
  CHECK_FALSE(differ::is_worse(H::Suspended, H::Progressing));
}
