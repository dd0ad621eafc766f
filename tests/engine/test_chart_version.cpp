// Chart versions and constraints read as Helm reads them (Masterminds semver v3), so targetRevision picks what
// `helm pull --version` would.
#include <catch2/catch.hpp>

#include "chart_version.hpp"
#include "gitmoor/core/error.hpp"

using gitmoor::engine::ChartVersion;
using gitmoor::engine::highest_match;
using gitmoor::engine::VersionConstraint;

namespace {

bool matches(const std::string& constraint, const std::string& version) {
  return VersionConstraint::parse(constraint).matches(*ChartVersion::parse(version));
}

}  // namespace

TEST_CASE("chart versions parse leniently and order by semver precedence", "[engine][helm-repo]") {
  CHECK(ChartVersion::parse("v1.2")->minor == 2);
  CHECK(ChartVersion::parse("1.2")->patch == 0);
  CHECK(ChartVersion::parse("45.7.1")->major == 45);
  CHECK_FALSE(ChartVersion::parse("latest"));
  CHECK_FALSE(ChartVersion::parse("1.x"));
  CHECK_FALSE(ChartVersion::parse("1.2.3.4"));
  CHECK_FALSE(ChartVersion::parse(""));
  const auto order = [](const std::string& a, const std::string& b) {
    return compare(*ChartVersion::parse(a), *ChartVersion::parse(b));
  };
  CHECK(order("1.0.0-rc.1", "1.0.0") < 0);
  CHECK(order("1.0.0-alpha", "1.0.0-alpha.1") < 0);
  CHECK(order("1.0.0-alpha.1", "1.0.0-alpha.beta") < 0);
  CHECK(order("1.0.0-beta.2", "1.0.0-beta.11") < 0);
  CHECK(order("1.10.0", "1.9.9") > 0);
  CHECK(order("1.2.3+build.5", "1.2.3") == 0);
}

TEST_CASE("chart version constraints: comparisons, ranges, tilde, caret, wildcards and alternatives", "[engine][helm-repo]") {
  CHECK(matches("45.7.1", "45.7.1"));
  CHECK_FALSE(matches("45.7.1", "45.7.2"));
  CHECK(matches("=1.2", "1.2.9"));  // a partial version is a range
  CHECK_FALSE(matches("=1.2", "1.3.0"));
  CHECK(matches(">=45.0.0 <46.0.0", "45.99.0"));
  CHECK_FALSE(matches(">=45.0.0, <46.0.0", "46.0.0"));
  CHECK(matches(">= 1.2", "1.2.0"));  // an operator apart from its version
  CHECK(matches("!=1.2.3", "1.2.4"));
  CHECK_FALSE(matches("!=1.2.3", "1.2.3"));
  CHECK(matches(">1.2", "1.3.0"));
  CHECK_FALSE(matches(">1.2", "1.2.5"));
  CHECK(matches("<=1.2", "1.2.9"));
  CHECK_FALSE(matches("<1.2", "1.2.0"));
  CHECK(matches("1.2 - 1.4.5", "1.4.5"));
  CHECK_FALSE(matches("1.2 - 1.4.5", "1.4.6"));
  CHECK(matches("1.2 - 1.4", "1.4.9"));
  CHECK(matches("~1.2.3", "1.2.9"));
  CHECK_FALSE(matches("~1.2.3", "1.3.0"));
  CHECK(matches("~1", "1.9.0"));
  CHECK(matches("^1.2.3", "1.9.0"));
  CHECK_FALSE(matches("^1.2.3", "2.0.0"));
  CHECK(matches("^0.2.3", "0.2.9"));
  CHECK_FALSE(matches("^0.2.3", "0.3.0"));
  CHECK_FALSE(matches("^0.0.3", "0.0.4"));
  CHECK(matches("^0.0", "0.0.9"));
  CHECK_FALSE(matches("^0.0", "0.1.0"));
  CHECK(matches("^0", "0.9.0"));
  CHECK(matches("1.2.x", "1.2.7"));
  CHECK_FALSE(matches("1.2.x", "1.3.0"));
  CHECK(matches("*", "99.0.0"));
  CHECK(matches("^1.0 || ^3.0", "3.1.0"));
  CHECK_FALSE(matches("^1.0 || ^3.0", "2.1.0"));
  // Prereleases only where the constraint names one.
  CHECK_FALSE(matches("*", "2.0.0-rc.1"));
  CHECK_FALSE(matches(">=1.0.0", "2.0.0-rc.1"));
  CHECK(matches(">=2.0.0-rc.0", "2.0.0-rc.1"));
  CHECK(matches("2.0.0-rc.1", "2.0.0-rc.1"));

  CHECK(highest_match(VersionConstraint::parse("^45.0.0"), {"44.9.0", "45.1.0", "45.10.2", "46.0.0", "45.11.0-rc.1"}) ==
        "45.10.2");
  CHECK(highest_match(VersionConstraint::parse("*"), {"1.0.0", "not-a-version", "0.9.0"}) == "1.0.0");
  CHECK_FALSE(highest_match(VersionConstraint::parse(">=9"), {"1.0.0"}));
}

TEST_CASE("a bad chart version constraint is an error naming it", "[engine][helm-repo]") {
  for (const std::string bad : {"", "  ", "latest", ">=", "1.x.3", "^1.0 ||", "!=1.x", "1.2.3-"}) {
    INFO(bad);
    CHECK_THROWS_WITH(VersionConstraint::parse(bad), Catch::Contains("chart version constraint \"" + bad + "\""));
  }
}
