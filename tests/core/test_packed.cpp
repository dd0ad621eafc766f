#include <catch2/catch.hpp>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <limits>
#include <optional>
#include <random>
#include <sstream>
#include <vector>

#include "gitmoor/core/error.hpp"
#include "gitmoor/core/object.hpp"
#include "gitmoor/core/packed.hpp"
#include "gitmoor/core/yaml.hpp"

using gitmoor::core::Json;
using gitmoor::core::PackedArray;
using gitmoor::core::PackedObject;
using gitmoor::core::PackedValue;
using Type = PackedValue::Type;

namespace {

// Rebuilds a JSON value from the reader alone; nullopt when the reader reports malformed input. Compared with the
// value packed, it proves every type, length form and the iteration order.
std::optional<Json> rebuild(const PackedValue& value) {
  switch (value.type()) {
    case Type::Null: return Json(nullptr);
    case Type::Boolean: return Json(value.boolean());
    case Type::String: return Json(std::string(value.string()));
    case Type::Integer: {
      auto n = value.integer();
      if (!n) return Json(std::numeric_limits<std::uint64_t>::max());  // the only unsigned value tested above INT64_MAX
      return Json(*n);
    }
    case Type::Float: {
      double d = 0;
      std::memcpy(&d, value.contents(), sizeof d);
      return Json(d);
    }
    case Type::Array: {
      Json out = Json::array();
      PackedArray elements(value);
      PackedValue element;
      while (elements.next(element)) {
        auto child = rebuild(element);
        if (!child) return std::nullopt;
        out.push_back(std::move(*child));
      }
      if (!elements.ok() || out.size() != value.count()) return std::nullopt;
      return out;
    }
    case Type::Object: {
      Json out = Json::object();
      PackedObject entries(value);
      std::string_view key;
      PackedValue child;
      while (entries.next(key, child)) {
        auto rebuilt = rebuild(child);
        if (!rebuilt) return std::nullopt;
        out[std::string(key)] = std::move(*rebuilt);
      }
      if (!entries.ok() || out.size() != value.count()) return std::nullopt;
      return out;
    }
    default: return std::nullopt;
  }
}

Json realistic_live_object() {
  std::ifstream in(std::string(GITMOOR_TESTDATA_DIR) + "/diff/deployment-realistic/live.yaml");
  std::ostringstream text;
  text << in.rdbuf();
  return gitmoor::core::parse_manifests(text.str(), {}).at(0).json();
}

}  // namespace

TEST_CASE("packed: every kind and size of value packs and reads back as the same JSON", "[packed]") {
  std::string long_string(70000, 'x');  // string32
  Json big_object = Json::object();
  for (int i = 0; i < 300; ++i) big_object["k" + std::to_string(i)] = i;
  Json big_array = Json::array();
  for (int i = 0; i < 70000; ++i) big_array.push_back(i % 3);
  const std::vector<Json> values{
      nullptr, true, false, 0, 127, 128, 255, 256, 65535, 65536, 4294967295LL, 4294967296LL,
      std::numeric_limits<std::int64_t>::max(), -1, -32, -33, -128, -129, -32768, -32769, -2147483648LL,
      -2147483649LL, std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::uint64_t>::max(), 0.5, 1.5e300,
      "", "short", std::string(31, 'a'), std::string(32, 'b'), std::string(300, 'c'), long_string, Json::array(),
      Json::object(), big_object, big_array, Json::array({long_string}), Json{{"k", long_string}}, Json::parse(R"({"a":{"b":[1,"x",{"c":null}]},"d":[[],{}]})"),
      realistic_live_object()};
  for (const auto& json : values) {
    const auto bytes = gitmoor::core::pack(json);
    const PackedValue packed{std::span<const std::uint8_t>(bytes)};
    INFO(json.dump().substr(0, 80));
    REQUIRE(packed.valid());
    CHECK(packed.end() == bytes.data() + bytes.size());
    auto rebuilt = rebuild(packed);
    REQUIRE(rebuilt.has_value());
    CHECK(*rebuilt == json);
    CHECK(gitmoor::core::unpack(bytes) == json);
  }
}

