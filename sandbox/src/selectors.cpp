#include "selectors.hpp"

#include <algorithm>
#include <cctype>

#include "status.hpp"

namespace gitmoor::sandbox {

namespace {

std::string trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

// Splits on commas outside parentheses.
std::vector<std::string> split_top(std::string_view text) {
  std::vector<std::string> parts;
  int depth = 0;
  std::string current;
  for (char c : text) {
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (c == ',' && depth == 0) {
      parts.push_back(current);
      current.clear();
    } else {
      current += c;
    }
  }
  parts.push_back(current);
  return parts;
}

bool valid_label_key(const std::string& key) {
  if (key.empty() || key.size() > 317) return false;
  return std::all_of(key.begin(), key.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == '/';
  });
}

std::string label_value(const Json& labels, const std::string& key, bool& present) {
  present = false;
  if (!labels.is_object()) return {};
  auto it = labels.find(key);
  if (it == labels.end()) return {};
  present = true;
  return it->is_string() ? it->get<std::string>() : it->dump();
}

}  // namespace

LabelSelector LabelSelector::parse(std::string_view text) {
  LabelSelector sel;
  if (trim(text).empty()) return sel;
  for (const auto& raw : split_top(text)) {
    std::string part = trim(raw);
    if (part.empty()) throw bad_request("unable to parse requirement: found '', expected: identifier");
    Requirement r;
    auto bad = [&] { return bad_request("unable to parse requirement: invalid label selector \"" + part + "\""); };
    if (part[0] == '!') {
      r.key = trim(std::string_view(part).substr(1));
      r.op = Op::DoesNotExist;
    } else if (auto pos = part.find(" notin "); pos != std::string::npos || part.find(" notin(") != std::string::npos) {
      if (pos == std::string::npos) pos = part.find(" notin(");
      r.key = trim(std::string_view(part).substr(0, pos));
      r.op = Op::NotIn;
      std::string rest = trim(std::string_view(part).substr(pos + 6));
      if (rest.size() < 2 || rest.front() != '(' || rest.back() != ')') throw bad();
      for (const auto& v : split_top(std::string_view(rest).substr(1, rest.size() - 2))) r.values.push_back(trim(v));
    } else if (auto pos2 = part.find(" in "); pos2 != std::string::npos || part.find(" in(") != std::string::npos) {
      if (pos2 == std::string::npos) pos2 = part.find(" in(");
      r.key = trim(std::string_view(part).substr(0, pos2));
      r.op = Op::In;
      std::string rest = trim(std::string_view(part).substr(pos2 + 3));
      if (rest.size() < 2 || rest.front() != '(' || rest.back() != ')') throw bad();
      for (const auto& v : split_top(std::string_view(rest).substr(1, rest.size() - 2))) r.values.push_back(trim(v));
    } else if (auto ne = part.find("!="); ne != std::string::npos) {
      r.key = trim(std::string_view(part).substr(0, ne));
      r.op = Op::NotEquals;
      r.values = {trim(std::string_view(part).substr(ne + 2))};
    } else if (auto eq2 = part.find("=="); eq2 != std::string::npos) {
      r.key = trim(std::string_view(part).substr(0, eq2));
      r.op = Op::Equals;
      r.values = {trim(std::string_view(part).substr(eq2 + 2))};
    } else if (auto eq = part.find('='); eq != std::string::npos) {
      r.key = trim(std::string_view(part).substr(0, eq));
      r.op = Op::Equals;
      r.values = {trim(std::string_view(part).substr(eq + 1))};
    } else if (auto gt = part.find('>'); gt != std::string::npos) {
      r.key = trim(std::string_view(part).substr(0, gt));
      r.op = Op::Gt;
      r.values = {trim(std::string_view(part).substr(gt + 1))};
    } else if (auto lt = part.find('<'); lt != std::string::npos) {
      r.key = trim(std::string_view(part).substr(0, lt));
      r.op = Op::Lt;
      r.values = {trim(std::string_view(part).substr(lt + 1))};
    } else {
      r.key = part;
      r.op = Op::Exists;
    }
    if (!valid_label_key(r.key)) throw bad();
    sel.requirements_.push_back(std::move(r));
  }
  return sel;
}

