#include "gitmoor/differ/output.hpp"

#include "gitmoor/core/yaml.hpp"
#include "gitmoor/differ/redact.hpp"
#include "gitmoor/differ/text_diff.hpp"

namespace gitmoor::differ {

namespace {

std::string yaml_or_empty(const Json& value) { return value.is_null() ? std::string() : core::to_yaml(value); }

}  // namespace

std::string format_text(const AppDiff& diff) {
  std::string out;
  for (const auto& resource : diff.resources) {
    if (resource.status == SyncStatus::Synced) continue;
    Json live = resource.live;
    Json predicted = resource.predicted;
    redact_pair(live, predicted);
    const std::string key = resource.key.to_string();
    out += "=== " + key + " (" + std::string(to_string(resource.status));
    if (resource.ignored_extraneous) out += ", ignored: IgnoreExtraneous";
    out += ")\n";
    out += unified_diff(yaml_or_empty(live), yaml_or_empty(predicted),
                        {.before_label = "live " + key, .after_label = "desired " + key});
  }
  return out;
}

core::Json format_json(const AppDiff& diff) {
  Json resources = Json::array();
  for (const auto& resource : diff.resources) {
    Json changes = Json::array();
    for (const auto& change : resource.changes) {
      Json entry = {{"path", change.path}, {"op", to_string(change.op)}};
      if (change.op != ChangeOp::Remove) entry["desired"] = change.desired;
      if (change.op != ChangeOp::Add) entry["live"] = change.live;
      changes.push_back(std::move(entry));
    }
    Json entry = {{"key", resource.key.to_string()},
                  {"group", resource.key.group},
                  {"kind", resource.key.kind},
                  {"namespace", resource.key.ns},
                  {"name", resource.key.name},
                  {"status", to_string(resource.status)},
                  {"changes", std::move(changes)}};
    if (resource.ignored_extraneous) entry["ignoredExtraneous"] = true;
    resources.push_back(std::move(entry));
  }
  return {{"status", to_string(diff.status())}, {"resources", std::move(resources)}};
}

}  // namespace gitmoor::differ
