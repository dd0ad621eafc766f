#pragma once
// gitmoor's packed form of a JSON value: one contiguous buffer that can be read in place, without decoding.
// The applier's LiveCache keeps every live object in it (a third of the memory of a nlohmann tree), and the
// differ decides "in sync" directly on it (differ/diff.hpp: diff_packed).
//
// Why not MessagePack: to compare an object, the differ skips most of the live object (defaults, managedFields,
// status). MessagePack records a container's element count but not its size in bytes, so skipping means walking
// everything inside; here every container header carries its size, and a skip is one addition.
//
// Layout (little-endian): a tag byte, then
//   null, false, true              nothing
//   uint8 / uint32 / uint64        1, 4 or 8 bytes: an integer >= 0, in the smallest that holds it
//   negative, double               8 bytes
//   string8 / string32             1- or 4-byte length, then the bytes (string8 when shorter than 256 bytes)
//   array8 / object8               1-byte count, 2-byte size of the contents (when both fit)
//   array / object                 4-byte count, 4-byte size of the contents
//   binary                         4-byte length, then the bytes (nlohmann's binary values; not from JSON text)
// An object's contents are key (a string), value, key, value, ... Each value has exactly one encoding (the
// smallest form that fits, chosen by the value alone), so equal bytes mean equal JSON values; the converse does not
// hold across types: 1 and 1.0 differ in bytes. Objects keep nlohmann's order: sorted by key. A Deployment as the
// API server returns it packs into about 1.2 times its MessagePack size.
//
// Every read is bounds-checked: malformed or truncated input reads as an Invalid value, never past the buffer,
// and a container's contents never past the container.
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "gitmoor/core/object.hpp"

namespace gitmoor::core {

// Packs a JSON value (discarded values are packed as null).
std::vector<std::uint8_t> pack(const Json& value);
struct UnpackOptions {
  // metadata.managedFields is most of a live object's bytes and most readers (health, hooks, labels) never look at
  // it; false leaves it out of the result.
  bool managed_fields = true;
};

// The JSON value back; throws core::Error naming what is wrong when the bytes are not a packed value.
Json unpack(std::span<const std::uint8_t> bytes, const UnpackOptions& options = {});

enum class PackedType : std::uint8_t { Invalid, Null, Boolean, Integer, Float, String, Array, Object, Other };

namespace packed_tag {
inline constexpr std::uint8_t kNull = 0, kFalse = 1, kTrue = 2, kUint8 = 3, kUint32 = 4, kUint64 = 5, kNegative = 6,
                              kDouble = 7, kString8 = 8, kString32 = 9, kArray8 = 10, kObject8 = 11, kArray = 12,
                              kObject = 13, kBinary = 14;
}

class PackedValue {
 public:
  using Type = PackedType;

  PackedValue() = default;  // Invalid
  // The value that starts at `begin`; nothing of it may lie at or past `limit`.
  PackedValue(const std::uint8_t* begin, const std::uint8_t* limit) : begin_(begin) {
    // The walks read one header per value: the common tags (short strings, containers, scalars) are decoded
    // inline, the rest out of line.
    using namespace packed_tag;
    if (begin == nullptr || begin >= limit) return;
    const auto available = static_cast<std::size_t>(limit - begin);
    const std::uint8_t tag = *begin;
    std::uint32_t header = 1, payload = 0;
    if (tag == kString8) {
      if (available < 2) return;
      header = 2, payload = begin[1];
      type_ = Type::String;
    } else if (tag == kObject8 || tag == kArray8) {
      if (available < 4) return;
      header = 4, payload = read16(begin + 2);
      count_ = begin[1];
      type_ = tag == kObject8 ? Type::Object : Type::Array;
    } else if (tag <= kDouble) {
      static constexpr std::uint8_t kPayload[] = {0, 0, 0, 1, 4, 8, 8, 8};
      static constexpr Type kType[] = {Type::Null,    Type::Boolean, Type::Boolean, Type::Integer,
                                       Type::Integer, Type::Integer, Type::Integer, Type::Float};
      payload = kPayload[tag];
      type_ = kType[tag];
    } else if (tag == kObject || tag == kArray) {
      if (available < 9) return;
      header = 9, payload = read32(begin + 5);
      count_ = read32(begin + 1);
      type_ = tag == kObject ? Type::Object : Type::Array;
    } else if (tag == kString32 || tag == kBinary) {
      if (available < 5) return;
      header = 5, payload = read32(begin + 1);
      type_ = tag == kBinary ? Type::Other : Type::String;
    } else {
      return;
    }
    if (available - header < payload) {  // truncated
      type_ = Type::Invalid;
      count_ = 0;
      return;
    }
    header_ = static_cast<std::uint8_t>(header);
    size_ = header + payload;
  }
  explicit PackedValue(std::span<const std::uint8_t> bytes) : PackedValue(bytes.data(), bytes.data() + bytes.size()) {}

  [[nodiscard]] Type type() const { return type_; }
  [[nodiscard]] bool valid() const { return type_ != Type::Invalid; }
  [[nodiscard]] bool is_null() const { return type_ == Type::Null; }
  [[nodiscard]] bool is_object() const { return type_ == Type::Object; }
  [[nodiscard]] bool is_array() const { return type_ == Type::Array; }
  [[nodiscard]] bool is_string() const { return type_ == Type::String; }

