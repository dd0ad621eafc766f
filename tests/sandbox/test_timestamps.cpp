// RFC 3339 times as the API server reads and writes them (timestamps.hpp): metav1.Time, MicroTime, RFC3339Nano.
#include <catch2/catch.hpp>

#include "timestamps.hpp"

using gitmoor::sandbox::format_rfc3339;
using gitmoor::sandbox::parse_rfc3339;
using namespace std::chrono;

TEST_CASE("timestamps: parse and format round trips, fractions, offsets and what is not a time", "[timestamps]") {
  auto t = parse_rfc3339("2026-12-02T00:53:38Z");
  REQUIRE(t);
  CHECK(format_rfc3339(*t) == "2026-12-02T00:53:38Z");
  CHECK(format_rfc3339(*t, 6) == "2026-12-02T00:53:38.000000Z");

  auto nano = parse_rfc3339("2026-12-02T00:53:38.123456789Z");
  REQUIRE(nano);
  CHECK(format_rfc3339(*nano, 9) == "2026-12-02T00:53:38.123456789Z");
  CHECK(format_rfc3339(*nano, 6) == "2026-12-02T00:53:38.123456Z");
  CHECK(format_rfc3339(*nano) == "2026-12-02T00:53:38Z");

  auto offset = parse_rfc3339("2026-12-02T02:53:38+02:00");
  REQUIRE(offset);
  CHECK(*offset == *t);
  CHECK(parse_rfc3339("2026-12-01T19:53:38.5-05:00") == *t + milliseconds(500));

  CHECK_FALSE(parse_rfc3339(""));
  CHECK_FALSE(parse_rfc3339("yesterday"));
  CHECK_FALSE(parse_rfc3339("2026-12-02T00:53:38"));      // no zone
  CHECK_FALSE(parse_rfc3339("2026-12-02T00:53:38Zjunk"));
  CHECK(parse_rfc3339("9999-01-01T00:00:00Z") == system_clock::time_point::max());
}
