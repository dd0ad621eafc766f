#include "application_filters.hpp"

#include "gitmoor/engine/repo_url.hpp"

#include <algorithm>
#include <cctype>

#include "gitmoor/core/error.hpp"
#include "request_target.hpp"

namespace gitmoor::web {

namespace {

using core::Json;

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  return text;
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

bool name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.'; }

// A label name or value: at most 63 of [A-Za-z0-9-_.], starting and ending alphanumeric ("" only for values).
bool valid_name(std::string_view text, bool may_be_empty) {
  if (text.empty()) return may_be_empty;
  if (text.size() > 63) return false;
  if (!std::isalnum(static_cast<unsigned char>(text.front())) || !std::isalnum(static_cast<unsigned char>(text.back()))) {
    return false;
  }
  return std::all_of(text.begin(), text.end(), name_char);
}

// [prefix/]name, the prefix a DNS subdomain.
bool valid_key(std::string_view key) {
  const auto slash = key.find('/');
  if (slash == std::string_view::npos) return valid_name(key, false);
  const auto prefix = key.substr(0, slash);
  if (prefix.empty() || prefix.size() > 253) return false;
  const bool prefix_ok = std::all_of(prefix.begin(), prefix.end(), [](char c) {
    return std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '-' ||
           c == '.';
  });
  return prefix_ok && valid_name(key.substr(slash + 1), false);
}

// Splits on commas outside parentheses (`a in (x,y),b` is two requirements).
std::vector<std::string_view> top_level_parts(std::string_view text, std::string_view whole) {
  std::vector<std::string_view> parts;
  int depth = 0;
  std::size_t start = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '(') ++depth;
    if (text[i] == ')' && --depth < 0) {
      throw core::InvalidInput("label selector \"" + std::string(whole) + "\": unbalanced parenthesis");
    }
    if (text[i] == ',' && depth == 0) {
      parts.push_back(text.substr(start, i - start));
      start = i + 1;
    }
  }
  if (depth != 0) throw core::InvalidInput("label selector \"" + std::string(whole) + "\": unbalanced parenthesis");
  parts.push_back(text.substr(start));
  return parts;
}

