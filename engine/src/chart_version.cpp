// See chart_version.hpp.
#include "chart_version.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "gitmoor/core/error.hpp"

namespace gitmoor::engine {

namespace {

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
}

std::optional<long> number(std::string_view s) {
  if (!all_digits(s) || s.size() > 15) return std::nullopt;
  long value = 0;
  std::from_chars(s.data(), s.data() + s.size(), value);
  return value;
}

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    const auto at = s.find(sep, start);
    out.emplace_back(s.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start));
    if (at == std::string_view::npos) return out;
    start = at + 1;
  }
}

bool is_wildcard(std::string_view part) { return part == "x" || part == "X" || part == "*"; }

// A version as a constraint writes it: up to three numbers, the missing or wildcard ones unknown ("1.2.x" knows 2).
struct Partial {
  ChartVersion version;  // unknown parts are 0
  int known = 0;         // how many leading parts are numbers
};

std::optional<Partial> parse_partial(std::string_view text) {
  Partial out;
  std::string_view s = text;
  if (!s.empty() && (s.front() == 'v' || s.front() == 'V')) s.remove_prefix(1);
  if (const auto plus = s.find('+'); plus != std::string_view::npos) s = s.substr(0, plus);
  std::string_view pre;
  if (const auto dash = s.find('-'); dash != std::string_view::npos) {
    pre = s.substr(dash + 1);
    s = s.substr(0, dash);
    if (pre.empty()) return std::nullopt;
  }
  const auto parts = split(s, '.');
  if (parts.empty() || parts.size() > 3) return std::nullopt;
  long* fields[] = {&out.version.major, &out.version.minor, &out.version.patch};
  bool wild = false;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (is_wildcard(parts[i])) {
      wild = true;
      continue;
    }
    if (wild) return std::nullopt;  // 1.x.3
    const auto n = number(parts[i]);
    if (!n) return std::nullopt;
    *fields[i] = *n;
    ++out.known;
  }
  if (!pre.empty()) {
    if (out.known != 3) return std::nullopt;
    out.version.prerelease = split(pre, '.');
    for (const auto& id : out.version.prerelease) {
      if (id.empty()) return std::nullopt;
    }
  }
  out.version.text = std::string(text);
  return out;
}

// The partial version with its part `index` raised by one and the later ones zeroed (1.2 bumped at 1 → 1.3.0).
ChartVersion bumped(const Partial& p, int index) {
  ChartVersion v = p.version;
  v.prerelease.clear();
  if (index <= 0) return ChartVersion{.major = v.major + 1, .minor = 0, .patch = 0, .prerelease = {}, .text = {}};
  if (index == 1) return ChartVersion{.major = v.major, .minor = v.minor + 1, .patch = 0, .prerelease = {}, .text = {}};
  return ChartVersion{.major = v.major, .minor = v.minor, .patch = v.patch + 1, .prerelease = {}, .text = {}};
}

int compare_identifiers(const std::string& a, const std::string& b) {
  const bool na = all_digits(a), nb = all_digits(b);
  if (na && nb) {
    if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
    return a.compare(b) < 0 ? -1 : a == b ? 0 : 1;
  }
  if (na != nb) return na ? -1 : 1;  // numeric identifiers sort before alphanumeric ones
  return a.compare(b) < 0 ? -1 : a == b ? 0 : 1;
}

}  // namespace

std::optional<ChartVersion> ChartVersion::parse(std::string_view text) {
  auto partial = parse_partial(text);
  if (!partial || partial->known == 0) return std::nullopt;
  // Wildcards are for constraints; a version lists its numbers ("1.2" is 1.2.0, "1.x" is not a version).
  if (text.find_first_of("xX*") != std::string_view::npos) {
    const auto core_end = text.find_first_of("-+");
    if (text.substr(0, core_end).find_first_of("xX*") != std::string_view::npos) return std::nullopt;
  }
  partial->version.text = std::string(text);
  return partial->version;
}

int compare(const ChartVersion& a, const ChartVersion& b) {
  for (auto [x, y] : {std::pair{a.major, b.major}, std::pair{a.minor, b.minor}, std::pair{a.patch, b.patch}}) {
    if (x != y) return x < y ? -1 : 1;
  }
  if (a.prerelease.empty() || b.prerelease.empty()) {
    if (a.prerelease.empty() == b.prerelease.empty()) return 0;
    return a.prerelease.empty() ? 1 : -1;  // 1.0.0-rc.1 < 1.0.0
  }
  for (std::size_t i = 0; i < std::min(a.prerelease.size(), b.prerelease.size()); ++i) {
    if (const int c = compare_identifiers(a.prerelease[i], b.prerelease[i]); c != 0) return c;
  }
  if (a.prerelease.size() == b.prerelease.size()) return 0;
  return a.prerelease.size() < b.prerelease.size() ? -1 : 1;
}

