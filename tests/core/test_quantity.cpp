#include <catch2/catch.hpp>

#include <algorithm>
#include <compare>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "gitmoor/core/quantity.hpp"

using gitmoor::core::InvalidQuantity;
using gitmoor::core::Quantity;

namespace {

struct CanonicalCase {
  const char* input;
  const char* canonical;
};

// Expectations come from apimachinery's pkg/api/resource/quantity_test.go (TestQuantityParse,
// TestQuantityString and its "alternate" spellings, TestQuantityParseEmit) where marked "go"; the others follow
// the same rules (CanonicalizeBytes) and are spelled out in the comment next to them.
const std::vector<CanonicalCase> kCanonicalCases{
    {"0", "0"},                                // go
    {"0Gi", "0"},                              // go: zero prints without a suffix
    {"00", "0"},                               // go
    {"-0", "0"},                               // never "-0"
    {"1", "1"},                                // go
    {"1Ki", "1Ki"},                            // go
    {"1Mi", "1Mi"},                            // go
    {"1Gi", "1Gi"},                            // go
    {"1024Mi", "1Gi"},                         // go
    {"307200Ki", "300Mi"},                     // go
    {"1024Ki", "1Mi"},                         // factors of 1024 move into the suffix
    {"1.5Gi", "1536Mi"},                       // quantity.go doc comment
    {"0.5Mi", "512Ki"},                        // go (value 524288)
    {"0.5Ki", "512"},                          // binary below 1024 prints as DecimalSI
    {"1025Ki", "1025Ki"},                      // 1025 * 1024
    {"100.035Ki", "102435840m"},               // go (value 102435.84): not an integer, so decimal
    {"0.05Gi", "53687091200m"},                // go (value 53687091.2)
    {".001Ki", "1024m"},                       // go
    {".000001Ki", "1024u"},                    // go
    {".000000001Ki", "1024n"},                 // go
    {".000000000001Ki", "2n"},                 // go: 1.024n rounds up
    {"9Ei", "9223372036854775807"},            // go: binary caps at 2^63-1, which has no factor of 1024
    {"8Ei", "9223372036854775807"},            // go (#140674): 2^63 caps too
    {"0.5", "500m"},                           // go
    {"1.5", "1500m"},                          // quantity.go doc comment
    {"0.1", "100m"},                           //
    {"100m", "100m"},                          // go
    {"1000u", "1m"},                           // go
    {"1.08", "1080m"},                         // go
    {"1080000000n", "1080m"},                  // go
    {"1000M", "1G"},                           // go
    {"0.001T", "1G"},                          // go
    {"50k", "50k"},                            // go (5e4)
    {"100.035k", "100035"},                    // go
    {"10.035M", "10035k"},                     // go
    {"1.01E", "1010P"},                        // go (101e16)
    {"12E", "12E"},                            // go
    {"1000E", "1e21"},                         // go: no DecimalSI suffix beyond E
    {"1000000E", "1e24"},                      // go
    {"1.G", "1G"},                             // go: "1." is allowed
    {"1.", "1"},                               // go
    {".001", "1m"},                            // go
    {".0001k", "100m"},                        // go
    {"0.0000000001", "1n"},                    // go: rounds up to nano
    {"0.00000000050", "1n"},                   // go
    {"0.9n", "1n"},                            // go
    {"3.001n", "4n"},                          // go
    {"0.00000012345", "124n"},                 // go
    {"-1.5", "-1500m"},                        // go (negated table)
    {"+1Ki", "1Ki"},                           // go (explicit + table)
    {"-1024Mi", "-1Gi"},                       // go (TestQuantityParseEmit, negated)
    {"1e3", "1e3"},                            // go
    {"1E6", "1e6"},                            // go
    {"1.2e3", "1200"},                         // go (12e2): exponent lowered to a multiple of 3
    {"1.3E+6", "1300e3"},                      // go (13e5)
    {"12E-2", "120e-3"},                       //
    {"1E-3", "1e-3"},                          // go
    {"0.001e0", "1e-3"},                       // go
    {".001e12", "1e9"},                        // go
    {"1000e-12", "1e-9"},                      // go
    {"1.1E-9", "2e-9"},                        // go: rounds up to nano
    {"0.5e-9", "1e-9"},                        // go
    {"1e30", "1e30"},                          // DecimalExponent keeps its notation
    {"123456789012345678901234567890", "123456789012345678901234567890"},  // beyond int64, exact
    {"0.000000000000000000000000000000000000000000001", "1n"},            // far below nano
    {"1e-2147483648", "1e-9"},                 // the most negative exponent still rounds up to nano
};

}  // namespace

