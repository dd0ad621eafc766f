#include "walk.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <optional>

#include "gitmoor/differ/field_set.hpp"
#include "gitmoor/differ/normalize.hpp"

namespace gitmoor::differ::detail {

namespace {

constexpr std::array<std::string_view, 8> kServerMetadata{
    "uid", "resourceVersion", "generation", "creationTimestamp", "managedFields",
    "selfLink", "deletionTimestamp", "deletionGracePeriodSeconds"};

}  // namespace

bool skipped_field(const std::vector<std::string_view>& names, std::string_view key) {
  const auto depth = names.size();
  if (depth == 0) return key == "status" || key == "apiVersion" || key == "kind";
  if (depth == 1 && names[0] == "metadata") {
    return std::find(kServerMetadata.begin(), kServerMetadata.end(), key) != kServerMetadata.end();
  }
  if (depth == 2 && names[0] == "metadata" && names[1] == "annotations") {
    return key == "kubectl.kubernetes.io/last-applied-configuration";
  }
  return false;
}

std::optional<KeyFields> read_keys(std::string_view s) {
  KeyFields fields;
  std::size_t i = 0;
  auto quoted = [&](std::string_view& out) {
    if (i >= s.size() || s[i] != '"') return false;
    const std::size_t start = ++i;
    while (i < s.size() && s[i] != '"') {
      if (s[i] == '\\') return false;
      ++i;
    }
    if (i >= s.size()) return false;
    out = s.substr(start, i - start);
    ++i;
    return true;
  };
  if (s.empty() || s[i++] != '{') return std::nullopt;
  while (i < s.size()) {
    KeyField f;
    if (!quoted(f.name) || i >= s.size() || s[i++] != ':') return std::nullopt;
    if (i < s.size() && s[i] == '"') {
      f.is_string = true;
      if (!quoted(f.text)) return std::nullopt;
    } else {
      const std::size_t start = i;
      while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '-')) ++i;
      if (i == start) return std::nullopt;
      f.text = s.substr(start, i - start);
    }
    if (fields.size == fields.items.size()) return std::nullopt;
    fields.items[fields.size++] = f;
    if (i < s.size() && s[i] == ',') {
      ++i;
      continue;
    }
    if (i < s.size() && s[i] == '}' && i + 1 == s.size()) return fields;
    return std::nullopt;
  }
  return std::nullopt;
}


namespace {

const Json* member(const Json* object, std::string_view key) {
  if (object == nullptr || !object->is_object()) return nullptr;
  auto it = object->find(key);
  if (it == object->end() || it->is_null()) return nullptr;
  return &*it;
}

// The fields of a JSON object in key order (nlohmann keeps objects as std::map), without the iteration proxy.
const Json::object_t& fields_of(const Json& object) { return object.get_ref<const Json::object_t&>(); }

// Finds fields of one object asked for in ascending key order. Desired and live objects (and the `f:` entries of a
// fieldsV1 node) are ordered by the same comparison, so walking them in step costs one pass over both instead of a
// tree lookup per field: the walks below do this for every field of every object on every reconcile.
class OrderedLookup {
 public:
  explicit OrderedLookup(const Json* object) {
    if (object != nullptr && object->is_object()) {
      it_ = fields_of(*object).begin();
      end_ = fields_of(*object).end();
    }
  }
  // The non-null value of `key`, or nullptr; `key` must not be less than the key asked before.
  const Json* find(std::string_view key) {
    while (it_ != end_ && std::string_view(it_->first) < key) ++it_;
    if (it_ == end_ || it_->first != key || it_->second.is_null()) return nullptr;
    return &it_->second;
  }

 private:
  Json::object_t::const_iterator it_{};
  Json::object_t::const_iterator end_{};
};

// RAII step into a field or a list element.
class Step {
 public:
  Step(Walk& walk, Token token) : walk_(walk), named_(token.is_field) {
    if (named_) walk_.names.push_back(token.field);
    walk_.path.push_back(token);
  }
  ~Step() {
    walk_.path.pop_back();
    if (named_) walk_.names.pop_back();
  }
  Step(const Step&) = delete;
  Step& operator=(const Step&) = delete;

