#include "gitmoor/applier/tracking.hpp"

namespace gitmoor::applier {

std::string tracking_id(std::string_view app, const core::ResourceKey& key) {
  return std::string(app) + ":" + key.group + "/" + key.kind + ":" + key.ns + "/" + key.name;
}

void stamp(core::Object& object, std::string_view app) {
  object.set_annotation(kTrackingAnnotation, tracking_id(app, object.key()));
  object.set_label(kAppLabel, app);
}

bool has_sync_option(const core::Object& object, std::string_view option) {
  const auto options = object.annotation(kSyncOptionsAnnotation);
  if (!options) return false;
  std::string_view rest(*options);
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    auto item = rest.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item == option) return true;
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace gitmoor::applier
