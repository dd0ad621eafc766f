#include "walk.hpp"

#include <algorithm>
#include <array>

#include "gitmoor/differ/field_set.hpp"
#include "gitmoor/differ/normalize.hpp"
#include "gitmoor/differ/schema.hpp"

namespace gitmoor::differ::detail {

namespace {

constexpr std::array<std::string_view, 8> kServerMetadata{
    "uid", "resourceVersion", "generation", "creationTimestamp", "managedFields",
    "selfLink", "deletionTimestamp", "deletionGracePeriodSeconds"};

// Fields of the desired object that are never compared: identity (matched by key), and what the server owns.
bool skipped(const Walk& walk, const std::string& key) {
  const auto depth = walk.names.size();
  if (depth == 0) return key == "status" || key == "apiVersion" || key == "kind";
  if (depth == 1 && walk.names[0] == "metadata") {
    return std::find(kServerMetadata.begin(), kServerMetadata.end(), key) != kServerMetadata.end();
  }
  if (depth == 2 && walk.names[0] == "metadata" && walk.names[1] == "annotations") {
    return key == "kubectl.kubernetes.io/last-applied-configuration";
  }
  return false;
}

const Json* member(const Json* object, const std::string& key) {
  if (object == nullptr || !object->is_object()) return nullptr;
  auto it = object->find(key);
  if (it == object->end() || it->is_null()) return nullptr;
  return &*it;
}

// RAII step into a field or element: names, pointer and elements grow and shrink together.
class Step {
 public:
  Step(Walk& walk, const std::string& token, std::string element, bool named, const std::string* name = nullptr)
      : walk_(walk), pointer_size_(walk.pointer.size()), named_(named) {
    walk_.pointer += '/';
    walk_.pointer += escape_pointer(token);
    walk_.elements.push_back(std::move(element));
    if (named_) walk_.names.push_back(name ? *name : token);
  }
  ~Step() {
    walk_.pointer.resize(pointer_size_);
    walk_.elements.pop_back();
    if (named_) walk_.names.pop_back();
  }
  Step(const Step&) = delete;
  Step& operator=(const Step&) = delete;