 private:
  Walk& walk_;
  bool named_;
};

Token field_token(std::string_view name, std::string_view raw = {}) { return {true, name, 0, raw, nullptr, nullptr}; }
Token element_token(std::size_t index, std::string_view raw, const Json* element = nullptr,
                    const std::vector<std::string>* keys = nullptr) {
  return {false, {}, index, raw, element, keys};
}

std::string element_string(const Token& t) {
  if (!t.raw.empty()) return std::string(t.raw);
  if (t.is_field) return field_element(t.field);
  if (t.element != nullptr && t.keys != nullptr) return key_element(keys_of(*t.element, *t.keys));
  if (t.element != nullptr) return value_element(*t.element);
  return "i:" + std::to_string(t.index);
}

void record(Walk& walk, ChangeOp op, const Json* desired, const Json* live) {
  FoundChange found;
  for (const auto& t : walk.path) {
    found.change.path += '/';
    found.change.path += t.is_field ? escape_pointer(t.field) : std::to_string(t.index);
    found.elements.push_back(element_string(t));
  }
  found.change.op = op;
  if (desired) found.change.desired = *desired;
  if (live) found.change.live = *live;
  walk.changes.push_back(std::move(found));
}

// Atomic comparison with defaulting in mind: the API server fills defaults into what apply replaced, so a live value
// equals the desired one when it holds every desired field (recursively) and lists have the same length.
bool covers(const Json& desired, const Json& live, std::vector<std::string_view>& names) {
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
  return scalars_equal_at(desired, live, names);
}

// The value of a key field of an element, or its default; nullptr when neither.
bool key_field_equal(const Json& a, const Json& b, const std::string& field) {
  auto ia = a.find(field);
  auto ib = b.find(field);
  const bool has_a = ia != a.end() && !ia->is_null();
  const bool has_b = ib != b.end() && !ib->is_null();
  if (has_a && has_b) return *ia == *ib;
  const std::string_view fallback = list_key_default(field);
  if (fallback.empty()) return !has_a && !has_b;
  if (has_a) return ia->is_string() && ia->get_ref<const std::string&>() == fallback;
  if (has_b) return ib->is_string() && ib->get_ref<const std::string&>() == fallback;
  return true;
}

// The element of `list` with the same keys as `element`. `hint` is where it usually is: the API server keeps a
// list-map in the order it was applied, so the desired element's own position is tried first.
std::optional<std::size_t> find_same(const Json* list, const Json& element, const std::vector<std::string>& keys,
                                     std::size_t hint = 0, std::size_t limit = SIZE_MAX) {
  if (list == nullptr || !list->is_array() || !element.is_object()) return std::nullopt;
  const std::size_t size = std::min(list->size(), limit);
  auto same_at = [&](std::size_t i) {
    const Json& candidate = (*list)[i];
    if (!candidate.is_object()) return false;
    for (const auto& field : keys) {
      if (!key_field_equal(element, candidate, field)) return false;
    }
    return true;
  };
  if (hint < size && same_at(hint)) return hint;
  for (std::size_t i = 0; i < size; ++i) {
    if (i != hint && same_at(i)) return i;
  }
  return std::nullopt;
}

std::optional<std::size_t> find_value(const Json* list, const Json& value, std::size_t limit = SIZE_MAX) {
  if (list == nullptr || !list->is_array()) return std::nullopt;
  for (std::size_t i = 0; i < std::min(list->size(), limit); ++i) {
    if ((*list)[i] == value) return i;
  }
  return std::nullopt;
}

bool matches_keys(const Json& element, const KeyFields& keys) {
  if (!element.is_object()) return false;
  for (const auto& k : keys) {
    auto it = element.find(k.name);
    if (it == element.end() || it->is_null()) {
      if (!k.is_string || list_key_default(k.name) != k.text) return false;
      continue;
    }
    if (k.is_string) {
      if (!it->is_string() || it->get_ref<const std::string&>() != k.text) return false;
    } else {
      if (!it->is_number_integer()) return false;
      std::int64_t n = 0;
      auto [end, ec] = std::from_chars(k.text.data(), k.text.data() + k.text.size(), n);
      if (ec != std::errc() || end != k.text.data() + k.text.size() || it->get<std::int64_t>() != n) return false;
    }
  }
  return true;
}

bool matches_parsed(const Json& element, const Json& keys) {
  if (!element.is_object() || !keys.is_object()) return false;
  for (const auto& [field, value] : keys.items()) {
    auto it = element.find(field);
    if (it != element.end() && !it->is_null()) {
      if (*it != value) return false;
    } else if (auto fallback = list_key_default(field); fallback.empty() || value != fallback) {
      return false;
    }
  }
  return true;
}

template <class Match>
std::optional<std::size_t> find_if_in(const Json* list, Match match) {
  if (list == nullptr || !list->is_array()) return std::nullopt;
  for (std::size_t i = 0; i < list->size(); ++i) {
    if (match((*list)[i])) return i;
  }
  return std::nullopt;
}

void compare_list(Walk& walk, const Json& desired, const Json& live) {
  const ListSchema& schema = walk.lists.at(walk.names);
  if (schema.type == ListType::Map) {
    for (std::size_t i = 0; i < desired.size(); ++i) {
      const Json& element = desired[i];
      if (!element.is_object()) continue;
      auto at = find_same(&live, element, schema.keys, i);
      Step step(walk, element_token(at ? *at : i, {}, &element, &schema.keys));
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
      Step step(walk, element_token(i, {}, &desired[i]));
      record(walk, ChangeOp::Add, &desired[i], nullptr);
    }
    return;
  }
  if (!covers(desired, live, walk.names)) record(walk, ChangeOp::Replace, &desired, &live);
}

// A leaf (`f:x: {}`) or a node marked `.` is owned as a whole: apply removes all of it. A node with only children
// owned (`f:labels: {f:app: {}}`) loses only those children; what others set in it stays.
bool owns_whole(const Json& owned) { return owned.empty() || owned.contains("."); }

// Whether every field in `owned` is also in `desired`: the common in-sync case, checked without touching the
// (larger) live object. Only when it fails does compare_owned look for what apply would remove.
bool owned_in_desired(const Json& owned, const Json& desired, bool root) {
  if (!owned.is_object()) return true;
  OrderedLookup desired_fields(&desired);  // `f:` entries are in field order: "f:a" < "f:b" as "a" < "b"
  for (const auto& [element, child] : fields_of(owned)) {
    if (element.size() < 2 || element[1] != ':') continue;
    const char type = element[0];
    const std::string_view rest = std::string_view(element).substr(2);
    const Json* next = nullptr;
    if (type == 'f') {
      if (root && rest == "status") continue;
      next = desired_fields.find(rest);
    } else if (type == 'k' && desired.is_array()) {
      auto keys = read_keys(rest);
      if (!keys) return false;
      auto at = find_if_in(&desired, [&](const Json& e) { return matches_keys(e, *keys); });
      if (at) next = &desired[*at];
    } else {
      return false;  // sets and indexes: let the full walk decide
    }
    if (next == nullptr) return false;
    if (!child.empty() && !owned_in_desired(child, *next, false)) return false;
  }
  return true;
}

}  // namespace