LabelRequirement parse_requirement(std::string_view part, std::string_view whole) {
  const auto bad = [&](const std::string& why) {
    return core::InvalidInput("label selector \"" + std::string(whole) + "\": " + why);
  };
  const auto check_key = [&](std::string_view key) {
    if (!valid_key(key)) throw bad("invalid label key \"" + std::string(key) + "\"");
    return std::string(key);
  };
  const auto check_value = [&](std::string_view value) {
    if (!valid_name(value, true)) throw bad("invalid label value \"" + std::string(value) + "\"");
    return std::string(value);
  };
  part = trim(part);
  if (part.empty()) throw bad("empty requirement");
  LabelRequirement req;
  if (part.front() == '!') {
    req.op = LabelRequirement::Op::NotExists;
    req.key = check_key(trim(part.substr(1)));
    return req;
  }
  if (const auto at = part.find("!="); at != std::string_view::npos) {
    req.op = LabelRequirement::Op::NotEquals;
    req.key = check_key(trim(part.substr(0, at)));
    req.values = {check_value(trim(part.substr(at + 2)))};
    return req;
  }
  if (const auto at = part.find('='); at != std::string_view::npos) {
    req.op = LabelRequirement::Op::Equals;
    req.key = check_key(trim(part.substr(0, at)));
    const auto value = part.substr(at + (part.substr(at, 2) == "==" ? 2 : 1));
    req.values = {check_value(trim(value))};
    return req;
  }
  const auto space = part.find_first_of(" \t(");
  if (space == std::string_view::npos) {
    req.op = LabelRequirement::Op::Exists;
    req.key = check_key(part);
    return req;
  }
  req.key = check_key(part.substr(0, space));
  auto rest = trim(part.substr(space));
  if (rest.substr(0, 5) == "notin") {
    req.op = LabelRequirement::Op::NotIn;
    rest = trim(rest.substr(5));
  } else if (rest.substr(0, 2) == "in") {
    req.op = LabelRequirement::Op::In;
    rest = trim(rest.substr(2));
  } else {
    throw bad("unknown operator in \"" + std::string(part) + "\" (use =, ==, !=, in, notin, or !key)");
  }
  if (rest.size() < 2 || rest.front() != '(' || rest.back() != ')') {
    throw bad("\"" + std::string(part) + "\": the values must be in parentheses, e.g. key in (a,b)");
  }
  auto inner = rest.substr(1, rest.size() - 2);
  std::size_t start = 0;
  for (;;) {
    const auto comma = inner.find(',', start);
    req.values.push_back(check_value(trim(inner.substr(start, comma == std::string_view::npos ? inner.npos : comma - start))));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return req;
}

// Every comma-separated item of every occurrence of `name`, trimmed, empty items dropped.
std::vector<std::string> list_values(const std::string& query, std::string_view name) {
  std::vector<std::string> out;
  for (const auto& value : query_values(query, name)) {
    std::size_t start = 0;
    for (;;) {
      const auto comma = value.find(',', start);
      const auto item = trim(std::string_view(value).substr(start, comma == std::string::npos ? value.npos : comma - start));
      if (!item.empty()) out.emplace_back(item);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  return out;
}

const Json& at(const Json& object, std::initializer_list<const char*> path) {
  static const Json null;
  const Json* current = &object;
  for (const char* key : path) {
    if (!current->is_object()) return null;
    const auto it = current->find(key);
    if (it == current->end()) return null;
    current = &*it;
  }
  return *current;
}

std::string string_at(const Json& object, std::initializer_list<const char*> path) {
  const auto& value = at(object, path);
  return value.is_string() ? value.get<std::string>() : "";
}

// Keeps `path[index...]` of `source` in `target` (merging with what other paths kept).
void keep_path(const Json& source, const std::vector<std::string>& path, std::size_t index, Json& target) {
  if (index == path.size()) {
    target = source;
    return;
  }
  if (source.is_array()) {
    if (!target.is_array()) target = Json::array();
    for (std::size_t i = 0; i < source.size(); ++i) {
      // An element none of whose paths exists stays an empty object, so indexes still line up.
      if (target.size() <= i) target.push_back(source[i].is_object() ? Json::object() : Json());
      keep_path(source[i], path, index, target[i]);
    }
    return;
  }
  if (!source.is_object()) return;
  const auto it = source.find(path[index]);
  if (it == source.end()) return;
  // Only what leads somewhere is kept: a key whose paths all end nowhere is left out. What an earlier path kept
  // under this key is moved out and back, never copied: `fields` of 1,000 apps would otherwise copy the whole
  // projected list once per path.
  Json kept;
  if (target.is_object()) {
    if (const auto existing = target.find(path[index]); existing != target.end()) kept = std::move(*existing);
  }
  keep_path(*it, path, index + 1, kept);
  if (kept.is_null()) {
    if (target.is_object()) target.erase(path[index]);
    return;
  }
  if (!target.is_object()) target = Json::object();
  target[path[index]] = std::move(kept);
}

}  // namespace

std::vector<LabelRequirement> parse_label_selector(std::string_view text) {
  std::vector<LabelRequirement> out;
  const auto whole = trim(text);
  if (whole.empty()) return out;
  for (const auto part : top_level_parts(whole, whole)) out.push_back(parse_requirement(part, whole));
  return out;
}

bool labels_match(const std::vector<LabelRequirement>& selector, const Json& labels) {
  for (const auto& req : selector) {
    std::optional<std::string> value;
    if (labels.is_object()) {
      const auto it = labels.find(req.key);
      if (it != labels.end() && it->is_string()) value = it->get<std::string>();
    }
    const auto listed = [&] {
      return value && std::find(req.values.begin(), req.values.end(), *value) != req.values.end();
    };
    bool ok = false;
    switch (req.op) {
      case LabelRequirement::Op::Equals: ok = listed(); break;
      case LabelRequirement::Op::In: ok = listed(); break;
      case LabelRequirement::Op::NotEquals: ok = !listed(); break;  // Kubernetes: a missing label matches !=
      case LabelRequirement::Op::NotIn: ok = !listed(); break;
      case LabelRequirement::Op::Exists: ok = value.has_value(); break;
      case LabelRequirement::Op::NotExists: ok = !value.has_value(); break;
    }
    if (!ok) return false;
  }
  return true;
}

bool ApplicationFilter::matches(const std::string& app_name, const Json& labels) const {
  if (!name.empty() && app_name != name) return false;
  if (!search.empty() && app_name.find(search) == std::string::npos) return false;
  return labels_match(selector, labels);
}

bool ApplicationFilter::matches(const Json& app) const {
  const auto name_of = string_at(app, {"metadata", "name"});
  if (!name.empty() && name_of != name) return false;
  if (!search.empty() && name_of.find(search) == std::string::npos) return false;
  if (!labels_match(selector, at(app, {"metadata", "labels"}))) return false;
  if (!repos.empty()) {
    std::string repo = string_at(app, {"spec", "source", "repoURL"});
    if (repos.count(engine::normalize_repo_url(repo)) == 0) return false;
  }
  if (!projects.empty()) {
    auto project = string_at(app, {"spec", "project"});
    if (project.empty()) project = "default";
    if (projects.count(project) == 0) return false;
  }
  if (!sync.empty() && sync.count(lower(string_at(app, {"status", "sync", "status"}))) == 0) return false;
  if (!health.empty() && health.count(lower(string_at(app, {"status", "health", "status"}))) == 0) return false;
  return true;
}

ApplicationFilter parse_application_filter(const std::string& query) {
  ApplicationFilter filter;
  for (auto selector : query_values(query, "selector")) {
    // A form-encoded space arrives as '+', which no label key or value may hold.
    std::replace(selector.begin(), selector.end(), '+', ' ');
    auto parsed = parse_label_selector(selector);
    filter.selector.insert(filter.selector.end(), parsed.begin(), parsed.end());
  }
  for (const auto& repo : query_values(query, "repo")) {
    if (!trim(repo).empty()) filter.repos.insert(engine::normalize_repo_url(repo));
  }
  for (const auto& value : list_values(query, "sync")) filter.sync.insert(lower(value));
  for (const auto& value : list_values(query, "health")) filter.health.insert(lower(value));
  for (const auto& value : list_values(query, "projects")) filter.projects.insert(value);
  for (const auto& value : list_values(query, "project")) filter.projects.insert(value);
  filter.name = query_value(query, "name").value_or("");
  filter.search = query_value(query, "search").value_or("");
  return filter;
}

std::vector<std::string> parse_fields(const std::string& query) { return list_values(query, "fields"); }

Json keep_fields(const Json& document, const std::vector<std::string>& paths) {
  if (paths.empty()) return document;
  Json out = Json::object();
  for (const auto& path : paths) {
    std::vector<std::string> segments;
    std::size_t start = 0;
    for (;;) {
      const auto dot = path.find('.', start);
      segments.push_back(path.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
      if (dot == std::string::npos) break;
      start = dot + 1;
    }
    keep_path(document, segments, 0, out);
  }
  return out;
}

}  // namespace gitmoor::web
