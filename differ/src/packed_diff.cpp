// The quick "in sync?" check over packed objects (core/packed.hpp; diff.hpp: diff_packed). It mirrors the two walks of walk.cpp —
// desired against live, and the manager's owned fields against desired — step for step, but reads the objects in
// place: a packed object is one contiguous buffer, so checking it costs a sequential read instead of a pointer chase
// through a few hundred tree nodes (the differ's cost over many cold objects, see bench/diff_bench.cpp), and what
// the desired object does not mention (defaults, managedFields, status) is skipped in one step per container.
//
// It may only say "in sync" where the full diff finds no change, so wherever the full diff would need more than
// identical bytes (numbers or quantities spelt differently, keys out of order, anything malformed) it answers
// "not sure" and diff_packed falls back to the full diff. A missing branch here costs speed, never correctness.
#include <algorithm>
#include <charconv>
#include <optional>
#include <vector>

#include "gitmoor/core/packed.hpp"
#include "gitmoor/differ/diff.hpp"
#include "gitmoor/differ/schema.hpp"
#include "walk.hpp"

namespace gitmoor::differ {

namespace {

using core::PackedArray;
using core::PackedObject;
using core::PackedValue;

// A member's value, or an Invalid value when absent; null reads as absent, as in the full walk.
PackedValue member_of(const PackedValue& object, std::string_view key) {
  PackedValue value = core::packed_member(object, key);
  return value.is_null() ? PackedValue{} : value;
}

// Orders field names as std::string does (byte-wise, then by length), inline: the walks compare a few hundred
// short names per object, and a library memcmp call for each costs more than the comparison.
int compare_names(std::string_view a, std::string_view b) {
  const std::size_t n = std::min(a.size(), b.size());
  for (std::size_t i = 0; i < n; ++i) {
    const auto x = static_cast<unsigned char>(a[i]);
    const auto y = static_cast<unsigned char>(b[i]);
    if (x != y) return x < y ? -1 : 1;
  }
  return a.size() == b.size() ? 0 : (a.size() < b.size() ? -1 : 1);
}

// Walks an object's entries in key order, like walk.cpp's OrderedLookup. The merge with the other side relies on
// both being sorted (packed objects keep nlohmann's order); keys out of order make it fail instead of missing a field.
class SortedEntries {
 public:
  explicit SortedEntries(const PackedValue& object) : entries_(object) { advance(); }

  // The non-null value of `key` (keys asked in ascending order), or Invalid when absent.
  PackedValue find(std::string_view key) {
    while (have_) {
      const int order = compare_names(key_, key);
      if (order > 0) return {};
      if (order == 0) return value_.is_null() ? PackedValue{} : value_;
      advance();
    }
    return {};
  }
  [[nodiscard]] bool ok() const { return ok_ && entries_.ok(); }

 private:
  void advance() {
    const std::string_view previous = key_;
    const bool first = !started_;
    started_ = true;
    have_ = entries_.next(key_, value_);
    if (have_ && !first && compare_names(previous, key_) >= 0) ok_ = have_ = false;
  }

  PackedObject entries_;
  std::string_view key_;
  PackedValue value_;
  bool have_ = false;
  bool started_ = false;
  bool ok_ = true;
};

class QuickCheck {
 public:
  explicit QuickCheck(const detail::ListTypes& lists) : lists_(lists) {}

  // walk.cpp's compare_desired finding no change. `live` Invalid means absent.
  bool desired_in_live(const PackedValue& desired, const PackedValue& live) {
    if (!desired.valid()) return false;
    if (desired.is_null()) return true;  // null states no opinion
    if (!live.valid() || live.is_null()) return desired.empty_like();  // the server drops empty values
    switch (desired.type()) {
      case PackedValue::Type::Object: return object_in_live(desired, live);
      case PackedValue::Type::Array: return live.is_array() && list_in_live(desired, live);
      default: return desired.same_bytes(live);
    }
  }

  // walk.cpp's owned_in_desired: every field the manager owns is still in desired.
  bool owned_in_desired(const PackedValue& owned, const PackedValue& desired, bool root) {
    if (!owned.is_object()) return true;
    PackedObject entries(owned);
    SortedEntries desired_fields(desired);  // `f:` entries are in field order: "f:a" < "f:b" as "a" < "b"
    std::string_view element;
    PackedValue child;
    while (entries.next(element, child)) {
      if (element.size() < 2 || element[1] != ':') continue;
      const char type = element[0];
      const std::string_view rest = element.substr(2);
      PackedValue next;
      if (type == 'f') {
        if (root && rest == "status") continue;
        next = desired_fields.find(rest);
        if (!desired_fields.ok()) return false;
      } else if (type == 'k' && desired.is_array()) {
        auto keys = detail::read_keys(rest);
        if (!keys) return false;
        next = element_with_keys(desired, *keys);
      } else {
        return false;  // sets and indexes: the full walk decides
      }
      if (!next.valid()) return false;
      if (child.is_object() && child.count() > 0 && !owned_in_desired(child, next, false)) return false;
    }
    return entries.ok();
  }