LabelSelector LabelSelector::from_json(const Json& selector) {
  LabelSelector sel;
  if (!selector.is_object()) return sel;
  if (auto ml = selector.find("matchLabels"); ml != selector.end() && ml->is_object()) {
    for (const auto& [k, v] : ml->items()) {
      sel.requirements_.push_back({k, Op::Equals, {v.is_string() ? v.get<std::string>() : v.dump()}});
    }
  }
  if (auto me = selector.find("matchExpressions"); me != selector.end() && me->is_array()) {
    for (const auto& e : *me) {
      if (!e.is_object()) continue;
      Requirement r;
      r.key = e.value("key", "");
      std::string op = e.value("operator", "");
      if (op == "In") r.op = Op::In;
      else if (op == "NotIn") r.op = Op::NotIn;
      else if (op == "Exists") r.op = Op::Exists;
      else if (op == "DoesNotExist") r.op = Op::DoesNotExist;
      else continue;
      if (auto vs = e.find("values"); vs != e.end() && vs->is_array()) {
        for (const auto& v : *vs) {
          if (v.is_string()) r.values.push_back(v.get<std::string>());
        }
      }
      sel.requirements_.push_back(std::move(r));
    }
  }
  return sel;
}

bool LabelSelector::matches(const Json& labels) const {
  for (const auto& r : requirements_) {
    bool present = false;
    std::string value = label_value(labels, r.key, present);
    auto in_values = [&] { return std::find(r.values.begin(), r.values.end(), value) != r.values.end(); };
    switch (r.op) {
      case Op::Equals:
        if (!present || value != r.values[0]) return false;
        break;
      case Op::NotEquals:
        if (present && value == r.values[0]) return false;
        break;
      case Op::In:
        if (!present || !in_values()) return false;
        break;
      case Op::NotIn:
        if (present && in_values()) return false;
        break;
      case Op::Exists:
        if (!present) return false;
        break;
      case Op::DoesNotExist:
        if (present) return false;
        break;
      case Op::Gt:
      case Op::Lt: {
        if (!present) return false;
        try {
          long long have = std::stoll(value);
          long long want = std::stoll(r.values[0]);
          if (r.op == Op::Gt ? !(have > want) : !(have < want)) return false;
        } catch (const std::exception&) {
          return false;
        }
        break;
      }
    }
  }
  return true;
}

FieldSelector FieldSelector::parse(std::string_view text) {
  FieldSelector sel;
  if (trim(text).empty()) return sel;
  for (const auto& raw : split_top(text)) {
    std::string part = trim(raw);
    Requirement r;
    if (auto ne = part.find("!="); ne != std::string::npos) {
      r = {trim(std::string_view(part).substr(0, ne)), false, trim(std::string_view(part).substr(ne + 2))};
    } else if (auto eq2 = part.find("=="); eq2 != std::string::npos) {
      r = {trim(std::string_view(part).substr(0, eq2)), true, trim(std::string_view(part).substr(eq2 + 2))};
    } else if (auto eq = part.find('='); eq != std::string::npos) {
      r = {trim(std::string_view(part).substr(0, eq)), true, trim(std::string_view(part).substr(eq + 1))};
    } else {
      throw bad_request("invalid selector: '" + part + "'; can't understand '" + part + "'");
    }
    if (r.path.empty()) throw bad_request("invalid selector: '" + part + "'");
    sel.requirements_.push_back(std::move(r));
  }
  return sel;
}

std::vector<std::string> FieldSelector::paths() const {
  std::vector<std::string> out;
  for (const auto& r : requirements_) out.push_back(r.path);
  return out;
}

void FieldSelector::rename(const std::string& label, const std::string& path) {
  for (auto& r : requirements_) {
    if (r.path == label) r.path = path;
  }
}

bool FieldSelector::matches(const Json& object) const {
  for (const auto& r : requirements_) {
    const Json* node = &object;
    std::string_view path = r.path;
    bool found = true;
    while (!path.empty()) {
      auto dot = path.find('.');
      std::string key(path.substr(0, dot));
      path = dot == std::string_view::npos ? std::string_view{} : path.substr(dot + 1);
      if (!node->is_object() || !node->contains(key)) {
        found = false;
        break;
      }
      node = &(*node)[key];
    }
    std::string value;
    if (found) value = node->is_string() ? node->get<std::string>() : node->dump();
    if ((value == r.value) != r.equals) return false;
  }
  return true;
}

}  // namespace gitmoor::sandbox
