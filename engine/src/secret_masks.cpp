// See secret_masks.hpp.
#include "secret_masks.hpp"

#include <map>
#include <set>
#include <string>

#include "gitmoor/differ/normalize.hpp"
#include "gitmoor/differ/redact.hpp"

namespace gitmoor::engine {

using core::Json;

namespace {

constexpr const char* kLastApplied = "kubectl.kubernetes.io/last-applied-configuration";

Json* last_applied(Json& object) {
  auto metadata = object.find("metadata");
  if (metadata == object.end() || !metadata->is_object()) return nullptr;
  auto annotations = metadata->find("annotations");
  if (annotations == metadata->end() || !annotations->is_object()) return nullptr;
  auto it = annotations->find(kLastApplied);
  return it == annotations->end() ? nullptr : &*it;
}

}  // namespace

void mask_secret_values(const std::vector<Json*>& views) {
  std::vector<Json*> secrets;
  for (auto* view : views) {
    if (view != nullptr && differ::is_secret(*view)) secrets.push_back(view);
  }
  if (secrets.empty()) return;

  // The last-applied annotation holds a whole earlier Secret: masked as one more view when it parses, dropped to
  // kRedacted when it does not (it must never leak).
  std::vector<Json> applied;
  std::vector<Json*> applied_at;
  for (auto* secret : secrets) {
    if (Json* annotation = last_applied(*secret)) {
      Json parsed = annotation->is_string() ? Json::parse(annotation->get<std::string>(), nullptr, false) : Json();
      if (parsed.is_object() && differ::is_secret(parsed)) {
        applied.push_back(std::move(parsed));
        applied_at.push_back(annotation);
      } else {
        *annotation = differ::kRedacted;
      }
    }
  }
  std::vector<Json*> all = secrets;
  for (auto& object : applied) all.push_back(&object);

  std::set<std::string> keys;
  for (auto* secret : all) {
    differ::fold_string_data(*secret);
    if (auto data = secret->find("data"); data != secret->end() && data->is_object()) {
      for (const auto& [key, value] : data->items()) keys.insert(key);
    }
  }
  for (const auto& key : keys) {
    std::map<std::string, std::string> masks;  // value → its mask, for this key
    std::string next(8, '+');
    for (auto* secret : all) {
      auto data = secret->find("data");
      if (data == secret->end() || !data->is_object()) continue;
      auto value = data->find(key);
      if (value == data->end() || value->is_null()) continue;
      const std::string text = value->is_string() ? value->get<std::string>() : value->dump();
      auto [mask, added] = masks.emplace(text, next);
      if (added) next += "++++";
      *value = mask->second;
    }
  }
  for (std::size_t i = 0; i < applied.size(); ++i) *applied_at[i] = applied[i].dump();
}

}  // namespace gitmoor::engine