 private:
  bool object_in_live(const PackedValue& desired, const PackedValue& live) {
    if (!live.is_object()) return false;
    PackedObject fields(desired);
    SortedEntries live_fields(live);
    std::string_view key, previous;
    PackedValue value;
    bool first = true;
    while (fields.next(key, value)) {
      if (!first && compare_names(previous, key) >= 0) return false;
      first = false;
      previous = key;
      if (detail::skipped_field(names_, key)) continue;
      const PackedValue live_value = live_fields.find(key);
      if (!live_fields.ok()) return false;
      names_.push_back(key);
      const bool same = desired_in_live(value, live_value);
      names_.pop_back();
      if (!same) return false;
    }
    return fields.ok();
  }

  bool list_in_live(const PackedValue& desired, const PackedValue& live) {
    const ListSchema& schema = lists_.at(names_);
    if (schema.type == ListType::Atomic) return covers(desired, live);
    // The live elements go on a stack shared with the nested lists below (no allocation per list); this list's
    // are [base, base + size) and are popped on the way out.
    const std::size_t base = live_elements_.size();
    struct Pop {
      std::vector<PackedValue>& stack;
      std::size_t base;
      ~Pop() { stack.resize(base); }
    } pop{live_elements_, base};
    PackedArray reader(live);
    for (PackedValue element; reader.next(element);) live_elements_.push_back(element);
    if (!reader.ok()) return false;
    const std::size_t size = live_elements_.size() - base;
    auto live_at = [&](std::size_t i) -> const PackedValue& { return live_elements_[base + i]; };

    PackedArray elements(desired);
    std::size_t index = 0;
    for (PackedValue element; elements.next(element); ++index) {
      if (schema.type == ListType::Set) {
        bool found = false;
        for (std::size_t i = 0; i < size && !found; ++i) found = live_at(i).same_bytes(element);
        if (!found) return false;
        continue;
      }
      if (!element.is_object()) continue;  // as the full walk: not an element it can key
      // As the full walk's find_same: the element's own position first (the API server keeps a list-map in
      // applied order), then the first with the same keys. Keys that might be equal but are spelt differently
      // could make the two walks pick different elements: not sure.
      std::optional<std::size_t> match;
      const KeyMatch at_hint = index < size ? same_keys(element, live_at(index), schema.keys) : KeyMatch::Different;
      if (at_hint == KeyMatch::Unsure) return false;
      if (at_hint == KeyMatch::Same) {
        match = index;
      } else {
        for (std::size_t i = 0; i < size && !match; ++i) {
          if (i == index) continue;
          const KeyMatch m = same_keys(element, live_at(i), schema.keys);
          if (m == KeyMatch::Unsure) return false;
          if (m == KeyMatch::Same) match = i;
        }
      }
      if (!match) return false;
      const PackedValue live_element = live_at(*match);  // a copy: the nested walk may grow the stack
      if (!desired_in_live(element, live_element)) return false;
    }
    return elements.ok();
  }

  // walk.cpp's covers(): an atomic value the server stored with defaults filled in.
  bool covers(const PackedValue& desired, const PackedValue& live) {
    if (desired.is_object()) {
      if (!live.is_object()) return false;
      PackedObject fields(desired);
      std::string_view key;
      PackedValue value;
      while (fields.next(key, value)) {
        const PackedValue live_value = member_of(live, key);
        if (!live_value.valid()) {
          if (!value.empty_like()) return false;
          continue;
        }
        names_.push_back(key);
        const bool same = covers(value, live_value);
        names_.pop_back();
        if (!same) return false;
      }
      return fields.ok();
    }
    if (desired.is_array()) {
      if (!live.is_array() || live.count() != desired.count()) return false;
      PackedArray a(desired), b(live);
      PackedValue x, y;
      while (a.next(x)) {
        if (!b.next(y) || !covers(x, y)) return false;
      }
      return a.ok();
    }
    return desired.same_bytes(live);
  }

  enum class KeyMatch { Same, Different, Unsure };

  // Two present key values: equal JSON values, certainly.
  static KeyMatch same_value(const PackedValue& a, const PackedValue& b) {
    using Type = PackedValue::Type;
    if (a.same_bytes(b)) return KeyMatch::Same;
    if (a.type() == Type::Integer && b.type() == Type::Integer && a.integer() && b.integer()) {
      return *a.integer() == *b.integer() ? KeyMatch::Same : KeyMatch::Different;
    }
    auto number = [](const PackedValue& v) { return v.type() == Type::Integer || v.type() == Type::Float; };
    if (number(a) && number(b)) return KeyMatch::Unsure;  // 80 and 80.0
    if (a.type() != b.type()) return KeyMatch::Different;
    return a.is_string() || a.type() == Type::Boolean ? KeyMatch::Different : KeyMatch::Unsure;
  }