TEST_CASE("packed: integers, strings, counts and emptiness read without decoding", "[packed]") {
  auto packed_of = [](const Json& json) { return gitmoor::core::pack(json); };
  auto b = packed_of(-129);
  CHECK(PackedValue(std::span<const std::uint8_t>(b)).integer() == -129);
  b = packed_of(std::numeric_limits<std::uint64_t>::max());
  CHECK_FALSE(PackedValue(std::span<const std::uint8_t>(b)).integer().has_value());
  b = packed_of("hello");
  CHECK(PackedValue(std::span<const std::uint8_t>(b)).string() == "hello");
  b = packed_of(Json::parse(R"({"b":1,"a":2,"c":{}})"));
  const PackedValue object{std::span<const std::uint8_t>(b)};
  CHECK(object.count() == 3);
  CHECK(gitmoor::core::packed_member(object, "b").integer() == 1);
  CHECK_FALSE(gitmoor::core::packed_member(object, "z").valid());
  CHECK(gitmoor::core::packed_member(object, "c").empty_like());
  CHECK_FALSE(gitmoor::core::packed_member(object, "a").empty_like());
  // Entries come in the writer's order: nlohmann's objects are sorted by key.
  PackedObject entries(object);
  std::string_view key;
  PackedValue value;
  std::string order;
  while (entries.next(key, value)) order += key;
  CHECK(order == "abc");
}

TEST_CASE("packed: one encoding per value, so same_bytes is equality", "[packed]") {
  using gitmoor::core::pack;
  auto a = pack(Json::parse(R"({"x":[1,2,{"y":"z"}]})"));
  auto b = pack(Json::parse(R"({"x":[1,2,{"y":"z"}]})"));
  auto c = pack(Json::parse(R"({"x":[1,2,{"y":"w"}]})"));
  auto one = pack(1);
  auto one_float = pack(1.0);
  // A non-negative integer packs the same whether nlohmann holds it signed (from YAML) or unsigned (from JSON).
  CHECK(pack(Json(std::int64_t{5})) == pack(Json(std::uint64_t{5})));
  CHECK(pack(Json::parse(R"({"b":1,"a":2})")) == pack(Json::parse(R"({"a":2,"b":1})")));
  const auto view = [](const std::vector<std::uint8_t>& bytes) { return PackedValue(std::span<const std::uint8_t>(bytes)); };
  CHECK(view(a).same_bytes(view(b)));
  CHECK_FALSE(view(a).same_bytes(view(c)));
  CHECK_FALSE(view(one).same_bytes(view(one_float)));  // equal values, different encodings: not "same"
}

TEST_CASE("packed: truncated or corrupted input reads as invalid and never past the buffer", "[packed]") {
  const auto bytes = gitmoor::core::pack(realistic_live_object());
  // Every strict prefix is malformed: somewhere a length runs past the end.
  for (std::size_t size = 0; size < bytes.size(); size += (size < 64 ? 1 : 97)) {
    std::vector<std::uint8_t> prefix(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(size));
    const PackedValue packed{std::span<const std::uint8_t>(prefix)};
    INFO("prefix of " << size << " bytes");
    CHECK(packed.end() == nullptr);
    CHECK_FALSE(rebuild(packed).has_value());
    CHECK_THROWS_AS(gitmoor::core::unpack(prefix), gitmoor::core::Error);
  }
  // Corrupted bytes: whatever the reader makes of them, it stays inside the buffer (ASan would report otherwise)
  // and agrees with itself about where the value ends.
  std::mt19937 random(7);
  for (int trial = 0; trial < 300; ++trial) {
    auto corrupted = bytes;
    for (int flips = 0; flips < 3; ++flips) corrupted[random() % corrupted.size()] = static_cast<std::uint8_t>(random());
    const PackedValue packed{std::span<const std::uint8_t>(corrupted)};
    const auto* end = packed.end();
    if (end != nullptr) CHECK(end <= corrupted.data() + corrupted.size());
    (void)rebuild(packed);
    try {
      (void)gitmoor::core::unpack(corrupted);
    } catch (const gitmoor::core::Error&) {
      // malformed: refused, which is all that is asked
    }
  }
}

TEST_CASE("packed: unpack can leave managedFields out, and only metadata's", "[packed]") {
  Json object = realistic_live_object();
  REQUIRE(object["metadata"].contains("managedFields"));
  object["spec"]["managedFields"] = "not metadata's";  // a field of that name elsewhere stays
  const auto bytes = gitmoor::core::pack(object);
  Json without = gitmoor::core::unpack(bytes, {.managed_fields = false});
  CHECK_FALSE(without["metadata"].contains("managedFields"));
  CHECK(without["spec"]["managedFields"] == "not metadata's");
  Json expected = object;
  expected["metadata"].erase("managedFields");
  CHECK(without == expected);
  CHECK(gitmoor::core::unpack(bytes) == object);
}
