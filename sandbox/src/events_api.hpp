#pragma once
// Events in two shapes over one storage, as kube serves them: core/v1 `events` is the storage, and events.k8s.io/v1
// `events` reads and writes the same objects converted (involvedObject ↔ regarding, message ↔ note, source ↔
// deprecatedSource, count ↔ deprecatedCount, first/lastTimestamp ↔ deprecatedFirst/LastTimestamp,
// reportingComponent ↔ reportingController). A request under /apis/events.k8s.io/v1 is translated into the core
// request and its answer (object, list, Table rows, watch stream, Status) translated back.
// Also kube's field labels for Events.
#include <functional>
#include <string_view>

#include <nlohmann/json.hpp>

#include "gitmoor/sandbox/api_server.hpp"
#include "selectors.hpp"

namespace gitmoor::sandbox {

using Json = nlohmann::json;

Json core_event_to_v1(const Json& event);
Json v1_event_to_core(const Json& event);

// Serves a request under /apis/events.k8s.io/v1 through `core`, which handles a request as the API server does.
Response serve_events_v1(const Request& request, const std::function<Response(const Request&)>& core);

// A fieldSelector on core/v1 Events: kube's field labels only (involvedObject.{kind,namespace,name,uid,apiVersion,
// resourceVersion,fieldPath}, reason, reportingComponent, source, type, metadata.{name,namespace}); `source` is
// source.component. Anything else is 400 `field label not supported: X`.
FieldSelector event_field_selector(std::string_view text);

}  // namespace gitmoor::sandbox