  // walk.cpp's key_field_equal for each key field (absent fields take their defaults: protocol → TCP).
  static KeyMatch same_keys(const PackedValue& a, const PackedValue& b, const std::vector<std::string>& key_fields) {
    if (!a.is_object() || !b.is_object()) return KeyMatch::Different;
    KeyMatch result = KeyMatch::Same;
    for (const auto& field : key_fields) {
      const PackedValue va = member_of(a, field);
      const PackedValue vb = member_of(b, field);
      KeyMatch m = KeyMatch::Same;
      if (va.valid() && vb.valid()) {
        m = same_value(va, vb);
      } else if (va.valid() || vb.valid()) {
        const std::string_view fallback = list_key_default(field);
        const PackedValue& present = va.valid() ? va : vb;
        m = !fallback.empty() && present.is_string() && present.string() == fallback ? KeyMatch::Same
                                                                                      : KeyMatch::Different;
      }
      if (m == KeyMatch::Different) return KeyMatch::Different;
      if (m == KeyMatch::Unsure) result = KeyMatch::Unsure;
    }
    return result;
  }

  // walk.cpp's matches_keys: the element of `list` a `k:` entry names.
  static PackedValue element_with_keys(const PackedValue& list, const detail::KeyFields& keys) {
    PackedArray elements(list);
    for (PackedValue element; elements.next(element);) {
      if (matches(element, keys)) return element;
    }
    return {};
  }

  static bool matches(const PackedValue& element, const detail::KeyFields& keys) {
    if (!element.is_object()) return false;
    for (const auto& k : keys) {
      const PackedValue value = member_of(element, k.name);
      if (!value.valid()) {
        if (!k.is_string || list_key_default(k.name) != k.text) return false;
        continue;
      }
      if (k.is_string) {
        if (!value.is_string() || value.string() != k.text) return false;
        continue;
      }
      auto n = value.integer();
      std::int64_t expected = 0;
      auto [end, ec] = std::from_chars(k.text.data(), k.text.data() + k.text.size(), expected);
      if (!n || ec != std::errc() || end != k.text.data() + k.text.size() || *n != expected) return false;
    }
    return true;
  }

  const detail::ListTypes& lists_;
  std::vector<std::string_view> names_;
  std::vector<PackedValue> live_elements_;
};

// diff.cpp's is_applied_by: an Apply entry of the manager on the main resource; its fieldsV1 when it is one. The
// entry is read in one pass: its fieldsV1 (most of its bytes) comes before manager, operation and subresource.
std::optional<PackedValue> applied_fields(const PackedValue& entry, std::string_view manager) {
  if (!entry.is_object()) return std::nullopt;
  PackedObject fields(entry);
  std::string_view key;
  PackedValue value, fields_v1;
  bool by_manager = false, apply = false, main_resource = true;
  while (fields.next(key, value)) {
    if (key == "manager") {
      by_manager = value.is_string() && value.string() == manager;
    } else if (key == "operation") {
      apply = value.is_string() && value.string() == "Apply";
    } else if (key == "subresource") {
      main_resource = !value.is_string() || value.string().empty();
    } else if (key == "fieldsV1") {
      fields_v1 = value;
    }
  }
  if (!by_manager || !apply || !main_resource) return std::nullopt;
  return fields_v1;
}

core::Object unpack(const PackedResource& resource) {
  return core::Object(core::unpack(resource.packed));
}

}  // namespace

bool packed_in_sync(const PackedResource& desired, const PackedResource& live, const DiffOptions& options) {
  const PackedValue desired_root(desired.packed);
  const PackedValue live_root(live.packed);
  if (!desired_root.is_object() || !live_root.is_object()) return false;
  if (core::packed_member(desired_root, "stringData").valid()) return false;  // normalised first by the full diff

  detail::ListTypes lists;
  lists.builtin = is_builtin_group(desired.key.group);
  if (!lists.builtin && options.custom_resource_schemas != nullptr) {
    lists.custom = options.custom_resource_schemas->lists_of(desired.key.group, desired.key.kind);
  }
  QuickCheck check(lists);
  if (!check.desired_in_live(desired_root, live_root)) return false;

  const PackedValue metadata = core::packed_member(live_root, "metadata");
  const PackedValue entries = core::packed_member(metadata, "managedFields");
  if (!metadata.is_object() || !entries.is_array()) return true;
  PackedArray reader(entries);
  for (PackedValue entry; reader.next(entry);) {
    auto fields = applied_fields(entry, options.field_manager);
    if (!fields || !fields->valid()) continue;
    if (!check.owned_in_desired(*fields, desired_root, true)) return false;
  }
  return reader.ok();
}

ResourceDiff diff_packed(const PackedResource* desired, const PackedResource* live, const DiffOptions& options,
                         const std::vector<core::ResourceKey>& hpa_targets) {
  if (desired != nullptr && live != nullptr && packed_in_sync(*desired, *live, options)) {
    ResourceDiff result;
    result.key = desired->key;
    result.status = SyncStatus::Synced;
    return result;
  }
  std::optional<core::Object> d, l;
  if (desired != nullptr) d = unpack(*desired);
  if (live != nullptr) l = unpack(*live);
  return diff_resource(d ? &*d : nullptr, l ? &*l : nullptr, options, hpa_targets);
}

}  // namespace gitmoor::differ
