#include "gitmoor/core/packed.hpp"

#include <bit>
#include <limits>
#include <string>

#include "gitmoor/core/error.hpp"

namespace gitmoor::core {

// Lengths are written and read in host order; every platform gitmoor is built for is little-endian, and a packed
// value never leaves the process that wrote it.
static_assert(std::endian::native == std::endian::little, "packed values assume a little-endian host");

namespace {

using namespace packed_tag;

class Packer {
 public:
  explicit Packer(std::vector<std::uint8_t>& out) : out_(out) {}

  void value(const Json& v) {
    switch (v.type()) {
      case Json::value_t::null:
      case Json::value_t::discarded: out_.push_back(kNull); break;
      case Json::value_t::boolean: out_.push_back(v.get<bool>() ? kTrue : kFalse); break;
      case Json::value_t::number_unsigned: unsigned_integer(v.get<std::uint64_t>()); break;
      case Json::value_t::number_integer: {
        const auto n = v.get<std::int64_t>();
        if (n >= 0) {
          unsigned_integer(static_cast<std::uint64_t>(n));  // one encoding per integer, however it was parsed
        } else {
          fixed(kNegative, n);
        }
        break;
      }
      case Json::value_t::number_float: fixed(kDouble, v.get<double>()); break;
      case Json::value_t::string: string(v.get_ref<const std::string&>()); break;
      case Json::value_t::binary: {
        const auto& bytes = v.get_binary();
        out_.push_back(kBinary);
        u32(bytes.size());
        out_.insert(out_.end(), bytes.begin(), bytes.end());
        break;
      }
      case Json::value_t::array: {
        const std::size_t header = container(kArray, v.size());
        for (const auto& element : v) value(element);
        close(header);
        break;
      }
      case Json::value_t::object: {
        const std::size_t header = container(kObject, v.size());
        for (const auto& [key, member] : v.get_ref<const Json::object_t&>()) {
          string(key);
          value(member);
        }
        close(header);
        break;
      }
    }
  }

 private:
  void unsigned_integer(std::uint64_t n) {
    if (n <= std::numeric_limits<std::uint8_t>::max()) {
      fixed(kUint8, static_cast<std::uint8_t>(n));
    } else if (n <= std::numeric_limits<std::uint32_t>::max()) {
      fixed(kUint32, static_cast<std::uint32_t>(n));
    } else {
      fixed(kUint64, n);
    }
  }
  template <class T>
  void fixed(std::uint8_t tag, T n) {
    out_.push_back(tag);
    const auto at = out_.size();
    out_.resize(at + sizeof n);
    std::memcpy(out_.data() + at, &n, sizeof n);
  }
  void u32(std::size_t n) {
    if (n > std::numeric_limits<std::uint32_t>::max()) throw Error("a JSON value over 4 GiB cannot be packed");
    const auto v = static_cast<std::uint32_t>(n);
    const auto at = out_.size();
    out_.resize(at + sizeof v);
    std::memcpy(out_.data() + at, &v, sizeof v);
  }
  void string(const std::string& s) {
    if (s.size() < 256) {
      out_.push_back(kString8);
      out_.push_back(static_cast<std::uint8_t>(s.size()));
    } else {
      out_.push_back(kString32);
      u32(s.size());
    }
    out_.insert(out_.end(), s.begin(), s.end());
  }
  // Writes a container header with its size left open; returns where it starts.
  std::size_t container(std::uint8_t tag, std::size_t count) {
    const std::size_t at = out_.size();
    out_.push_back(tag);
    u32(count);
    u32(0);
    return at;
  }
  // Fills in the size; a container whose count and size fit the short header (nearly all) is moved up into it.
  void close(std::size_t header) {
    const std::size_t size = out_.size() - header - 9;
    std::uint32_t count = 0;
    std::memcpy(&count, out_.data() + header + 1, sizeof count);
    if (count <= std::numeric_limits<std::uint8_t>::max() && size <= std::numeric_limits<std::uint16_t>::max()) {
      out_[header] = out_[header] == kArray ? kArray8 : kObject8;
      out_[header + 1] = static_cast<std::uint8_t>(count);
      const auto short_size = static_cast<std::uint16_t>(size);
      std::memcpy(out_.data() + header + 2, &short_size, sizeof short_size);
      std::memmove(out_.data() + header + 4, out_.data() + header + 9, size);
      out_.resize(out_.size() - 5);
      return;
    }
    if (size > std::numeric_limits<std::uint32_t>::max()) throw Error("a JSON value over 4 GiB cannot be packed");
    const auto v = static_cast<std::uint32_t>(size);
    std::memcpy(out_.data() + header + 5, &v, sizeof v);
  }

