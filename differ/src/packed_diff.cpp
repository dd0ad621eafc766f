// The quick "in sync?" check over packed objects (core/packed.hpp; diff.hpp: diff_packed). It checks the two
// conditions of walk.cpp — (a) desired in live, (b) the manager's owned fields (fieldsV1) in desired — with the same
// rules, in one pass over the three sorted trees, reading the bytes in place: what desired does not mention
// (defaults, other managers' entries, status) is passed one container at a time, and nothing is decoded.
//
// It may only say "in sync" where the full diff finds no change, so wherever the full diff would need more than
// identical bytes (numbers or quantities spelt differently, set or index entries in fieldsV1, anything malformed)
// it answers "not sure" and diff_packed falls back to the full diff. A missing branch here costs speed, never
// correctness; tests/differ/test_packed_diff.cpp holds it to that on every golden pair and ~20,000 mutations.
#include <algorithm>
#include <array>
#include <initializer_list>
#include <bit>
#include <charconv>
#include <cstring>
#include <optional>
#include <vector>

#include "gitmoor/core/packed.hpp"
#include "gitmoor/differ/diff.hpp"
#include "gitmoor/differ/schema.hpp"
#include "walk.hpp"

namespace gitmoor::differ {

static_assert(std::endian::native == std::endian::little, "compare_names reads names eight bytes at a time");

namespace {

using core::PackedArray;
using core::PackedObject;
using core::PackedValue;

// What the walks pass for an absent value. Values are passed by reference, not copied: a value is read right after
// the reader built it field by field, and copying it whole then stalls until those stores land.
const PackedValue kAbsent{};

// A member's value, or an Invalid value when absent; null reads as absent, as in the full walk.
PackedValue member_of(const PackedValue& object, std::string_view key) {
  PackedValue value = core::packed_member(object, key);
  return value.is_null() ? PackedValue{} : value;
}

// Orders field names as std::string does (byte-wise, then by length), inline: the walks compare a few hundred
// short names per object, and a library memcmp call for each costs more than the comparison.
[[gnu::always_inline]] inline int compare_names(std::string_view a, std::string_view b) {
  if (!a.empty() && !b.empty() && a[0] != b[0]) {  // most names differ in their first byte
    return static_cast<unsigned char>(a[0]) < static_cast<unsigned char>(b[0]) ? -1 : 1;
  }
  const std::size_t n = std::min(a.size(), b.size());
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {  // eight bytes at a time; the first that differs decides, as in memcmp
    std::uint64_t x = 0, y = 0;
    std::memcpy(&x, a.data() + i, 8);
    std::memcpy(&y, b.data() + i, 8);
    if (x != y) return __builtin_bswap64(x) < __builtin_bswap64(y) ? -1 : 1;
  }
  for (; i < n; ++i) {
    const auto x = static_cast<unsigned char>(a[i]);
    const auto y = static_cast<unsigned char>(b[i]);
    if (x != y) return x < y ? -1 : 1;
  }
  return a.size() == b.size() ? 0 : (a.size() < b.size() ? -1 : 1);
}

// Walks an object's entries in key order, like walk.cpp's OrderedLookup: packed objects keep nlohmann's order, so
// one pass over both sides finds every field. Keys out of order (bytes not written by pack()) can only make it miss
// a field, never return a wrong one; a miss either fails the check or is looked up again (see object_in_live).
class SortedEntries {
 public:
  explicit SortedEntries(const PackedValue& object) : entries_(object) { advance(); }

  // The non-null value of `key` (keys asked in ascending order), or Invalid when absent.
  // The reference is valid until the next find().
  const PackedValue& find(std::string_view key) {
    while (have_) {
      const int order = compare_names(key_, key);
      if (order > 0) return kAbsent;
      if (order == 0) return value_.is_null() ? kAbsent : value_;
      advance();
    }
    return kAbsent;
  }
  [[nodiscard]] bool ok() const { return entries_.ok(); }

 private:
  void advance() { have_ = entries_.next(key_, value_); }

  PackedObject entries_;
  std::string_view key_;
  PackedValue value_;
  bool have_ = false;
};

// The manager's owned fields of one object node (a fieldsV1 map), taken in step with the desired object's fields:
// `f:` entries sort as their field names do, so one pass over both finds an owned field desired lacks. Entries that
// name no field (".", the node itself) are passed over; list-element entries (k:, v:, i:) in an object node are
// left for finish(), which is not sure of them (as walk.cpp's owned_in_desired).
class OwnedFields {
 public:
  OwnedFields(const PackedValue& owned, bool root) : entries_(owned), root_(root) { advance(); }

