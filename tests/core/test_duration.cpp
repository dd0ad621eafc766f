#include <catch2/catch.hpp>

#include "gitmoor/core/duration.hpp"
#include "gitmoor/core/error.hpp"

using gitmoor::core::format_duration;
using gitmoor::core::parse_duration;
using namespace std::chrono_literals;

TEST_CASE("durations read the way Go and Argo CD write them", "[duration]") {
  CHECK(parse_duration("500ms", "x") == 500ms);
  CHECK(parse_duration("2s", "x") == 2000ms);
  CHECK(parse_duration("1m", "x") == 60000ms);
  CHECK(parse_duration("1h30m", "x") == 5400000ms);
  CHECK(parse_duration("1.5s", "x") == 1500ms);
  CHECK(parse_duration("3m0s", "x") == 180000ms);
}

TEST_CASE("a duration without a unit or with a bad one is refused naming its subject", "[duration]") {
  CHECK_THROWS_WITH(parse_duration("60", "--poll-interval"), Catch::Contains("--poll-interval") && Catch::Contains("no unit"));
  CHECK_THROWS_AS(parse_duration("5x", "s"), gitmoor::core::InvalidInput);
  CHECK_THROWS_AS(parse_duration("", "s"), gitmoor::core::InvalidInput);
  CHECK_THROWS_AS(parse_duration("s", "s"), gitmoor::core::InvalidInput);
}

TEST_CASE("format_duration writes what parse_duration reads back", "[duration]") {
  for (auto d : {500ms, 2000ms, 60000ms, 5400000ms, 1500ms, 61001ms}) {
    CAPTURE(d.count(), format_duration(d));
    CHECK(parse_duration(format_duration(d), "x") == d);
  }
  CHECK(format_duration(2000ms) == "2s");
  CHECK(format_duration(90000ms) == "1m30s");
}
