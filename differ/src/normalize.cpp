#include "gitmoor/differ/normalize.hpp"
#include "gitmoor/differ/redact.hpp"

#include <algorithm>
#include <array>
#include <string_view>

#include "gitmoor/core/quantity.hpp"
#include "gitmoor/differ/schema.hpp"

namespace gitmoor::differ {

namespace {

constexpr std::array<std::string_view, 8> kServerMetadata{
    "uid", "resourceVersion", "generation", "creationTimestamp", "managedFields",
    "selfLink", "deletionTimestamp", "deletionGracePeriodSeconds"};

constexpr std::string_view kLastApplied = "kubectl.kubernetes.io/last-applied-configuration";

std::optional<core::Quantity> as_quantity(const Json& value) {
  if (value.is_string()) return core::Quantity::try_parse(value.get_ref<const std::string&>());
  if (value.is_number_integer()) return core::Quantity::try_parse(std::to_string(value.get<std::int64_t>()));
  if (value.is_number_float()) {
    // Shortest round-trip spelling, so 0.5 reads as "0.5" rather than "0.500000".
    return core::Quantity::try_parse(Json(value.get<double>()).dump());
  }
  return std::nullopt;
}

}  // namespace

void fold_string_data(Json& secret) {
  auto string_data = secret.find("stringData");
  if (string_data == secret.end()) return;
  if (string_data->is_object()) {
    Json& data = secret["data"];
    if (!data.is_object()) data = Json::object();
    // The API server lets stringData win over data for the same key.
    for (const auto& [key, value] : string_data->items()) {
      if (value.is_string()) data[key] = base64_encode(value.get_ref<const std::string&>());
    }
  }
  secret.erase("stringData");
}

Json normalize(const Json& object) {
  if (!object.is_object()) return object;
  // Copies only what stays: managedFields and status are most of a live object, and copying them only to free them
  // again was most of the cost of an out-of-sync diff.
  Json out = Json::object();
  auto& fields = out.get_ref<Json::object_t&>();
  for (const auto& [key, value] : object.get_ref<const Json::object_t&>()) {
    if (key == "status") continue;
    if (key != "metadata" || !value.is_object()) {
      fields.emplace_hint(fields.end(), key, value);
      continue;
    }
    Json metadata = Json::object();
    auto& metadata_fields = metadata.get_ref<Json::object_t&>();
    for (const auto& [field, field_value] : value.get_ref<const Json::object_t&>()) {
      if (std::find(kServerMetadata.begin(), kServerMetadata.end(), field) != kServerMetadata.end()) continue;
      metadata_fields.emplace_hint(metadata_fields.end(), field, field_value);
    }
    fields.emplace_hint(fields.end(), key, std::move(metadata));
  }
  normalize_in_place(out);  // the annotation and a Secret's stringData
  return out;
}

void normalize_in_place(Json& out) {
  if (!out.is_object()) return;
  out.erase("status");
  if (auto metadata = out.find("metadata"); metadata != out.end() && metadata->is_object()) {
    for (auto field : kServerMetadata) metadata->erase(std::string(field));
    if (auto annotations = metadata->find("annotations"); annotations != metadata->end() && annotations->is_object()) {
      annotations->erase(std::string(kLastApplied));
      if (annotations->empty()) metadata->erase("annotations");
    }
  }
  auto kind = out.find("kind");
  auto api_version = out.find("apiVersion");
  if (kind != out.end() && *kind == "Secret" && api_version != out.end() && *api_version == "v1") {
    fold_string_data(out);
  }
}

bool scalars_equal(const Json& desired, const Json& live, const std::vector<std::string>& path) {
  return scalars_equal_at(desired, live, std::vector<std::string_view>(path.begin(), path.end()));
}

bool scalars_equal_at(const Json& desired, const Json& live, const std::vector<std::string_view>& path) {
  if (desired.is_number() && live.is_number()) {
    if (desired.is_number_float() || live.is_number_float()) return desired.get<double>() == live.get<double>();
    if (desired.is_number_unsigned() || live.is_number_unsigned()) {
      return desired.get<std::int64_t>() == live.get<std::int64_t>() &&
             (desired.get<std::int64_t>() >= 0) == (live.get<std::int64_t>() >= 0);
    }
    return desired.get<std::int64_t>() == live.get<std::int64_t>();
  }
  if (desired == live) return true;
  if (is_quantity_at(path)) {
    auto a = as_quantity(desired);
    auto b = as_quantity(live);
    return a && b && *a == *b;
  }
  return false;
}

bool dropped_by_server(const Json& desired) {
  // Go's omitempty drops these on the way in, so the API server never stores them.
  if (desired.is_null()) return true;
  if (desired.is_object() || desired.is_array()) return desired.empty();
  if (desired.is_string()) return desired.get_ref<const std::string&>().empty();
  if (desired.is_boolean()) return !desired.get<bool>();
  return false;
}

std::string base64_encode(std::string_view bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    auto n = (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8) |
             static_cast<unsigned char>(bytes[i + 2]);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  if (i + 1 == bytes.size()) {
    auto n = static_cast<unsigned char>(bytes[i]) << 16;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += "==";
  } else if (i + 2 == bytes.size()) {
    auto n = (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += '=';
  }
  return out;
}

}  // namespace gitmoor::differ
