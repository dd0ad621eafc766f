#include "patch.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include "schema.hpp"
#include "status.hpp"

namespace gitmoor::sandbox {

Json merge_patch(const Json& original, const Json& patch) {
  Json result = original;
  result.merge_patch(patch);
  return result;
}

Json json_patch(const Json& original, const Json& patch) {
  if (!patch.is_array()) throw bad_request("json patch must be an array of operations");
  try {
    return original.patch(patch);
  } catch (const nlohmann::json::exception& e) {
    throw ApiError(422, "Invalid", std::string("the server rejected our request due to an error in our request: ") +
                                       e.what());
  }
}

namespace {

const std::string kSetElementOrder = "$setElementOrder/";
const std::string kDeleteFromPrimitiveList = "$deleteFromPrimitiveList/";

Json smp(const Json& original, const Json& patch, std::vector<std::string>& path, bool builtin);

bool is_directive_item(const Json& item, const char* value) {
  return item.is_object() && item.contains("$patch") && item["$patch"] == value;
}

Json merge_list(const Json& original, const Json& patch, std::vector<std::string>& path, bool builtin) {
  ListSchema schema = list_schema(path, builtin);
  for (const auto& item : patch) {
    if (is_directive_item(item, "replace")) {
      Json out = Json::array();
      for (const auto& i : patch) {
        if (!is_directive_item(i, "replace")) out.push_back(i);
      }
      return out;
    }
  }
  if (schema.type == ListType::Set) {
    Json out = original.is_array() ? original : Json::array();
    for (const auto& item : patch) {
      if (std::find(out.begin(), out.end(), item) == out.end()) out.push_back(item);
    }
    return out;
  }
  if (schema.type != ListType::Map) return patch;
  Json out = original.is_array() ? original : Json::array();
  const std::string& key = schema.merge_key;
  for (const auto& item : patch) {
    if (!item.is_object() || !item.contains(key)) {
      out.push_back(item);
      continue;
    }
    auto match = std::find_if(out.begin(), out.end(),
                              [&](const Json& o) { return o.is_object() && o.contains(key) && o[key] == item[key]; });
    if (is_directive_item(item, "delete")) {
      if (match != out.end()) out.erase(match);
      continue;
    }
    if (match == out.end()) {
      Json fresh = smp(Json::object(), item, path, builtin);
      out.push_back(fresh);
    } else {
      *match = smp(*match, item, path, builtin);
    }
  }
  return out;
}

Json smp(const Json& original, const Json& patch, std::vector<std::string>& path, bool builtin) {
  if (!patch.is_object()) return patch;
  if (patch.contains("$patch") && patch["$patch"] == "replace") {
    Json out = patch;
    out.erase("$patch");
    return out;
  }
  Json result = original.is_object() ? original : Json::object();
  for (const auto& [key, value] : patch.items()) {
    if (key == "$patch" || key == "$retainKeys" || key.rfind(kSetElementOrder, 0) == 0) continue;
    if (key.rfind(kDeleteFromPrimitiveList, 0) == 0) {
      std::string field = key.substr(kDeleteFromPrimitiveList.size());
      if (result.contains(field) && result[field].is_array() && value.is_array()) {
        Json kept = Json::array();
        for (const auto& v : result[field]) {
          if (std::find(value.begin(), value.end(), v) == value.end()) kept.push_back(v);
        }
        result[field] = kept;
      }
      continue;
    }
    if (value.is_null()) {
      result.erase(key);
      continue;
    }
    path.push_back(key);
    if (value.is_object()) {
      if (value.contains("$patch") && value["$patch"] == "delete") {
        result.erase(key);
      } else {
        result[key] = smp(result.contains(key) ? result[key] : Json(), value, path, builtin);
      }
    } else if (value.is_array()) {
      result[key] = merge_list(result.contains(key) ? result[key] : Json(), value, path, builtin);
    } else {
      result[key] = value;
    }
    path.pop_back();
  }
  if (auto rk = patch.find("$retainKeys"); rk != patch.end() && rk->is_array()) {
    for (auto it = result.begin(); it != result.end();) {
      if (std::find(rk->begin(), rk->end(), it.key()) == rk->end()) {
        it = result.erase(it);
      } else {
        ++it;
      }
    }
  }
  return result;
}

}  // namespace

Json strategic_merge_patch(const Json& original, const Json& patch, bool builtin) {
  if (!patch.is_object()) throw bad_request("strategic merge patch must be a JSON object");
  std::vector<std::string> path;
  return smp(original, patch, path, builtin);
}

}  // namespace gitmoor::sandbox