  // Looks for the owned entry of field `key` (keys asked in ascending order): points `child` at it (valid until the
  // next take() or finish()), or sets it to null when the manager owns no such field. Returns false when an owned
  // field sorting before `key` was passed: the manager owns a field desired lacks.
  bool take(std::string_view key, const PackedValue*& child) {
    child = nullptr;
    if (taken_) {
      taken_ = false;
      advance();
    }
    while (have_) {
      if (!is_field_) {
        if (ignored()) {
          advance();
          continue;
        }
        return true;  // k:, v:, i: sort after every f:, so nothing else can match
      }
      const int order = compare_names(name_, key);
      if (order > 0) return true;
      if (order < 0) {
        if (!(root_ && name_ == "status")) return false;  // status is the status writers', never compared
        advance();
        continue;
      }
      child = &value_;
      taken_ = true;  // passed on the next call, so that `child` stays valid until then
      return true;
    }
    return true;
  }

  // Whether nothing owned is left that desired lacks.
  bool finish() {
    if (taken_) {
      taken_ = false;
      advance();
    }
    while (have_) {
      if (!ignored() && !(is_field_ && root_ && name_ == "status")) return false;
      advance();
    }
    return entries_.ok();
  }

 private:
  [[nodiscard]] bool ignored() const { return element_.size() < 2 || element_[1] != ':'; }

  // No order check: an entry is only ever passed when it matched, names no field, or is the root's status, so keys
  // out of order leave entries behind for take() or finish() to refuse, never an owned field unchecked.
  void advance() {
    have_ = entries_.next(element_, value_);
    if (!have_) return;
    is_field_ = element_.size() >= 2 && element_[0] == 'f' && element_[1] == ':';
    name_ = is_field_ ? element_.substr(2) : std::string_view{};
  }

  PackedObject entries_;
  std::string_view element_, name_;
  PackedValue value_;
  bool root_ = false;
  bool have_ = false;
  bool is_field_ = false;
  bool taken_ = false;
};

// Puts stacks back to their sizes at construction when it goes out of scope.
class StackMark {
 public:
  StackMark(std::initializer_list<std::vector<PackedValue>*> stacks) {
    for (auto* stack : stacks) {
      if (count_ < marks_.size()) marks_[count_++] = {stack, stack->size()};  // room for the four stacks
    }
  }
  ~StackMark() {
    for (std::size_t i = 0; i < count_; ++i) marks_[i].first->resize(marks_[i].second);
  }
  StackMark(const StackMark&) = delete;
  StackMark& operator=(const StackMark&) = delete;

 private:
  std::array<std::pair<std::vector<PackedValue>*, std::size_t>, 4> marks_{};
  std::size_t count_ = 0;
};

// The two conditions of diff.hpp, (a) desired in live and (b) the manager's owned fields in desired, checked in one
// pass over the desired object where the shapes allow (objects, list-maps), and (b) on its own elsewhere.
class QuickCheck {
 public:
  explicit QuickCheck(const detail::ListTypes& lists) : lists_(lists) { names_.clear(); }

  // Whether two list-map elements have the same keys; Unsure when equal values may be spelt differently.
  enum class KeyMatch { Same, Different, Unsure };

  // walk.cpp's compare_desired finding no change, and owned_in_desired for `owned` (the manager's fieldsV1 node for
  // this value; Invalid when it owns nothing here). `live` Invalid means absent.
  bool desired_in_live(const PackedValue& desired, const PackedValue& live, const PackedValue& owned) {
    if (!desired.valid()) return false;
    if (desired.is_null()) return true;  // null states no opinion (an owned field here was refused by the caller)
    const PackedValue& owned_here = owned.is_object() && owned.count() > 0 ? owned : kAbsent;
    if (!live.valid() || live.is_null()) {  // the server drops empty values
      return desired.empty_like() && owned_apart(owned_here, desired);
    }
    switch (desired.type()) {
      case PackedValue::Type::Object: return object_in_live(desired, live, owned_here);
      case PackedValue::Type::Array: return live.is_array() && list_in_live(desired, live, owned_here);
      default: return desired.same_bytes(live) && owned_apart(owned_here, desired);
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
        next = element_with_keys(desired, *keys).second;
      } else {
        return false;  // sets and indexes: the full walk decides
      }
      if (!next.valid()) return false;
      if (child.is_object() && child.count() > 0 && !owned_in_desired(child, next, false)) return false;
    }
    return entries.ok();
  }

