// Legacy (non-aggregated) discovery: /api, /apis, then each group-version's resource list.
#include "gitmoor/applier/discovery.hpp"

namespace gitmoor::applier {

using core::Json;

std::string ApiResource::path(const std::string& ns, const std::string& name) const {
  std::string out = gvk.group.empty() ? "/api/" + gvk.version : "/apis/" + gvk.group + "/" + gvk.version;
  if (namespaced && !ns.empty()) out += "/namespaces/" + ns;
  out += "/" + resource;
  if (!name.empty()) out += "/" + name;
  return out;
}

std::string ApiResource::counter_name() const { return gvk.group.empty() ? resource : resource + "." + gvk.group; }

std::optional<ApiResource> Discovery::find(const core::GroupVersionKind& gvk) {
  std::lock_guard lock(mutex_);
  if (!loaded_) fetch_locked();
  if (auto it = by_gvk_.find(gvk); it != by_gvk_.end()) return it->second;
  // Asked and refetched already since the last invalidate(): do not refetch everything per object of that kind.
  if (unknown_.count(gvk) != 0) return std::nullopt;
  // An unknown kind may be a CRD applied since we last looked.
  fetch_locked();
  if (auto it = by_gvk_.find(gvk); it != by_gvk_.end()) return it->second;
  unknown_.insert(gvk);
  return std::nullopt;
}

void Discovery::invalidate() {
  std::lock_guard lock(mutex_);
  loaded_ = false;
  unknown_.clear();
}

std::vector<ApiResource> Discovery::listable() {
  std::lock_guard lock(mutex_);
  if (!loaded_) fetch_locked();
  return preferred_;
}

int Discovery::fetches() const {
  std::lock_guard lock(mutex_);
  return fetches_;
}

void Discovery::fetch_locked() {
  ++fetches_;
  std::map<core::GroupVersionKind, ApiResource> by_gvk;
  std::vector<ApiResource> preferred;
  auto read_list = [&](const std::string& group_version, bool is_preferred) {
    const auto list = client_.request_json({.method = "GET", .path = (group_version == "v1" ? "/api/v1" : "/apis/" + group_version)});
    const auto gv = core::GroupVersionKind::from(group_version, "");
    for (const auto& r : list.value("resources", Json::array())) {
      const std::string name = r.value("name", "");
      if (name.empty() || name.find('/') != std::string::npos) continue;  // subresources
      ApiResource resource{.gvk = {gv.group, gv.version, r.value("kind", "")},
                           .resource = name,
                           .namespaced = r.value("namespaced", true),
                           .verbs = {}};
      for (const auto& v : r.value("verbs", Json::array())) {
        if (v.is_string()) resource.verbs.push_back(v.get<std::string>());
      }
      if (is_preferred) preferred.push_back(resource);
      by_gvk.emplace(resource.gvk, std::move(resource));
    }
  };
  read_list("v1", true);
  const auto groups = client_.request_json({.method = "GET", .path = "/apis"});
  for (const auto& g : groups.value("groups", Json::array())) {
    const std::string preferred_gv = g.value("preferredVersion", Json::object()).value("groupVersion", "");
    for (const auto& v : g.value("versions", Json::array())) {
      const std::string gv = v.value("groupVersion", "");
      if (!gv.empty()) read_list(gv, gv == preferred_gv);
    }
  }
  by_gvk_ = std::move(by_gvk);
  preferred_ = std::move(preferred);
  loaded_ = true;
}

}  // namespace gitmoor::applier