  // A String's bytes; empty otherwise.
  [[nodiscard]] std::string_view string() const {
    if (type_ != Type::String) return {};
    return {reinterpret_cast<const char*>(begin_ + header_), size_ - header_};
  }
  // An Array's elements or an Object's entries; 0 otherwise.
  [[nodiscard]] std::uint32_t count() const { return count_; }
  // A Boolean's value; false otherwise.
  [[nodiscard]] bool boolean() const { return type_ == Type::Boolean && *begin_ == packed_tag::kTrue; }
  // An Integer's value; nullopt for other types and for unsigned values above INT64_MAX.
  [[nodiscard]] std::optional<std::int64_t> integer() const;
  // Empty object, array or string, null, or false: what Go's omitempty leaves out.
  [[nodiscard]] bool empty_like() const;

  // Just past this value; nullptr when Invalid.
  [[nodiscard]] const std::uint8_t* end() const { return valid() ? begin_ + size_ : nullptr; }
  // Identical encodings, which for packed values means equal JSON values of the same type.
  [[nodiscard]] bool same_bytes(const PackedValue& other) const {
    if (!valid() || !other.valid() || size_ != other.size_) return false;
    // Inline, eight bytes at a time: most values compared are short scalars, where a library call costs more.
    std::size_t i = 0;
    for (; i + 8 <= size_; i += 8) {
      std::uint64_t x = 0, y = 0;
      std::memcpy(&x, begin_ + i, 8);
      std::memcpy(&y, other.begin_ + i, 8);
      if (x != y) return false;
    }
    for (; i < size_; ++i) {
      if (begin_[i] != other.begin_[i]) return false;
    }
    return true;
  }
  // The encoded bytes of this value.
  [[nodiscard]] std::span<const std::uint8_t> bytes() const { return {begin_, valid() ? size_ : 0u}; }

  // A container's contents (see PackedArray / PackedObject).
  [[nodiscard]] const std::uint8_t* contents() const { return begin_ + header_; }

 private:
  friend class PackedContents;

  static std::uint32_t read16(const std::uint8_t* p) {
    std::uint16_t n = 0;
    std::memcpy(&n, p, sizeof n);
    return n;
  }
  static std::uint32_t read32(const std::uint8_t* p) {
    std::uint32_t n = 0;
    std::memcpy(&n, p, sizeof n);  // little-endian hosts only (pack() writes host order; see packed.cpp)
    return n;
  }

  const std::uint8_t* begin_ = nullptr;
  Type type_ = Type::Invalid;
  std::uint8_t header_ = 0;   // bytes before the payload / contents
  std::uint32_t size_ = 0;    // the whole encoding
  std::uint32_t count_ = 0;   // elements or entries
};

// Reads a container's contents in order: PackedArray its elements, PackedObject its entries (in stored order:
// sorted by key). next() returns false at the end and on malformed input (then ok() is false).
class PackedContents {
 public:
  [[nodiscard]] bool ok() const { return ok_; }
  [[nodiscard]] std::uint32_t size() const { return size_; }

 protected:
  PackedContents(const PackedValue& container, PackedValue::Type type) : object_(type == PackedValue::Type::Object) {
    if (container.type() != type) return;  // nothing to read
    at_ = container.contents();
    limit_ = container.end();
    size_ = container.count();
  }

  // Reads the next element, or entry (its key into `key`), into `value`; false at the end or when malformed. The
  // value is built where the caller keeps it: copying a just-written value as a whole would read it back before
  // its field-by-field stores can be forwarded (a stall that was a third of the differ's time).
  [[gnu::always_inline]] bool step(std::string_view* key, PackedValue& value) {
    if (read_ == size_ || !ok_) return false;
    const std::uint8_t* value_at = at_;
    if (object_) {
      // Keys are nearly always short strings: read those without the general header decoding.
      if (limit_ - at_ >= 2 && at_[0] == packed_tag::kString8 && static_cast<std::size_t>(limit_ - at_) - 2 >= at_[1]) {
        *key = {reinterpret_cast<const char*>(at_ + 2), at_[1]};
        value_at = at_ + 2 + at_[1];
      } else {
        const PackedValue k(at_, limit_);
        if (!k.is_string()) return ok_ = false;
        *key = k.string();
        value_at = k.end();
      }
    }
    value = PackedValue(value_at, limit_);
    if (!value.valid()) return ok_ = false;
    at_ = value.begin_ + value.size_;
    ++read_;
    return true;
  }

  const std::uint8_t* at_ = nullptr;  // the next element or entry
  const std::uint8_t* limit_ = nullptr;
  std::uint32_t size_ = 0;
  std::uint32_t read_ = 0;
  bool object_ = false;
  bool ok_ = true;
};

class PackedArray : public PackedContents {
 public:
  explicit PackedArray(const PackedValue& array) : PackedContents(array, PackedValue::Type::Array) {}
  bool next(PackedValue& element) { return step(nullptr, element); }
};

class PackedObject : public PackedContents {
 public:
  explicit PackedObject(const PackedValue& object) : PackedContents(object, PackedValue::Type::Object) {}
  bool next(std::string_view& key, PackedValue& value) { return step(&key, value); }
};

// The value of `key` in an Object (a scan: entries are skipped in O(1) each), or an Invalid value when absent or
// not an Object.
PackedValue packed_member(const PackedValue& object, std::string_view key);

}  // namespace gitmoor::core