 private:
  // (b) on its own, for values the merged walk does not descend into.
  bool owned_apart(const PackedValue& owned, const PackedValue& desired) {
    return !owned.valid() || owned_in_desired(owned, desired, false);
  }

  bool object_in_live(const PackedValue& desired, const PackedValue& live, const PackedValue& owned) {
    if (!live.is_object()) return false;
    PackedObject fields(desired);
    SortedEntries live_fields(live);
    OwnedFields owned_fields(owned, names_.empty());
    std::string_view key;
    PackedValue value;
    while (fields.next(key, value)) {
      const PackedValue* owned_child = nullptr;
      if (!owned_fields.take(key, owned_child)) return false;
      if (owned_child != nullptr && value.is_null()) return false;  // owned, and desired states no value: removed
      const PackedValue& owned_next = owned_child != nullptr ? *owned_child : kAbsent;
      if (names_.size() <= 2 && detail::skipped_field(names_, key)) {  // only the root and metadata have any
        if (owned_next.is_object() && owned_next.count() > 0 && !owned_in_desired(owned_next, value, false)) {
          return false;
        }
        continue;
      }
      const PackedValue* live_value = &live_fields.find(key);
      if (!live_fields.ok()) return false;
      // Absent is only trusted with a second look when it would pass (an empty desired value): the one-pass merge
      // misses fields if keys are out of order, and a miss must not read as "in sync".
      PackedValue second_look;
      if (!live_value->valid() && value.empty_like()) {
        second_look = member_of(live, key);
        live_value = &second_look;
      }
      names_.push_back(key);
      const bool same = desired_in_live(value, *live_value, owned_next);
      names_.pop_back();
      if (!same) return false;
    }
    return fields.ok() && owned_fields.finish();
  }

