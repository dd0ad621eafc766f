// ApplicationStatus ⇄ JSON with Argo CD's field names, so status written by gitmoor reads like Argo CD's (and status
// Argo CD wrote is read back). Writing omits empty optional strings, as Go's `omitempty` does; reading is lenient:
// a field of the wrong type is skipped, never fatal, because a status is only a cache of what the engine knows.
#include "gitmoor/engine/application_status.hpp"

#include <algorithm>
#include <ctime>

namespace gitmoor::engine {
namespace {

using core::Json;

std::string get_string(const Json& object, const char* key) {
  if (!object.is_object()) return {};
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool get_bool(const Json& object, const char* key) {
  if (!object.is_object()) return false;
  auto it = object.find(key);
  return it != object.end() && it->is_boolean() && it->get<bool>();
}

std::int64_t get_int(const Json& object, const char* key) {
  if (!object.is_object()) return 0;
  auto it = object.find(key);
  return it != object.end() && it->is_number_integer() ? it->get<std::int64_t>() : 0;
}

const Json& get_array(const Json& object, const char* key) {
  static const Json empty = Json::array();
  if (!object.is_object()) return empty;
  auto it = object.find(key);
  return it != object.end() && it->is_array() ? *it : empty;
}

const Json& get_object(const Json& object, const char* key) {
  static const Json empty = Json::object();
  if (!object.is_object()) return empty;
  auto it = object.find(key);
  return it != object.end() && it->is_object() ? *it : empty;
}

void put(Json& object, const char* key, const std::string& value) {
  if (!value.empty()) object[key] = value;
}

Json key_json(const core::ResourceKey& key, const std::string& version) {
  Json j = Json::object();
  put(j, "group", key.group);
  put(j, "version", version);
  j["kind"] = key.kind;
  put(j, "namespace", key.ns);
  j["name"] = key.name;
  return j;
}

core::ResourceKey key_from(const Json& j) {
  return {get_string(j, "group"), get_string(j, "kind"), get_string(j, "namespace"), get_string(j, "name")};
}

Json health_json(const differ::Health& health) {
  Json j = {{"status", std::string(differ::to_string(health.status))}};
  put(j, "message", health.message);
  return j;
}

differ::Health health_from(const Json& j) {
  auto status = differ::parse_health_status(get_string(j, "status"));
  return {status.value_or(differ::HealthStatus::Unknown), get_string(j, "message")};
}

Json resource_json(const ResourceStatus& r) {
  Json j = key_json(r.key, r.version);
  j["status"] = r.status;
  j["health"] = health_json(r.health);
  if (r.requires_pruning) j["requiresPruning"] = true;
  put(j, "hook", r.hook);
  if (r.sync_wave != 0) j["syncWave"] = r.sync_wave;
  return j;
}

ResourceStatus resource_from(const Json& j) {
  ResourceStatus r;
  r.key = key_from(j);
  r.version = get_string(j, "version");
  r.status = get_string(j, "status");
  r.health = j.contains("health") ? health_from(get_object(j, "health"))
                                  : differ::Health{differ::HealthStatus::Unknown, ""};
  r.requires_pruning = get_bool(j, "requiresPruning");
  r.hook = get_string(j, "hook");
  // Argo CD writes `hook: true` without the hook's type; Sync is the type a bare hook annotation means.
  if (r.hook.empty() && get_bool(j, "hook")) r.hook = "Sync";
  r.sync_wave = static_cast<int>(get_int(j, "syncWave"));
  return r;
}

Json sync_result_resource_json(const SyncResourceResult& r) {
  Json j = key_json(r.key, r.version);
  j["status"] = r.status;
  put(j, "message", r.message);
  put(j, "hookType", r.hook_type);
  put(j, "hookPhase", r.hook_phase);
  put(j, "syncPhase", r.sync_phase);
  if (r.sync_wave != 0) j["syncWave"] = r.sync_wave;
  return j;
}

SyncResourceResult sync_result_resource_from(const Json& j) {
  SyncResourceResult r;
  r.key = key_from(j);
  r.version = get_string(j, "version");
  r.status = get_string(j, "status");
  r.message = get_string(j, "message");
  r.hook_type = get_string(j, "hookType");
  r.hook_phase = get_string(j, "hookPhase");
  r.sync_phase = get_string(j, "syncPhase");
  r.sync_wave = static_cast<int>(get_int(j, "syncWave"));
  return r;
}

Json operation_json(const SyncRequest& request) {
  Json sync = {{"prune", request.prune}};
  put(sync, "revision", request.revision);
  if (request.dry_run) sync["dryRun"] = true;
  if (!request.sync_options.empty()) sync["syncOptions"] = request.sync_options;
  if (request.source.is_object()) sync["source"] = request.source;
  // Argo CD's place for --force: the sync strategy.
  if (request.force) sync["syncStrategy"] = {{"hook", {{"force", true}}}};
  if (request.apply_only) sync["syncStrategy"] = {{"apply", {{"force", request.force}}}};
  if (!request.resources.empty()) {
    Json resources = Json::array();
    for (const auto& key : request.resources) resources.push_back(key_json(key, ""));
    sync["resources"] = std::move(resources);
  }
  Json initiated_by = request.initiated_by == "automated" ? Json{{"automated", true}}
                                                          : Json{{"username", request.initiated_by}};
  return {{"sync", std::move(sync)}, {"initiatedBy", std::move(initiated_by)}};
}

SyncRequest operation_from(const Json& j) {
  SyncRequest request;
  const Json& sync = get_object(j, "sync");
  request.revision = get_string(sync, "revision");
  request.prune = get_bool(sync, "prune");
  request.dry_run = get_bool(sync, "dryRun");
  for (const auto& o : get_array(sync, "syncOptions")) {
    if (o.is_string()) request.sync_options.push_back(o.get<std::string>());
  }
  if (const auto it = sync.find("source"); it != sync.end() && it->is_object()) request.source = *it;
  const Json& strategy = get_object(sync, "syncStrategy");
  request.force = get_bool(get_object(strategy, "hook"), "force") || get_bool(get_object(strategy, "apply"), "force");
  request.apply_only = strategy.contains("apply");
  for (const auto& r : get_array(sync, "resources")) {
    if (r.is_object()) request.resources.push_back(key_from(r));
  }
  const Json& initiated_by = get_object(j, "initiatedBy");
  std::string username = get_string(initiated_by, "username");
  request.initiated_by = !username.empty() ? username : "automated";
  return request;
}

Json operation_state_json(const OperationState& op) {
  Json j = {{"operation", operation_json(op.operation)}, {"phase", std::string(to_string(op.phase))}};
  put(j, "message", op.message);
  put(j, "startedAt", op.started_at);
  put(j, "finishedAt", op.finished_at);
  if (op.retry_count != 0) j["retryCount"] = op.retry_count;
  Json result = Json::object();
  put(result, "revision", op.revision);
  if (!op.resources.empty()) {
    Json resources = Json::array();
    for (const auto& r : op.resources) resources.push_back(sync_result_resource_json(r));
    result["resources"] = std::move(resources);
  }
  if (!result.empty()) j["syncResult"] = std::move(result);
  return j;
}

OperationState operation_state_from(const Json& j) {
  OperationState op;
  op.operation = operation_from(get_object(j, "operation"));
  // A phase this version does not know cannot be acted on; Error says so rather than pretending it runs.
  op.phase = parse_operation_phase(get_string(j, "phase")).value_or(OperationPhase::Error);
  op.message = get_string(j, "message");
  op.started_at = get_string(j, "startedAt");
  op.finished_at = get_string(j, "finishedAt");
  op.retry_count = static_cast<int>(get_int(j, "retryCount"));
  const Json& result = get_object(j, "syncResult");
  op.revision = get_string(result, "revision");
  for (const auto& r : get_array(result, "resources")) {
    if (r.is_object()) op.resources.push_back(sync_result_resource_from(r));
  }
  return op;
}

}  // namespace

std::string_view to_string(OperationPhase phase) {
  switch (phase) {
    case OperationPhase::Running: return "Running";
    case OperationPhase::Terminating: return "Terminating";
    case OperationPhase::Failed: return "Failed";
    case OperationPhase::Error: return "Error";
    case OperationPhase::Succeeded: return "Succeeded";
  }
  return "Error";
}

std::optional<OperationPhase> parse_operation_phase(std::string_view text) {
  for (auto phase : {OperationPhase::Running, OperationPhase::Terminating, OperationPhase::Failed,
                     OperationPhase::Error, OperationPhase::Succeeded}) {
    if (to_string(phase) == text) return phase;
  }
  return std::nullopt;
}

bool is_completed(OperationPhase phase) {
  return phase == OperationPhase::Failed || phase == OperationPhase::Error || phase == OperationPhase::Succeeded;
}

void ApplicationStatus::set_condition(const std::string& type, const std::string& message, const std::string& now) {
  for (auto& c : conditions) {
    if (c.type != type) continue;
    if (c.message != message) {
      c.message = message;
      c.last_transition_time = now;
    }
    return;
  }
  conditions.push_back({type, message, now});
}

void ApplicationStatus::clear_condition(const std::string& type) {
  std::erase_if(conditions, [&](const Condition& c) { return c.type == type; });
}

const Condition* ApplicationStatus::condition(const std::string& type) const {
  auto it = std::find_if(conditions.begin(), conditions.end(), [&](const Condition& c) { return c.type == type; });
  return it == conditions.end() ? nullptr : &*it;
}

void ApplicationStatus::add_history(HistoryEntry entry, int limit) {
  // Argo CD numbers deploys from 0, one more than the newest kept entry.
  entry.id = history.empty() ? 0 : history.back().id + 1;
  history.push_back(std::move(entry));
  auto keep = static_cast<std::size_t>(std::max(limit, 0));
  if (history.size() > keep) history.erase(history.begin(), history.end() - static_cast<std::ptrdiff_t>(keep));
}

core::Json ApplicationStatus::to_json() const {
  Json sync = {{"status", sync_status}};
  put(sync, "revision", sync_revision);
  if (!compared_to.is_null()) sync["comparedTo"] = compared_to;
  Json j = {{"sync", std::move(sync)}, {"health", health_json(health)}};

  Json rs = Json::array();
  for (const auto& r : resources) rs.push_back(resource_json(r));
  j["resources"] = std::move(rs);
  if (operation_state) j["operationState"] = operation_state_json(*operation_state);

  Json hs = Json::array();
  for (const auto& h : history) {
    Json e = {{"id", h.id}, {"revision", h.revision}};
    put(e, "deployedAt", h.deployed_at);
    put(e, "deployStartedAt", h.deploy_started_at);
    if (!h.source.is_null()) e["source"] = h.source;
    if (h.initiated_by == "automated") e["initiatedBy"] = {{"automated", true}};
    else if (!h.initiated_by.empty()) e["initiatedBy"] = {{"username", h.initiated_by}};
    hs.push_back(std::move(e));
  }
  j["history"] = std::move(hs);

  Json cs = Json::array();
  for (const auto& c : conditions) {
    Json e = {{"type", c.type}, {"message", c.message}};
    put(e, "lastTransitionTime", c.last_transition_time);
    cs.push_back(std::move(e));
  }
  j["conditions"] = std::move(cs);
  put(j, "reconciledAt", reconciled_at);
  j["summary"] = {{"images", images}};
  return j;
}

ApplicationStatus ApplicationStatus::from_json(const core::Json& status) {
  ApplicationStatus s;
  const Json& sync = get_object(status, "sync");
  std::string sync_status = get_string(sync, "status");
  if (!sync_status.empty()) s.sync_status = sync_status;
  s.sync_revision = get_string(sync, "revision");
  if (sync.contains("comparedTo") && sync["comparedTo"].is_object()) s.compared_to = sync["comparedTo"];
  if (status.is_object() && status.contains("health")) s.health = health_from(get_object(status, "health"));
  for (const auto& r : get_array(status, "resources")) {
    if (r.is_object()) s.resources.push_back(resource_from(r));
  }
  if (status.is_object() && status.contains("operationState") && status["operationState"].is_object()) {
    s.operation_state = operation_state_from(status["operationState"]);
  }
  for (const auto& h : get_array(status, "history")) {
    if (!h.is_object()) continue;
    HistoryEntry e;
    e.id = get_int(h, "id");
    e.revision = get_string(h, "revision");
    e.deployed_at = get_string(h, "deployedAt");
    e.deploy_started_at = get_string(h, "deployStartedAt");
    if (h.contains("source")) e.source = h["source"];
    const Json& initiated_by = get_object(h, "initiatedBy");
    e.initiated_by = get_bool(initiated_by, "automated") ? "automated" : get_string(initiated_by, "username");
    s.history.push_back(std::move(e));
  }
  for (const auto& c : get_array(status, "conditions")) {
    if (c.is_object()) {
      s.conditions.push_back({get_string(c, "type"), get_string(c, "message"), get_string(c, "lastTransitionTime")});
    }
  }
  s.reconciled_at = get_string(status, "reconciledAt");
  for (const auto& image : get_array(get_object(status, "summary"), "images")) {
    if (image.is_string()) s.images.push_back(image.get<std::string>());
  }
  return s;
}

Json operation_to_json(const SyncRequest& request) { return operation_json(request); }

std::string now_rfc3339() {
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buffer;
}

}  // namespace gitmoor::engine
