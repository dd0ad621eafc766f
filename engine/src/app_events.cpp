// Controller::events: the Kubernetes Events of an Application and of the objects in its resource tree, read from
// the API server when asked (events are not watched: they are many and short-lived). Bounded: a few pages per
// namespace, the newest kMaxEvents kept.
#include <algorithm>
#include <functional>
#include <set>
#include <tuple>

#include "controller_impl.hpp"
#include "query_encode.hpp"

namespace gitmoor::engine {

using core::Json;

namespace {

constexpr std::size_t kPageSize = 250;
constexpr int kMaxPages = 4;  // per namespace
constexpr std::size_t kMaxEvents = 500;

// Up to kMaxPages pages of the events at `path` (a list URL with its query), each passed to `keep`.
void list_events(applier::Client& client, const std::string& path, const std::function<void(Json&)>& keep) {
  std::string next;
  for (int page = 0; page < kMaxPages; ++page) {
    std::string url = path + (path.find('?') == std::string::npos ? "?" : "&") + "limit=" + std::to_string(kPageSize);
    if (!next.empty()) url += "&continue=" + query_encode(next);
    auto list = client.request_json({.method = "GET", .path = url});
    for (auto& event : list.value("items", Json::array())) keep(event);
    next = list.value("metadata", Json::object()).value("continue", "");
    if (next.empty()) break;
  }
}

std::string event_time(const Json& event) {
  for (const char* field : {"lastTimestamp", "eventTime", "firstTimestamp"}) {
    if (auto it = event.find(field); it != event.end() && it->is_string() && !it->get<std::string>().empty()) {
      return it->get<std::string>();
    }
  }
  return event.value("metadata", Json::object()).value("creationTimestamp", "");
}

}  // namespace

Json Controller::events(const std::string& name) const {
  auto& impl = *impl_;
  const Json tree = impl.tree_of(name);
  Application app;
  {
    std::lock_guard lock(impl.mutex);
    auto it = impl.apps.find(name);
    if (it == impl.apps.end()) throw ApplicationNotFound("application " + name + " not found");
    app = it->second->app;
  }
  std::set<std::string> uids;
  std::set<std::tuple<std::string, std::string, std::string>> names;  // kind, namespace, name of uid-less nodes
  std::set<std::string> namespaces{app.target_namespace()};
  for (const auto& node : tree["nodes"]) {
    if (!node.value("uid", "").empty()) uids.insert(node.value("uid", ""));
    names.emplace(node.value("kind", ""), node.value("namespace", ""), node.value("name", ""));
    if (!node.value("namespace", "").empty()) namespaces.insert(node.value("namespace", ""));
  }

  std::vector<Json> events;
  std::set<std::string> seen;  // namespace/name of the events taken
  const auto take = [&](Json& event) {
    const auto& metadata = event.value("metadata", Json::object());
    if (!seen.insert(metadata.value("namespace", "") + "/" + metadata.value("name", "")).second) return;
    events.push_back(std::move(event));
  };
  for (const auto& ns : namespaces) {
    if (ns.empty()) continue;
    list_events(impl.client, "/api/v1/namespaces/" + ns + "/events", [&](Json& event) {
      const auto involved = event.value("involvedObject", Json::object());
      const std::string uid = involved.value("uid", "");
      const bool ours = uid.empty() ? names.count({involved.value("kind", ""), involved.value("namespace", ""),
                                                   involved.value("name", "")}) != 0
                                    : uids.count(uid) != 0;
      if (ours) take(event);
    });
  }
  // The Application's own events, where the Application is a custom resource.
  if (app.origin == ApplicationOrigin::Cluster && !app.ns.empty()) {
    const std::string selector = "involvedObject.kind=Application,involvedObject.name=" + app.name;
    list_events(impl.client, "/api/v1/namespaces/" + app.ns + "/events?fieldSelector=" + query_encode(selector),
                [&](Json& event) { take(event); });
  }
  std::stable_sort(events.begin(), events.end(),
                   [](const Json& a, const Json& b) { return event_time(a) < event_time(b); });
  if (events.size() > kMaxEvents) events.erase(events.begin(), events.end() - kMaxEvents);
  Json items = Json::array();
  for (auto& event : events) items.push_back(std::move(event));
  return {{"items", std::move(items)}};
}

}  // namespace gitmoor::engine