  bool list_in_live(const PackedValue& desired, const PackedValue& live, const PackedValue& owned) {
    const ListSchema& schema = lists_.at(names_);
    if (schema.type == ListType::Atomic) return covers(desired, live) && owned_apart(owned, desired);
    // The elements go on stacks shared with the nested lists below (no allocation per list): this list's live
    // elements are [base, base + size), and so on; all are popped however the check ends.
    const StackMark mark{&live_elements_, &owned_elements_, &desired_elements_, &key_values_};
    const std::size_t base = live_elements_.size();
    const std::size_t owned_base = owned_elements_.size();
    PackedArray reader(live);
    while (reader.next(live_elements_.emplace_back())) {
    }
    live_elements_.pop_back();  // the slot the last next() did not fill
    if (!reader.ok()) return false;
    const std::size_t size = live_elements_.size() - base;
    auto live_at = [&](std::size_t i) { return live_elements_[base + i]; };

    if (schema.type == ListType::Set) {
      PackedArray elements(desired);
      for (PackedValue element; elements.next(element);) {
        bool found = false;
        for (std::size_t i = 0; i < size && !found; ++i) found = live_at(i).same_bytes(element);
        if (!found) return false;
      }
      return elements.ok() && owned_apart(owned, desired);
    }

    // Each element's key values, read once (the matching below compares elements many times): rows of
    // `keys` values on a shared stack, live elements' first, then desired elements'.
    const std::vector<std::string>& keys = schema.keys;
    const std::size_t key_base = key_values_.size();
    const std::size_t desired_base = desired_elements_.size();
    for (std::size_t i = 0; i < size; ++i) push_key_values(live_at(i), keys);
    PackedArray desired_reader(desired);
    while (desired_reader.next(desired_elements_.emplace_back())) push_key_values(desired_elements_.back(), keys);
    desired_elements_.pop_back();  // the slot the last next() did not fill
    if (!desired_reader.ok()) return false;
    const std::size_t desired_size = desired_elements_.size() - desired_base;
    auto live_row = [&](std::size_t i) { return key_base + i * keys.size(); };
    auto desired_row = [&](std::size_t i) { return key_base + (size + i) * keys.size(); };

    // (b) for a list-map: each `k:` entry names a desired element (else the manager owns one desired lacks), and
    // the entry's fields are checked with that element below.
    owned_elements_.resize(owned_base + desired_size);
    if (owned.valid()) {
      PackedObject entries(owned);
      std::string_view element_name;
      PackedValue child;
      while (entries.next(element_name, child)) {
        if (element_name.size() < 2 || element_name[1] != ':') continue;
        if (element_name[0] != 'k') return false;  // fields, values or indexes in a list-map: the full walk decides
        auto entry_keys = detail::read_keys(element_name.substr(2));
        if (!entry_keys) return false;
        std::optional<std::size_t> index;
        for (std::size_t i = 0; i < desired_size && !index; ++i) {
          const auto named = names_element(desired_elements_[desired_base + i], desired_row(i), keys, *entry_keys);
          if (!named) return false;  // a key field the schema does not list: the full walk decides
          if (*named) index = i;
        }
        if (!index) return false;
        if (!(child.is_object() && child.count() > 0)) continue;
        PackedValue& slot = owned_elements_[owned_base + *index];
        if (slot.valid()) {  // a second entry for one element
          if (!owned_in_desired(child, desired_elements_[desired_base + *index], false)) return false;
        } else {
          slot = child;
        }
      }
      if (!entries.ok()) return false;
    }

    for (std::size_t index = 0; index < desired_size; ++index) {
      const PackedValue element = desired_elements_[desired_base + index];
      if (!element.is_object()) continue;  // as the full walk: not an element it can key
      // As the full walk's find_same: the element's own position first (the API server keeps a list-map in
      // applied order), then the first with the same keys. Keys that might be equal but are spelt differently
      // could make the two walks pick different elements: not sure.
      auto same_at = [&](std::size_t i) {
        if (!live_at(i).is_object()) return KeyMatch::Different;
        return same_keys(desired_row(index), live_row(i), keys);
      };
      std::optional<std::size_t> match;
      const KeyMatch at_hint = index < size ? same_at(index) : KeyMatch::Different;
      if (at_hint == KeyMatch::Unsure) return false;
      if (at_hint == KeyMatch::Same) {
        match = index;
      } else {
        for (std::size_t i = 0; i < size && !match; ++i) {
          if (i == index) continue;
          const KeyMatch m = same_at(i);
          if (m == KeyMatch::Unsure) return false;
          if (m == KeyMatch::Same) match = i;
        }
      }
      if (!match) return false;
      // Copies: the nested walk may grow the stacks.
      const PackedValue live_element = live_at(*match);
      const PackedValue owned_element = owned_elements_[owned_base + index];
      if (!desired_in_live(element, live_element, owned_element)) return false;
    }
    return true;
  }

  // Appends the values of `keys` in `element` (Invalid where absent or null; all Invalid for a non-object), in one
  // pass that stops when all are found.
  void push_key_values(const PackedValue& element, const std::vector<std::string>& keys) {
    const std::size_t row = key_values_.size();
    key_values_.resize(row + keys.size());
    if (!element.is_object()) return;
    PackedObject fields(element);
    std::string_view name;
    PackedValue value;
    std::size_t found = 0;
    while (found < keys.size() && fields.next(name, value)) {
      for (std::size_t j = 0; j < keys.size(); ++j) {
        if (name == keys[j]) {
          if (!value.is_null()) key_values_[row + j] = value;
          ++found;
          break;
        }
      }
    }
  }

  // walk.cpp's key_field_equal for each key field (absent fields take their defaults: protocol → TCP), on rows of
  // key values.
  KeyMatch same_keys(std::size_t a_row, std::size_t b_row, const std::vector<std::string>& keys) const {
    KeyMatch result = KeyMatch::Same;
    for (std::size_t j = 0; j < keys.size(); ++j) {
      const PackedValue& va = key_values_[a_row + j];
      const PackedValue& vb = key_values_[b_row + j];
      KeyMatch m = KeyMatch::Same;
      if (va.valid() && vb.valid()) {
        m = same_value(va, vb);
      } else if (va.valid() || vb.valid()) {
        const std::string_view fallback = list_key_default(keys[j]);
        const PackedValue& present = va.valid() ? va : vb;
        m = !fallback.empty() && present.is_string() && present.string() == fallback ? KeyMatch::Same
                                                                                      : KeyMatch::Different;
      }
      if (m == KeyMatch::Different) return KeyMatch::Different;
      if (m == KeyMatch::Unsure) result = KeyMatch::Unsure;
    }
    return result;
  }