VersionConstraint VersionConstraint::parse(std::string_view text) {
  using Op = Comparison::Op;
  VersionConstraint out;
  out.text_ = std::string(text);
  const auto fail = [&](const std::string& why) -> VersionConstraint {
    throw core::Error("chart version constraint \"" + std::string(text) + "\": " + why);
  };
  if (text.find_first_not_of(" \t") == std::string_view::npos) return fail("empty");

  std::string rest(text);
  std::size_t at = 0;
  std::vector<std::string> alternatives;
  while ((at = rest.find("||")) != std::string::npos) {
    alternatives.push_back(rest.substr(0, at));
    rest = rest.substr(at + 2);
  }
  alternatives.push_back(rest);

  for (const auto& alternative : alternatives) {
    // Tokens: commas are spaces; an operator written apart from its version ("<= 1.2") is joined to it.
    std::string spaced = alternative;
    std::replace(spaced.begin(), spaced.end(), ',', ' ');
    std::vector<std::string> words;
    for (std::size_t i = 0; i < spaced.size();) {
      while (i < spaced.size() && std::isspace(static_cast<unsigned char>(spaced[i]))) ++i;
      const auto start = i;
      while (i < spaced.size() && !std::isspace(static_cast<unsigned char>(spaced[i]))) ++i;
      if (i > start) words.push_back(spaced.substr(start, i - start));
    }
    if (words.empty()) return fail("an empty alternative");
    std::vector<Comparison> group;
    bool prerelease = false;
    for (std::size_t w = 0; w < words.size(); ++w) {
      std::string word = words[w];
      static const char* kOperators[] = {">=", "=>", "<=", "=<", "!=", "~>", ">", "<", "=", "~", "^"};
      std::string op;
      for (const char* candidate : kOperators) {
        if (word.rfind(candidate, 0) == 0) {
          op = candidate;
          break;
        }
      }
      std::string version_text = word.substr(op.size());
      if (version_text.empty()) {
        if (op.empty() || w + 1 >= words.size()) return fail("\"" + word + "\" is not followed by a version");
        version_text = words[++w];
      }
      const auto version = parse_partial(version_text);
      if (!version) return fail("\"" + version_text + "\" is not a version");
      if (version->version.is_prerelease()) prerelease = true;
      const Partial& v = *version;
      const auto zeroed = [&] {
        ChartVersion z = v.version;
        z.text.clear();
        return z;
      };
      const auto add = [&](Op o, ChartVersion bound) { group.push_back({o, std::move(bound)}); };
      // A hyphen range: "A - B".
      if (op.empty() && w + 2 < words.size() && words[w + 1] == "-") {
        const auto upper = parse_partial(words[w + 2]);
        if (!upper) return fail("\"" + words[w + 2] + "\" is not a version");
        if (upper->version.is_prerelease()) prerelease = true;
        add(Op::Ge, zeroed());
        if (upper->known == 3) {
          add(Op::Le, upper->version);
        } else if (upper->known > 0) {
          add(Op::Lt, bumped(*upper, upper->known - 1));
        }
        w += 2;
        continue;
      }
      if (op.empty() || op == "=") {
        if (v.known == 3) {
          add(Op::Eq, v.version);
        } else if (v.known > 0) {
          add(Op::Ge, zeroed());
          add(Op::Lt, bumped(v, v.known - 1));
        }  // "*": any version
      } else if (op == "!=") {
        if (v.known == 0) return fail("\"!=*\" matches nothing");
        if (v.known < 3) return fail("\"!=\" needs a full version, not \"" + version_text + "\"");
        add(Op::Ne, v.version);
      } else if (op == ">") {
        if (v.known == 3) {
          add(Op::Gt, v.version);
        } else if (v.known > 0) {
          add(Op::Ge, bumped(v, v.known - 1));
        }
      } else if (op == ">=" || op == "=>") {
        add(Op::Ge, zeroed());
      } else if (op == "<") {
        add(Op::Lt, zeroed());
      } else if (op == "<=" || op == "=<") {
        if (v.known == 3) {
          add(Op::Le, v.version);
        } else if (v.known > 0) {
          add(Op::Lt, bumped(v, v.known - 1));
        }
      } else if (op == "~" || op == "~>") {
        add(Op::Ge, zeroed());
        add(Op::Lt, bumped(v, v.known >= 2 ? 1 : 0));
      } else if (op == "^") {
        add(Op::Ge, zeroed());
        // The left-most non-zero part may not change; with only zeros, the last part written may not.
        int fixed = 0;
        if (v.version.major == 0 && v.known >= 2) fixed = (v.version.minor == 0 && v.known >= 3) ? 2 : 1;
        add(Op::Lt, bumped(v, fixed));
      }
    }
    out.groups_.push_back(std::move(group));
    out.group_allows_prerelease_.push_back(prerelease);
  }
  return out;
}

bool VersionConstraint::matches(const ChartVersion& version) const {
  using Op = Comparison::Op;
  for (std::size_t g = 0; g < groups_.size(); ++g) {
    if (version.is_prerelease() && !group_allows_prerelease_[g]) continue;
    bool all = true;
    for (const auto& c : groups_[g]) {
      const int r = compare(version, c.version);
      const bool ok = c.op == Op::Eq ? r == 0 : c.op == Op::Ne ? r != 0 : c.op == Op::Gt ? r > 0
                    : c.op == Op::Lt ? r < 0 : c.op == Op::Ge ? r >= 0 : r <= 0;
      if (!ok) {
        all = false;
        break;
      }
    }
    if (all) return true;
  }
  return false;
}

std::optional<std::string> highest_match(const VersionConstraint& constraint, const std::vector<std::string>& versions) {
  std::optional<ChartVersion> best;
  for (const auto& text : versions) {
    auto version = ChartVersion::parse(text);
    if (!version || !constraint.matches(*version)) continue;
    if (!best || compare(*version, *best) > 0) best = std::move(version);
  }
  if (!best) return std::nullopt;
  return best->text;
}

}  // namespace gitmoor::engine
