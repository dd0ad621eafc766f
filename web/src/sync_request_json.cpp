#include "sync_request_json.hpp"

#include "gitmoor/core/error.hpp"
#include "gitmoor/core/object.hpp"

namespace gitmoor::web {

namespace {

bool boolean_field(const core::Json& body, const char* name) {
  const auto it = body.find(name);
  if (it == body.end() || it->is_null()) return false;
  if (!it->is_boolean()) throw core::InvalidInput(std::string("sync request: ") + name + " must be true or false");
  return it->get<bool>();
}

std::string string_field(const core::Json& object, const char* name, const std::string& where) {
  const auto it = object.find(name);
  if (it == object.end() || it->is_null()) return "";
  if (!it->is_string()) throw core::InvalidInput("sync request: " + where + name + " must be a string");
  return it->get<std::string>();
}

}  // namespace

engine::SyncRequest parse_sync_request(const std::string& body) {
  engine::SyncRequest request;
  request.initiated_by = "api";
  if (body.find_first_not_of(" \t\r\n") == std::string::npos) return request;
  core::Json json;
  try {
    json = core::Json::parse(body);
  } catch (const core::Json::parse_error& e) {
    throw core::InvalidInput(std::string("sync request: the body is not JSON: ") + e.what());
  }
  if (!json.is_object()) throw core::InvalidInput("sync request: the body must be a JSON object");
  request.revision = string_field(json, "revision", "");
  request.prune = boolean_field(json, "prune");
  request.dry_run = boolean_field(json, "dryRun");
  request.force = boolean_field(json, "force");
  if (const auto it = json.find("resources"); it != json.end() && !it->is_null()) {
    if (!it->is_array()) throw core::InvalidInput("sync request: resources must be a list");
    for (std::size_t i = 0; i < it->size(); ++i) {
      const auto& item = (*it)[i];
      const auto where = "resources[" + std::to_string(i) + "].";
      if (!item.is_object()) throw core::InvalidInput("sync request: resources[" + std::to_string(i) + "] must be an object");
      core::ResourceKey key;
      key.group = string_field(item, "group", where);
      key.kind = string_field(item, "kind", where);
      key.ns = string_field(item, "namespace", where);
      key.name = string_field(item, "name", where);
      if (key.kind.empty() || key.name.empty()) {
        throw core::InvalidInput("sync request: " + where + "kind and " + where + "name are required");
      }
      request.resources.push_back(std::move(key));
    }
  }
  return request;
}

}  // namespace gitmoor::web