  // walk.cpp's matches_keys on a row of key values: whether a `k:` entry names this element; nullopt when the entry
  // names a field that is not one of the list's keys (then the row does not hold it).
  std::optional<bool> names_element(const PackedValue& element, std::size_t row, const std::vector<std::string>& keys,
                                    const detail::KeyFields& entry) const {
    if (!element.is_object()) return false;
    for (const auto& k : entry) {
      std::optional<std::size_t> column;
      for (std::size_t j = 0; j < keys.size() && !column; ++j) {
        if (keys[j] == k.name) column = j;
      }
      if (!column) return std::nullopt;
      if (!key_value_matches(key_values_[row + *column], k)) return false;
    }
    return true;
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

  // The first element of `list` a `k:` entry names, and its position; an Invalid element when none.
  static std::pair<std::size_t, PackedValue> element_with_keys(const PackedValue& list, const detail::KeyFields& keys) {
    PackedArray elements(list);
    std::size_t index = 0;
    for (PackedValue element; elements.next(element); ++index) {
      if (matches(element, keys)) return {index, element};
    }
    return {0, PackedValue{}};
  }

  static bool matches(const PackedValue& element, const detail::KeyFields& keys) {
    if (!element.is_object()) return false;
    for (const auto& k : keys) {
      if (!key_value_matches(member_of(element, k.name), k)) return false;
    }
    return true;
  }

  // One field of walk.cpp's matches_keys: `value` (Invalid when absent) against the entry's spelling of it.
  static bool key_value_matches(const PackedValue& value, const detail::KeyField& k) {
    if (!value.valid()) return k.is_string && list_key_default(k.name) == k.text;
    if (k.is_string) return value.is_string() && value.string() == k.text;
    auto n = value.integer();
    std::int64_t expected = 0;
    auto [end, ec] = std::from_chars(k.text.data(), k.text.data() + k.text.size(), expected);
    return n && ec == std::errc() && end == k.text.data() + k.text.size() && *n == expected;
  }

  const detail::ListTypes& lists_;
  // Scratch stacks, kept per thread between checks (emptied on the way out of each list): a check allocates
  // nothing once they have grown.
  struct Stacks {
    std::vector<std::string_view> names;
    std::vector<PackedValue> live_elements, owned_elements, desired_elements, key_values;
  };
  static Stacks& stacks() {
    thread_local Stacks kept;
    return kept;
  }
  Stacks& stacks_ = stacks();
  std::vector<std::string_view>& names_ = stacks_.names;
  std::vector<PackedValue>& live_elements_ = stacks_.live_elements;
  std::vector<PackedValue>& owned_elements_ = stacks_.owned_elements;
  std::vector<PackedValue>& desired_elements_ = stacks_.desired_elements;
  std::vector<PackedValue>& key_values_ = stacks_.key_values;
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
  // The manager's Apply entries: the first is checked in the same pass as desired against live, any other (rare:
  // one per API version applied) on its own.
  std::vector<PackedValue> owned;
  const PackedValue metadata = core::packed_member(live_root, "metadata");
  const PackedValue entries = core::packed_member(metadata, "managedFields");
  if (metadata.is_object() && entries.is_array()) {
    PackedArray reader(entries);
    for (PackedValue entry; reader.next(entry);) {
      auto fields = applied_fields(entry, options.field_manager);
      if (fields && fields->valid()) owned.push_back(*fields);
    }
    if (!reader.ok()) return false;
  }
  QuickCheck check(lists);
  if (!check.desired_in_live(desired_root, live_root, owned.empty() ? kAbsent : owned.front())) return false;
  for (std::size_t i = 1; i < owned.size(); ++i) {
    if (!check.owned_in_desired(owned[i], desired_root, true)) return false;
  }
  return true;
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
  const core::Object* desired_object = nullptr;
  const core::Object* live_object = nullptr;
  if (desired != nullptr) desired_object = desired->decoded != nullptr ? desired->decoded : &d.emplace(unpack(*desired));
  if (live != nullptr) live_object = live->decoded != nullptr ? live->decoded : &l.emplace(unpack(*live));
  return diff_resource(desired_object, live_object, options, hpa_targets);
}

}  // namespace gitmoor::differ