bool owned_fields_kept(const Json& owned, const Json& desired) { return owned_in_desired(owned, desired, true); }

std::string escape_pointer(std::string_view token) {
  if (token.find_first_of("~/") == std::string_view::npos) return std::string(token);
  std::string out;
  out.reserve(token.size() + 2);
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

bool same_keys(const Json& a, const Json& b, const std::vector<std::string>& key_fields) {
  if (!a.is_object() || !b.is_object()) return false;
  for (const auto& field : key_fields) {
    if (!key_field_equal(a, b, field)) return false;
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
    OrderedLookup live_fields(live);
    for (const auto& [key, value] : fields_of(desired)) {
      if (skipped_field(walk.names, key)) continue;
      Step step(walk, field_token(key));
      compare_desired(walk, value, live_fields.find(key));
    }
    return;
  }
  if (desired.is_array()) {
    if (!live->is_array()) {
      record(walk, ChangeOp::Replace, &desired, live);
      return;
    }
    compare_list(walk, desired, *live);
    return;
  }
  if (!scalars_equal_at(desired, *live, walk.names)) record(walk, ChangeOp::Replace, &desired, live);
}

void compare_owned(Walk& walk, const Json& owned, const Json* desired, const Json* live) {
  if (!owned.is_object() || live == nullptr) return;
  for (const auto& [element, child] : owned.items()) {
    if (element.size() < 2 || element[1] != ':') continue;  // "." and anything unknown
    const char type = element[0];
    const std::string_view rest = std::string_view(element).substr(2);
    if (type == 'f') {
      if (walk.names.empty() && rest == "status") continue;
      const Json* live_value = member(live, rest);
      if (live_value == nullptr) continue;  // already absent: nothing to remove
      Step step(walk, field_token(rest, element));
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
        std::size_t index = 0;
        std::from_chars(rest.data(), rest.data() + rest.size(), index);
        if (index < live->size()) live_at = index;
        if (desired && desired->is_array() && index < desired->size()) desired_at = index;
      } else if (auto keys = type == 'k' ? read_keys(rest) : std::nullopt) {
        auto match = [&](const Json& e) { return matches_keys(e, *keys); };
        live_at = find_if_in(live, match);
        if (live_at) desired_at = find_if_in(desired, match);
      } else {
        Json parsed = Json::parse(rest, nullptr, false);
        if (parsed.is_discarded()) continue;
        auto match = [&](const Json& e) { return type == 'k' ? matches_parsed(e, parsed) : e == parsed; };
        live_at = find_if_in(live, match);
        if (live_at) desired_at = find_if_in(desired, match);
      }
      if (!live_at) continue;
      Step step(walk, element_token(*live_at, element));
      if (!desired_at && owns_whole(child)) {
        record(walk, ChangeOp::Remove, nullptr, &(*live)[*live_at]);
      } else if (!child.empty()) {
        compare_owned(walk, child, desired_at ? &(*desired)[*desired_at] : nullptr, &(*live)[*live_at]);
      }
    }
  }
}

