#pragma once
// Chart versions and the version constraints a Helm repository source's targetRevision may hold, read as Helm reads
// them (Masterminds semver v3, what `helm pull --version` uses), so an Application moved from Argo CD picks the
// same chart version:
//   45.7.1            exactly that version (a leading "v" and missing minor/patch are allowed: "v1.2" is 1.2.0)
//   >=45.0.0 <46.0.0  comparisons (= != > < >= <=), ANDed by spaces or commas
//   1.2 - 1.4.5       an inclusive range
//   ~1.2.3  ^1.2.3    patch-level and minor-level changes; 1.2.x, 1.*, * wildcards
//   ^1.0 || ^2.0      alternatives
// A prerelease (1.2.3-rc.1) matches only a constraint group that names a prerelease itself, as in Helm.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gitmoor::engine {

struct ChartVersion {
  long major = 0, minor = 0, patch = 0;
  std::vector<std::string> prerelease;  // dot-separated identifiers
  std::string text;                     // as written

  // nullopt when `text` is not a version.
  static std::optional<ChartVersion> parse(std::string_view text);
  [[nodiscard]] bool is_prerelease() const { return !prerelease.empty(); }
};

// Semver precedence (build metadata ignored): <0, 0, >0.
int compare(const ChartVersion& a, const ChartVersion& b);

class VersionConstraint {
 public:
  // Throws core::Error naming the constraint and what is wrong with it.
  static VersionConstraint parse(std::string_view text);
  [[nodiscard]] bool matches(const ChartVersion& version) const;
  [[nodiscard]] const std::string& text() const { return text_; }

  struct Comparison {
    enum class Op { Eq, Ne, Gt, Lt, Ge, Le } op = Op::Eq;
    ChartVersion version;
  };

 private:
  std::string text_;
  std::vector<std::vector<Comparison>> groups_;  // OR of ANDs
  std::vector<bool> group_allows_prerelease_;
};

// The highest of `versions` (as written in an index) the constraint matches; nullopt when none does. Entries that are
// not versions are skipped.
std::optional<std::string> highest_match(const VersionConstraint& constraint, const std::vector<std::string>& versions);

}  // namespace gitmoor::engine
