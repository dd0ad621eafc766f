#include "events.hpp"

#include "timestamps.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>

namespace gitmoor::sandbox {

namespace {

// kube names an Event `<object name>.<nanoseconds since the epoch, hex>`.
std::string event_name(const std::string& object_name) {
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                std::chrono::system_clock::now().time_since_epoch())
                .count();
  char hex[32];
  std::snprintf(hex, sizeof hex, "%llx", static_cast<unsigned long long>(ns));
  return object_name + "." + hex;
}

// kube's MicroTime: RFC 3339 with microseconds.
std::string now_micro() { return format_rfc3339(std::chrono::system_clock::now(), 6); }

bool same_report(const Json& event, const Json& involved, const EventReport& report) {
  const Json& io = event.value("involvedObject", Json::object());
  return io.value("uid", "") == involved.value("uid", "") && io.value("name", "") == involved.value("name", "") &&
         io.value("fieldPath", "") == report.field_path && event.value("reason", "") == report.reason &&
         event.value("message", "") == report.message && event.value("type", "") == report.type;
}

}  // namespace

Json record_event(Cluster& cluster, const Json& object, const EventReport& report) {
  const Json& md = object["metadata"];
  std::string object_ns = md.value("namespace", "");
  std::string ns = object_ns.empty() ? "default" : object_ns;
  Json involved{{"kind", object.value("kind", "")},
                {"apiVersion", object.value("apiVersion", "")},
                {"name", md.value("name", "")},
                {"uid", md.value("uid", "")},
                {"resourceVersion", md.value("resourceVersion", "")}};
  if (!object_ns.empty()) involved["namespace"] = object_ns;
  if (!report.field_path.empty()) involved["fieldPath"] = report.field_path;
  const ResourceType* events = cluster.registry.find_by_id("events");
  if (!events) return Json();
  std::string now = now_rfc3339();

  // A repeat of a report already recorded: one Event with a count, as kube's EventCorrelator aggregates them.
  std::string next_key;
  std::size_t remaining = 0;
  auto same = cluster.store.list(
      "events", ns, "", 1, [&](const Json& e) { return same_report(e, involved, report); }, next_key, remaining);
  if (!same.empty()) {
    Json after = *same.front();
    if (report.new_api) {
      // events.k8s.io's recorder counts repeats in a series.
      Json series = after.value("series", Json::object());
      series["count"] = series.value("count", 1) + 1;
      series["lastObservedTime"] = now_micro();
      after["series"] = series;
    } else {
      after["count"] = after.value("count", 1) + 1;
      after["lastTimestamp"] = now;
    }
    after["involvedObject"]["resourceVersion"] = involved["resourceVersion"];
    const Json& emd = (*same.front())["metadata"];
    return cluster.commit(*events, ns, emd.value("name", ""), same.front(), std::move(after),
                          {.manager = report.component}, true);
  }
  Json event{{"apiVersion", "v1"},
             {"kind", "Event"},
             {"metadata", {{"name", event_name(md.value("name", "object"))}, {"namespace", ns}}},
             {"involvedObject", involved},
             {"reason", report.reason},
             {"message", report.message},
             {"type", report.type},
             {"source", {{"component", report.component}}},
             {"firstTimestamp", now},
             {"lastTimestamp", now},
             {"count", 1},
             {"eventTime", nullptr},
             {"reportingComponent", report.component},
             {"reportingInstance", report.host}};
  if (!report.host.empty()) event["source"]["host"] = report.host;
  if (report.new_api) {
    event["source"] = Json::object();
    event["firstTimestamp"] = nullptr;
    event["lastTimestamp"] = nullptr;
    event.erase("count");
    event["eventTime"] = now_micro();
    event["reportingInstance"] = report.component + (report.host.empty() ? "" : "-" + report.host);
  }
  if (!report.action.empty()) event["action"] = report.action;
  return cluster.create(*events, ns, std::move(event), {.manager = report.component});
}

}  // namespace gitmoor::sandbox