namespace {

// Merges `desired` into `out` (which holds the live value) as server-side apply does, in place: copying each level
// of live and then assigning it into its parent would copy the object once per level of depth.
void merge_into(Json& out, const Json& desired, std::vector<std::string_view>& names, const ListTypes& lists) {
  if (desired.is_object()) {
    if (!out.is_object()) {
      out = desired;
      return;
    }
    for (const auto& [key, value] : fields_of(desired)) {
      if (value.is_null()) continue;
      if (names.empty() && key == "status") continue;
      auto it = out.find(key);
      if (it == out.end() || it->is_null()) {
        out[key] = value;
        continue;
      }
      names.push_back(key);
      merge_into(*it, value, names, lists);
      names.pop_back();
    }
    return;
  }
  if (desired.is_array() && out.is_array()) {
    const ListSchema& schema = lists.at(names);
    const std::size_t live_size = out.size();  // desired elements appended below are not matched against
    if (schema.type == ListType::Map) {
      for (std::size_t i = 0; i < desired.size(); ++i) {
        const Json& element = desired[i];
        auto at = find_same(&out, element, schema.keys, i, live_size);
        if (at) {
          merge_into(out[*at], element, names, lists);
        } else {
          out.push_back(element);
        }
      }
      return;
    }
    if (schema.type == ListType::Set) {
      for (const auto& value : desired) {
        if (!find_value(&out, value, live_size)) out.push_back(value);
      }
      return;
    }
  }
  out = desired;
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

Json predict(const Json& live, const Json& desired, const std::vector<FoundChange>& changes,
             const ListTypes& lists) {
  std::vector<std::string_view> names;
  Json out = live;
  merge_into(out, desired, names, lists);
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