TEST_CASE("quantity parses to the canonical form the API server prints", "[quantity]") {
  REQUIRE(kCanonicalCases.size() >= 25);
  for (const auto& item : kCanonicalCases) {
    INFO("input " << item.input);
    const Quantity parsed = Quantity::parse(item.input);
    CHECK(parsed.to_string() == item.canonical);
    // The canonical form parses back to the same value and prints the same.
    const Quantity again = Quantity::parse(parsed.to_string());
    CHECK(again == parsed);
    CHECK(again.to_string() == item.canonical);
  }
}

TEST_CASE("quantity compares values exactly, whatever the spelling", "[quantity]") {
  struct Equal {
    const char* a;
    const char* b;
  };
  const std::vector<Equal> equal{
      {"500m", "0.5"},   {"1Gi", "1073741824"}, {"1000M", "1G"},       {"1Ki", "1024"},
      {"0.1", "100m"},   {"1e3", "1k"},         {"0", "0Gi"},          {"0", "-0"},
      {"1.5Gi", "1536Mi"}, {"1E", "1e18"},      {"0.5e-9", "1n"},      {"-1Ki", "-1024"},
      {"12E-2", "120m"}, {"1000E", "1e21"},     {"8Ei", "9223372036854775807"},
  };
  for (const auto& item : equal) {
    INFO(item.a << " == " << item.b);
    CHECK(Quantity::parse(item.a) == Quantity::parse(item.b));
    CHECK((Quantity::parse(item.a) <=> Quantity::parse(item.b)) == std::strong_ordering::equal);
  }
  CHECK(Quantity::parse("1Gi") != Quantity::parse("1G"));
  CHECK(Quantity::parse("1") != Quantity::parse("1.000000001"));
}

TEST_CASE("quantity orders by value", "[quantity]") {
  // From TestQuantityCmp: 100m > 50m, 10000T > 100Gi.
  CHECK(Quantity::parse("100m") > Quantity::parse("50m"));
  CHECK(Quantity::parse("50m") < Quantity::parse("100m"));
  CHECK(Quantity::parse("10000T") > Quantity::parse("100Gi"));
  CHECK(Quantity::parse("1Gi") > Quantity::parse("1G"));
  CHECK(Quantity::parse("1Ki") > Quantity::parse("1k"));
  CHECK(Quantity::parse("-1") < Quantity::parse("0"));
  CHECK(Quantity::parse("-2") < Quantity::parse("-1500m"));
  CHECK(Quantity::parse("-1n") < Quantity::parse("1n"));
  CHECK(Quantity::parse("999m") < Quantity::parse("1"));
  CHECK(Quantity::parse("1e30") > Quantity::parse("9Ei"));
  CHECK(Quantity::parse("-1e30") < Quantity::parse("-9Ei"));
  CHECK(Quantity::parse("1e2147483647") > Quantity::parse("1e30"));
  CHECK(Quantity::parse("123456789012345678901234567891") > Quantity::parse("123456789012345678901234567890"));
  CHECK(Quantity() == Quantity::parse("0"));

  std::vector<Quantity> sorted{Quantity::parse("1Gi"), Quantity::parse("-1"), Quantity::parse("500m"),
                               Quantity::parse("1G"), Quantity::parse("0")};
  std::sort(sorted.begin(), sorted.end());
  std::vector<std::string> printed;
  for (const auto& q : sorted) printed.push_back(q.to_string());
  CHECK(printed == std::vector<std::string>{"-1", "0", "500m", "1G", "1Gi"});
}

