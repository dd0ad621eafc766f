#include "gitmoor/differ/redact.hpp"

namespace gitmoor::differ {

bool is_secret(const Json& object) {
  if (!object.is_object()) return false;
  auto kind = object.find("kind");
  auto api_version = object.find("apiVersion");
  return kind != object.end() && *kind == "Secret" && api_version != object.end() && *api_version == "v1";
}

Json redact_values(const Json& value) {
  if (value.is_object()) {
    Json out = Json::object();
    for (const auto& [key, child] : value.items()) out[key] = redact_values(child);
    return out;
  }
  if (value.is_array()) {
    Json out = Json::array();
    for (const auto& child : value) out.push_back(redact_values(child));
    return out;
  }
  if (value.is_null()) return value;
  return kRedacted;
}

namespace {

void redact_field(Json& object, const char* field) {
  auto it = object.find(field);
  if (it != object.end()) *it = redact_values(*it);
}

}  // namespace

Json redact_secret(const Json& object) {
  if (!is_secret(object)) return object;
  Json out = object;
  redact_field(out, "data");
  redact_field(out, "stringData");
  // The last-applied annotation of client-side apply holds the whole Secret, values included.
  if (auto metadata = out.find("metadata"); metadata != out.end() && metadata->is_object()) {
    if (auto annotations = metadata->find("annotations"); annotations != metadata->end() && annotations->is_object()) {
      auto last = annotations->find("kubectl.kubernetes.io/last-applied-configuration");
      if (last != annotations->end()) *last = kRedacted;
    }
  }
  return out;
}

void redact_pair(Json& live, Json& predicted) {
  const bool live_secret = is_secret(live);
  const bool predicted_secret = is_secret(predicted);
  if (!live_secret && !predicted_secret) return;
  Json changed = Json::object();
  if (live_secret && predicted_secret) {
    for (const char* field : {"data", "stringData"}) {
      const Json before = live.value(field, Json::object());
      const Json after = predicted.value(field, Json::object());
      if (!after.is_object()) continue;
      for (const auto& [key, value] : after.items()) {
        if (before.is_object() && before.contains(key) && before[key] != value) changed[field][key] = true;
      }
    }
  }
  live = redact_secret(live);
  predicted = redact_secret(predicted);
  for (const auto& [field, keys] : changed.items()) {
    for (const auto& [key, flag] : keys.items()) {
      (void)flag;
      predicted[field][key] = kRedactedChanged;
    }
  }
}

}  // namespace gitmoor::differ