  std::vector<std::uint8_t>& out_;
};

Json unpack_value(const PackedValue& v, std::size_t depth, const UnpackOptions& options, bool in_metadata = false) {
  if (depth > 512) throw Error("packed value nested deeper than 512 levels");
  switch (v.type()) {
    case PackedType::Null: return nullptr;
    case PackedType::Boolean: return v.boolean();
    case PackedType::Integer: {
      if (*v.bytes().data() == kNegative) return *v.integer();
      std::uint64_t raw = 0;
      std::memcpy(&raw, v.contents(), v.bytes().size() - 1);  // 1, 4 or 8 bytes, little-endian
      return raw;
    }
    case PackedType::Float: {
      double d = 0;
      std::memcpy(&d, v.contents(), sizeof d);
      return d;
    }
    case PackedType::String: return std::string(v.string());
    case PackedType::Other: {
      const auto bytes = v.bytes().subspan(5);
      return Json::binary(std::vector<std::uint8_t>(bytes.begin(), bytes.end()));
    }
    case PackedType::Array: {
      Json out = Json::array();
      out.get_ref<Json::array_t&>().reserve(v.count());
      PackedArray elements(v);
      for (PackedValue element; elements.next(element);) out.push_back(unpack_value(element, depth + 1, options));
      if (!elements.ok() || out.size() != v.count()) throw Error("malformed packed array");
      return out;
    }
    case PackedType::Object: {
      Json out = Json::object();
      auto& fields = out.get_ref<Json::object_t&>();
      PackedObject entries(v);
      std::string_view key;
      std::size_t read = 0;
      for (PackedValue member; entries.next(key, member); ++read) {
        if (in_metadata && !options.managed_fields && key == "managedFields") continue;
        // Keys come sorted (pack() writes nlohmann's order): each goes at the end, without a search.
        fields.emplace_hint(fields.end(), std::string(key),
                            unpack_value(member, depth + 1, options, depth == 0 && key == "metadata"));
      }
      if (!entries.ok() || read != v.count()) throw Error("malformed packed object");
      return out;
    }
    case PackedType::Invalid: break;
  }
  throw Error("malformed packed value");
}

}  // namespace

std::vector<std::uint8_t> pack(const Json& value) {
  std::vector<std::uint8_t> out;
  Packer(out).value(value);
  out.shrink_to_fit();  // kept for as long as the object lives (the LiveCache): without the growth slack
  return out;
}

Json unpack(std::span<const std::uint8_t> bytes, const UnpackOptions& options) {
  const PackedValue root(bytes);
  if (!root.valid() || root.end() != bytes.data() + bytes.size()) {
    throw Error("malformed packed value (" + std::to_string(bytes.size()) + " bytes)");
  }
  return unpack_value(root, 0, options);
}

std::optional<std::int64_t> PackedValue::integer() const {
  if (type_ != Type::Integer) return std::nullopt;
  std::uint64_t raw = 0;
  std::memcpy(&raw, contents(), size_ - 1);  // 1, 4 or 8 bytes, little-endian
  if (*begin_ == kNegative) return static_cast<std::int64_t>(raw);
  if (raw > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return std::nullopt;
  return static_cast<std::int64_t>(raw);
}

bool PackedValue::empty_like() const {
  switch (type_) {
    case Type::Null: return true;
    case Type::Boolean: return !boolean();
    case Type::String: return string().empty();
    case Type::Array:
    case Type::Object: return count_ == 0;
    default: return false;
  }
}

PackedValue packed_member(const PackedValue& object, std::string_view key) {
  PackedObject entries(object);
  std::string_view k;
  PackedValue value;
  while (entries.next(k, value)) {
    if (k == key) return value;
  }
  return {};
}

}  // namespace gitmoor::core