TEST_CASE("quantity value and milli_value round away from zero like Value and MilliValue", "[quantity]") {
  constexpr auto kMax = std::numeric_limits<std::int64_t>::max();
  constexpr auto kMin = std::numeric_limits<std::int64_t>::min();
  struct Case {
    const char* input;
    std::int64_t value;
    std::int64_t milli;
  };
  const std::vector<Case> cases{
      {"0", 0, 0},
      {"1", 1, 1000},
      {"1.5", 2, 1500},
      {"-1.5", -2, -1500},
      {"100m", 1, 100},
      {"-100m", -1, -100},
      {"1n", 1, 1},
      {"0.0001", 1, 1},
      {"1.0001", 2, 1001},
      {"9.01", 10, 9010},                // TestQuantityRoundUp
      {"1Gi", 1073741824, 1073741824000},
      {"1k", 1000, 1000000},
      {"1e3", 1000, 1000000},
      {"100.035Ki", 102436, 102435840},
      {"9223372036854775807", kMax, kMax},  // milli saturates
      {"9Ei", kMax, kMax},
      {"-9223372036854775808", kMin, kMin},
      {"1e30", kMax, kMax},
      {"-1e30", kMin, kMin},
      {"1e2147483647", kMax, kMax},
  };
  for (const auto& item : cases) {
    INFO("input " << item.input);
    const Quantity q = Quantity::parse(item.input);
    CHECK(q.value() == item.value);
    CHECK(q.milli_value() == item.milli);
  }
}

TEST_CASE("quantity remembers the format of its suffix", "[quantity]") {
  using Format = Quantity::Format;
  CHECK(Quantity::parse("1Gi").format() == Format::BinarySI);
  CHECK(Quantity::parse("0Ki").format() == Format::BinarySI);  // go
  CHECK(Quantity::parse("0.000000000001Ki").format() == Format::DecimalSI);  // go: below 1 leaves binary
  CHECK(Quantity::parse("100m").format() == Format::DecimalSI);
  CHECK(Quantity::parse("1").format() == Format::DecimalSI);
  CHECK(Quantity::parse("1e3").format() == Format::DecimalExponent);
  CHECK(Quantity::parse("1E").format() == Format::DecimalSI);
}

TEST_CASE("quantity converts to double", "[quantity]") {
  CHECK(Quantity::parse("1.5").as_double() == 1.5);
  CHECK(Quantity::parse("100m").as_double() == 0.1);
  CHECK(Quantity::parse("-1Gi").as_double() == -1073741824.0);
  CHECK(Quantity::parse("0").as_double() == 0.0);
  CHECK(Quantity::parse("1e2147483647").as_double() == std::numeric_limits<double>::infinity());
}

TEST_CASE("quantity rejects malformed input naming it", "[quantity]") {
  // "1.1.M" through "-3.01e-", " 1" and "1 " are apimachinery's invalid cases; "Gi", "-" and "." parse as zero in
  // Go but are rejected here: a number without digits is a typo.
  const std::vector<std::string> invalid{
      "",         "1.2.3",    "12x",     "Gi",       "1 Gi",    "--1",      "1e",      "1Kib",
      "1.1.M",    "1+1.0M",   "0.1mi",   "0.1am",    "aoeu",    ".5i",      "1i",      "-3.01i",
      "-3.01e-",  " 1",       "1 ",      "-",        ".",       "+",        "1K",      "1ki",
      "1e+",      "1e1.5",    "1Mi3",    "1e3e",     "Non-Numeric",
      "1e2147483648",                                 // exponent beyond int32
      "10e2147483647",                                // normalises beyond int32
      "1e-99999999999",                               // exponent beyond int32
      "1234567890123456789012345678901234567891",     // 40 significant digits
      std::string(300, '1'),                          // overlong
  };
  for (const auto& text : invalid) {
    INFO("input \"" << text << "\"");
    CHECK_FALSE(Quantity::try_parse(text).has_value());
    CHECK_THROWS_AS(Quantity::parse(text), InvalidQuantity);
  }
  CHECK_THROWS_WITH(Quantity::parse("12x"), Catch::Matchers::StartsWith("quantity \"12x\": "));
  CHECK_THROWS_WITH(Quantity::parse(""), Catch::Matchers::StartsWith("quantity \"\": "));
  CHECK_THROWS_WITH(Quantity::parse(std::string(300, '1')), Catch::Matchers::Contains("longer than"));
  CHECK(Quantity::try_parse("1Gi").has_value());
}
