#include "sync_request_json.hpp"

#include <cctype>

#include "gitmoor/core/error.hpp"
#include "gitmoor/core/object.hpp"

namespace gitmoor::web {

namespace {

bool boolean_field(const core::Json& body, const char* name, const std::string& what) {
  const auto it = body.find(name);
  if (it == body.end() || it->is_null()) return false;
  if (!it->is_boolean()) throw core::InvalidInput(what + ": " + name + " must be true or false");
  return it->get<bool>();
}

std::string string_field(const core::Json& object, const char* name, const std::string& where) {
  const auto it = object.find(name);
  if (it == object.end() || it->is_null()) return "";
  if (!it->is_string()) throw core::InvalidInput("sync request: " + where + name + " must be a string");
  return it->get<std::string>();
}

// The body as a JSON object; "" (or only whitespace) is an empty one.
core::Json body_object(const std::string& body, const std::string& what) {
  if (body.find_first_not_of(" \t\r\n") == std::string::npos) return core::Json::object();
  core::Json json;
  try {
    json = core::Json::parse(body);
  } catch (const core::Json::parse_error& e) {
    throw core::InvalidInput(what + ": the body is not JSON: " + e.what());
  }
  if (!json.is_object()) throw core::InvalidInput(what + ": the body must be a JSON object");
  return json;
}

// strategy: {apply: {force}} or {hook: {force}} (Argo CD's SyncStrategy): sets force, and apply_only for apply.
void read_strategy(const core::Json& json, engine::SyncRequest& request) {
  const auto it = json.find("strategy");
  if (it == json.end() || it->is_null()) return;
  if (!it->is_object()) throw core::InvalidInput("sync request: strategy must be an object ({apply: {force}} or {hook: {force}})");
  for (const auto& [key, value] : it->items()) {
    if (key != "apply" && key != "hook") {
      throw core::InvalidInput("sync request: strategy." + key + " is not a sync strategy (use apply or hook)");
    }
    if (key == "apply") request.apply_only = true;
    if (value.is_null()) continue;
    if (!value.is_object()) throw core::InvalidInput("sync request: strategy." + key + " must be an object");
    request.force = boolean_field(value, "force", "sync request: strategy." + key) || request.force;
  }
}

// syncOptions: {items: [...]} (Argo CD's SyncOptions) or a plain list; each item `Name=value`.
std::vector<std::string> sync_options(const core::Json& json) {
  const auto it = json.find("syncOptions");
  if (it == json.end() || it->is_null()) return {};
  const core::Json* items = &*it;
  if (it->is_object()) {
    const auto inner = it->find("items");
    if (inner == it->end() || inner->is_null()) return {};
    items = &*inner;
  }
  if (!items->is_array()) throw core::InvalidInput("sync request: syncOptions.items must be a list of strings");
  std::vector<std::string> out;
  for (std::size_t i = 0; i < items->size(); ++i) {
    const auto& item = (*items)[i];
    const auto where = "sync request: syncOptions.items[" + std::to_string(i) + "]";
    if (!item.is_string()) throw core::InvalidInput(where + " must be a string");
    const auto text = item.get<std::string>();
    const auto eq = text.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == text.size()) {
      throw core::InvalidInput(where + " \"" + text + "\" must be Name=value (e.g. ServerSideApply=true)");
    }
    out.push_back(text);
  }
  return out;
}

}  // namespace

engine::SyncRequest parse_sync_request(const std::string& body) {
  engine::SyncRequest request;
  request.initiated_by = "api";
  const auto json = body_object(body, "sync request");
  request.revision = string_field(json, "revision", "");
  request.prune = boolean_field(json, "prune", "sync request");
  request.dry_run = boolean_field(json, "dryRun", "sync request");
  request.force = boolean_field(json, "force", "sync request");
  read_strategy(json, request);
  request.sync_options = sync_options(json);
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

engine::RollbackRequest parse_rollback_request(const std::string& body) {
  engine::RollbackRequest request;
  const auto json = body_object(body, "rollback request");
  const auto it = json.find("id");
  if (it == json.end() || it->is_null()) {
    request.id = 0;  // Argo CD's default: an absent id is 0
  } else if (it->is_number_integer()) {
    request.id = it->get<std::int64_t>();
  } else if (it->is_string() && !it->get<std::string>().empty() &&
             it->get<std::string>().find_first_not_of("0123456789") == std::string::npos &&
             it->get<std::string>().size() <= 18) {
    request.id = std::stoll(it->get<std::string>());
  } else {
    throw core::InvalidInput("rollback request: id must be a history id (a whole number), not " + it->dump());
  }
  request.prune = boolean_field(json, "prune", "rollback request");
  request.dry_run = boolean_field(json, "dryRun", "rollback request");
  return request;
}

}  // namespace gitmoor::web