 private:
  Walk& walk_;
  std::size_t pointer_size_;
  bool named_;
};

void record(Walk& walk, ChangeOp op, const Json* desired, const Json* live) {
  FoundChange found;
  found.change.path = walk.pointer;
  found.change.op = op;
  if (desired) found.change.desired = *desired;
  if (live) found.change.live = *live;
  found.elements = walk.elements;
  walk.changes.push_back(std::move(found));
}

// Atomic comparison with defaulting in mind: the API server fills defaults into what apply replaced, so a live value
// equals the desired one when it holds every desired field (recursively) and lists have the same length.
bool covers(const Json& desired, const Json& live, std::vector<std::string>& names) {
  if (desired.is_object()) {
    if (!live.is_object()) return false;
    for (const auto& [key, value] : desired.items()) {
      auto it = live.find(key);
      if (it == live.end() || it->is_null()) {
        if (!dropped_by_server(value)) return false;
        continue;
      }
      names.push_back(key);
      bool ok = covers(value, *it, names);
      names.pop_back();
      if (!ok) return false;
    }
    return true;
  }
  if (desired.is_array()) {
    if (!live.is_array() || live.size() != desired.size()) return false;
    for (std::size_t i = 0; i < desired.size(); ++i) {
      if (!covers(desired[i], live[i], names)) return false;
    }
    return true;
  }
  return scalars_equal(desired, live, names);
}

std::optional<std::size_t> find_keyed(const Json* list, const Json& keys) {
  if (list == nullptr || !list->is_array()) return std::nullopt;
  for (std::size_t i = 0; i < list->size(); ++i) {
    if (has_keys((*list)[i], keys)) return i;
  }
  return std::nullopt;
}

std::optional<std::size_t> find_value(const Json* list, const Json& value) {
  if (list == nullptr || !list->is_array()) return std::nullopt;
  for (std::size_t i = 0; i < list->size(); ++i) {
    if ((*list)[i] == value) return i;
  }
  return std::nullopt;
}

void compare_list(Walk& walk, const Json& desired, const Json& live) {
  const ListSchema schema = list_schema(walk.names, walk.builtin);
  if (schema.type == ListType::Map) {
    for (std::size_t i = 0; i < desired.size(); ++i) {
      const Json& element = desired[i];
      if (!element.is_object()) continue;
      Json keys = keys_of(element, schema.keys);
      auto at = find_keyed(&live, keys);
      Step step(walk, std::to_string(at ? *at : i), key_element(keys), false);
      if (at) {
        compare_desired(walk, element, &live[*at]);
      } else {
        record(walk, ChangeOp::Add, &element, nullptr);
      }
    }
    return;
  }
  if (schema.type == ListType::Set) {
    for (std::size_t i = 0; i < desired.size(); ++i) {
      if (find_value(&live, desired[i])) continue;
      Step step(walk, std::to_string(i), value_element(desired[i]), false);
      record(walk, ChangeOp::Add, &desired[i], nullptr);
    }
    return;
  }
  if (!covers(desired, live, walk.names)) record(walk, ChangeOp::Replace, &desired, &live);
}

// A leaf (`f:x: {}`) or a node marked `.` is owned as a whole: apply removes all of it. A node with only children
// owned (`f:labels: {f:app: {}}`) loses only those children; what others set in it stays.
bool owns_whole(const Json& owned) { return owned.empty() || owned.contains("."); }

}  // namespace

std::string escape_pointer(std::string_view token) {
  std::string out;
  out.reserve(token.size());
  for (char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

Json keys_of(const Json& element, const std::vector<std::string>& key_fields) {
  Json keys = Json::object();
  for (const auto& field : key_fields) {
    auto it = element.find(field);
    if (it != element.end() && !it->is_null()) {
      keys[field] = *it;
    } else if (auto fallback = list_key_default(field); !fallback.empty()) {
      keys[field] = std::string(fallback);
    }
  }
  return keys;
}

bool has_keys(const Json& element, const Json& keys) {
  if (!element.is_object()) return false;
  for (const auto& [field, value] : keys.items()) {
    auto it = element.find(field);
    if (it != element.end() && !it->is_null()) {
      if (!scalars_equal(value, *it, {})) return false;
    } else if (auto fallback = list_key_default(field); fallback.empty() || value != fallback) {
      return false;
    }
  }
  return true;
}

void compare_desired(Walk& walk, const Json& desired, const Json* live) {
  if (desired.is_null()) return;  // null in an apply configuration states no opinion
  if (live == nullptr) {
    if (!dropped_by_server(desired)) record(walk, ChangeOp::Add, &desired, nullptr);
    return;
  }
  if (desired.is_object()) {
    if (!live->is_object()) {
      record(walk, ChangeOp::Replace, &desired, live);
      return;
    }
    for (const auto& [key, value] : desired.items()) {
      if (skipped(walk, key)) continue;
      Step step(walk, key, field_element(key), true);
      compare_desired(walk, value, member(live, key));
    }
    return;
  }
  if (desired.is_array()) {
    if (!live->is_array()) {
      if (!(desired.empty() && live->is_null())) record(walk, ChangeOp::Replace, &desired, live);
      return;
    }
    compare_list(walk, desired, *live);
    return;
  }
  if (!scalars_equal(desired, *live, walk.names)) record(walk, ChangeOp::Replace, &desired, live);
}

void compare_owned(Walk& walk, const Json& owned, const Json* desired, const Json* live) {
  if (!owned.is_object() || live == nullptr) return;
  for (const auto& [element, child] : owned.items()) {
    if (element.size() < 2 || element[1] != ':') continue;  // "." and anything unknown
    const char type = element[0];
    const std::string rest = element.substr(2);
    if (type == 'f') {
      if (walk.names.empty() && rest == "status") continue;
      const Json* live_value = member(live, rest);
      if (live_value == nullptr) continue;  // already absent: nothing to remove
      Step step(walk, rest, element, true);
      const Json* desired_value = member(desired, rest);
      if (desired_value == nullptr && owns_whole(child)) {
        record(walk, ChangeOp::Remove, nullptr, live_value);
      } else if (!child.empty()) {
        compare_owned(walk, child, desired_value, live_value);
      }
    } else if (type == 'k' || type == 'v' || type == 'i') {
      if (!live->is_array()) continue;
      std::optional<std::size_t> live_at, desired_at;
      if (type == 'i') {
        std::size_t index = std::strtoull(rest.c_str(), nullptr, 10);
        if (index < live->size()) live_at = index;
        if (desired && desired->is_array() && index < desired->size()) desired_at = index;
      } else {
        Json parsed = Json::parse(rest, nullptr, false);
        if (parsed.is_discarded()) continue;
        live_at = type == 'k' ? find_keyed(live, parsed) : find_value(live, parsed);
        desired_at = type == 'k' ? find_keyed(desired, parsed) : find_value(desired, parsed);
      }
      if (!live_at) continue;
      Step step(walk, std::to_string(*live_at), element, false);
      if (!desired_at && owns_whole(child)) {
        record(walk, ChangeOp::Remove, nullptr, &(*live)[*live_at]);
      } else if (!child.empty()) {
        compare_owned(walk, child, desired_at ? &(*desired)[*desired_at] : nullptr, &(*live)[*live_at]);
      }
    }
  }
}

namespace {

Json merge(const Json* live, const Json& desired, std::vector<std::string>& names, bool builtin) {
  if (live == nullptr || desired.is_null()) return desired;
  if (desired.is_object()) {
    if (!live->is_object()) return desired;
    Json out = *live;
    for (const auto& [key, value] : desired.items()) {
      if (value.is_null()) continue;
      if (names.empty() && (key == "status")) continue;
      names.push_back(key);
      out[key] = merge(member(live, key), value, names, builtin);
      names.pop_back();
    }
    return out;
  }
  if (desired.is_array() && live->is_array()) {
    const ListSchema schema = list_schema(names, builtin);
    if (schema.type == ListType::Map) {
      Json out = *live;
      for (const auto& element : desired) {
        auto at = find_keyed(live, keys_of(element, schema.keys));
        if (at) {
          out[*at] = merge(&(*live)[*at], element, names, builtin);
        } else {
          out.push_back(element);
        }
      }
      return out;
    }
    if (schema.type == ListType::Set) {
      Json out = *live;
      for (const auto& value : desired) {
        if (!find_value(live, value)) out.push_back(value);
      }
      return out;
    }
  }
  return desired;
}

// Removes the values marked discarded. A map or list emptied that way goes too: the API server drops empty
// optional fields (omitempty), so `labels: {}` is never stored. Returns whether `value` was emptied so.
bool drop_discarded(Json& value) {
  bool removed = false;
  if (value.is_object()) {
    for (auto it = value.begin(); it != value.end();) {
      if (it->is_discarded() || drop_discarded(*it)) {
        it = value.erase(it);
        removed = true;
      } else {
        ++it;
      }
    }
  } else if (value.is_array()) {
    Json kept = Json::array();
    for (auto& element : value) {
      if (element.is_discarded() || drop_discarded(element)) {
        removed = true;
        continue;
      }
      kept.push_back(std::move(element));
    }
    value = std::move(kept);
  }
  return removed && value.empty();
}

}  // namespace

Json predict(const Json& live, const Json& desired, const std::vector<FoundChange>& changes, bool builtin) {
  std::vector<std::string> names;
  Json out = merge(&live, desired, names, builtin);
  bool removed = false;
  for (const auto& found : changes) {
    if (found.change.op != ChangeOp::Remove) continue;
    Json::json_pointer pointer(found.change.path);
    if (out.contains(pointer)) {
      out[pointer] = Json(Json::value_t::discarded);
      removed = true;
    }
  }
  if (removed) drop_discarded(out);
  return out;
}

}  // namespace gitmoor::differ::detail
