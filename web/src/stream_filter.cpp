// See stream_filter.hpp.
#include "stream_filter.hpp"

#include <algorithm>

#include "gitmoor/core/error.hpp"

namespace gitmoor::web {

namespace {

std::string trim(std::string_view text) {
  const auto begin = text.find_first_not_of(" \t");
  if (begin == std::string_view::npos) return "";
  const auto end = text.find_last_not_of(" \t");
  return std::string(text.substr(begin, end - begin + 1));
}

// Splits at commas outside parentheses: "a in (x,y),b" → {"a in (x,y)", "b"}.
std::vector<std::string> split_terms(const std::string& text) {
  std::vector<std::string> out;
  int depth = 0;
  std::string current;
  for (const char c : text) {
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (c == ',' && depth == 0) {
      out.push_back(trim(current));
      current.clear();
    } else {
      current += c;
    }
  }
  out.push_back(trim(current));
  return out;
}

std::vector<std::string> split_values(const std::string& list) {
  std::vector<std::string> out;
  std::string current;
  for (const char c : list) {
    if (c == ',') {
      out.push_back(trim(current));
      current.clear();
    } else {
      current += c;
    }
  }
  out.push_back(trim(current));
  return out;
}

}  // namespace

ApplicationFilter ApplicationFilter::parse(std::optional<std::string> name, const std::optional<std::string>& selector) {
  ApplicationFilter filter;
  if (name && !name->empty()) filter.name_ = std::move(name);
  if (!selector || trim(*selector).empty()) return filter;
  const auto invalid = [&](const std::string& why) {
    return core::InvalidInput("label selector \"" + *selector + "\": " + why);
  };
  for (const auto& term : split_terms(*selector)) {
    if (term.empty()) throw invalid("empty requirement");
    Requirement requirement;
    const auto set_operator = [&](std::string_view word, Op op) -> bool {
      const std::string pattern = " " + std::string(word) + " ";
      const auto at = term.find(pattern);
      if (at == std::string::npos) return false;
      requirement.key = trim(std::string_view(term).substr(0, at));
      auto rest = trim(std::string_view(term).substr(at + pattern.size()));
      if (rest.size() < 2 || rest.front() != '(' || rest.back() != ')') throw invalid("expected (values) after " + std::string(word));
      requirement.op = op;
      requirement.values = split_values(rest.substr(1, rest.size() - 2));
      return true;
    };
    if (set_operator("notin", Op::NotIn) || set_operator("in", Op::In)) {
      // parsed
    } else if (const auto at = term.find("!="); at != std::string::npos) {
      requirement = {trim(std::string_view(term).substr(0, at)), Op::NotEquals, {trim(std::string_view(term).substr(at + 2))}};
    } else if (const auto eq2 = term.find("=="); eq2 != std::string::npos) {
      requirement = {trim(std::string_view(term).substr(0, eq2)), Op::Equals, {trim(std::string_view(term).substr(eq2 + 2))}};
    } else if (const auto eq = term.find('='); eq != std::string::npos) {
      requirement = {trim(std::string_view(term).substr(0, eq)), Op::Equals, {trim(std::string_view(term).substr(eq + 1))}};
    } else if (term.front() == '!') {
      requirement = {trim(std::string_view(term).substr(1)), Op::NotExists, {}};
    } else {
      requirement = {term, Op::Exists, {}};
    }
    if (requirement.key.empty() || requirement.key.find_first_of(" \t()!=") != std::string::npos) {
      throw invalid("invalid label key in \"" + term + "\"");
    }
    filter.requirements_.push_back(std::move(requirement));
  }
  return filter;
}

bool ApplicationFilter::matches(const core::Json& app) const {
  static const core::Json empty = core::Json::object();
  const auto& metadata = app.contains("metadata") ? app["metadata"] : empty;
  const std::string name = metadata.value("name", "");
  return matches(name, metadata.contains("labels") ? metadata["labels"] : empty);
}

bool ApplicationFilter::matches(const std::string& name, const core::Json& labels) const {
  if (name_ && *name_ != name) return false;
  for (const auto& requirement : requirements_) {
    const bool has = labels.is_object() && labels.contains(requirement.key) && labels[requirement.key].is_string();
    const std::string value = has ? labels[requirement.key].get<std::string>() : "";
    const bool listed =
        has && std::find(requirement.values.begin(), requirement.values.end(), value) != requirement.values.end();
    switch (requirement.op) {
      case Op::Equals:
      case Op::In:
        if (!listed) return false;
        break;
      case Op::NotEquals:
      case Op::NotIn:
        if (listed) return false;
        break;
      case Op::Exists:
        if (!has) return false;
        break;
      case Op::NotExists:
        if (has) return false;
        break;
    }
  }
  return true;
}

}  // namespace gitmoor::web
