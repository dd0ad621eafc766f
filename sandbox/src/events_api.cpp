#include "events_api.hpp"

#include <array>
#include <utility>

#include "body.hpp"
#include "patch.hpp"
#include "registry.hpp"
#include "router.hpp"
#include "status.hpp"

namespace gitmoor::sandbox {

namespace {

// core/v1 field → events.k8s.io/v1 field (pkg/apis/events/v1/conversion.go); the others keep their names.
constexpr std::array<std::pair<const char*, const char*>, 7> kRenamed = {{
    {"involvedObject", "regarding"},
    {"message", "note"},
    {"reportingComponent", "reportingController"},
    {"source", "deprecatedSource"},
    {"firstTimestamp", "deprecatedFirstTimestamp"},
    {"lastTimestamp", "deprecatedLastTimestamp"},
    {"count", "deprecatedCount"},
}};

const char* kV1Prefix = "/apis/events.k8s.io/v1";
const char* kCorePrefix = "/api/v1";

Json rename(const Json& event, bool to_v1, const char* api_version) {
  if (!event.is_object()) return event;
  Json out = Json::object();
  for (const auto& [key, value] : event.items()) {
    std::string name = key;
    for (const auto& [core, v1] : kRenamed) {
      if (key == (to_v1 ? core : v1)) name = to_v1 ? v1 : core;
    }
    out[name] = value;
  }
  out["apiVersion"] = api_version;
  return out;
}

// The field labels kube converts for events.k8s.io/v1 Events (regarding.* is the storage's involvedObject.*).
std::string core_field_label(const std::string& label) {
  if (label.rfind("regarding.", 0) == 0) return "involvedObject." + label.substr(10);
  if (label == "reportingController") return "reportingComponent";
  return label;
}

std::string url_encode(const std::string& text) {
  static const char* digits = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += digits[c >> 4];
      out += digits[c & 15];
    }
  }
  return out;
}

// The events.k8s.io fieldSelector in the storage's labels.
std::string core_field_selector(const std::string& text) {
  std::string out;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto comma = text.find(',', start);
    std::string part = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    auto op = part.find_first_of("!=");
    if (op != std::string::npos) part = core_field_label(part.substr(0, op)) + part.substr(op);
    out += (out.empty() ? "" : ",") + part;
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

// /apis/events.k8s.io/v1/...?q → /api/v1/...?q, with the fieldSelector's labels converted.
std::string core_target(const std::string& target) {
  auto q = target.find('?');
  std::string path = target.substr(0, q);
  path = kCorePrefix + path.substr(std::string(kV1Prefix).size());
  if (q == std::string::npos) return path;
  std::string query;
  std::string raw = target.substr(q + 1);
  std::size_t start = 0;
  while (start <= raw.size()) {
    auto amp = raw.find('&', start);
    std::string pair = raw.substr(start, amp == std::string::npos ? std::string::npos : amp - start);
    auto eq = pair.find('=');
    if (eq != std::string::npos && url_decode(pair.substr(0, eq)) == "fieldSelector") {
      pair = "fieldSelector=" + url_encode(core_field_selector(url_decode(pair.substr(eq + 1))));
    }
    if (!pair.empty()) query += (query.empty() ? "" : "&") + pair;
    if (amp == std::string::npos) break;
    start = amp + 1;
  }
  return query.empty() ? path : path + "?" + query;
}

std::string media_type(const Request& request) {
  std::string t = request.header("content-type");
  t = t.substr(0, t.find(';'));
  while (!t.empty() && t.back() == ' ') t.pop_back();
  return t;
}

const ResourceType& v1_type() {
  static const ResourceType type = [] {
    ResourceType t;
    t.group = "events.k8s.io";
    t.versions = {"v1"};
    t.plural = "events";
    t.singular = "event";
    t.kind = "Event";
    return t;
  }();
  return type;
}

// An answer of the core handler, in events.k8s.io/v1.
Json present(Json body) {
  std::string kind = body.value("kind", "");
  if (kind == "Event") return core_event_to_v1(body);
  if (kind == "EventList") {
    body["apiVersion"] = "events.k8s.io/v1";
    for (auto& item : body["items"]) item = core_event_to_v1(item);
    return body;
  }
  if (kind == "Table") {
    for (auto& row : body["rows"]) {
      if (row.is_object() && row.contains("object") && row["object"].value("kind", "") == "Event") {
        row["object"] = core_event_to_v1(row["object"]);
      }
    }
    return body;
  }
  if (kind == "Status" && body.contains("details") && body["details"].is_object() &&
      body["details"].value("kind", "") == "events") {
    body["details"]["group"] = "events.k8s.io";
    std::string message = body.value("message", "");
    if (message.rfind("events \"", 0) == 0) body["message"] = "events.events.k8s.io" + message.substr(6);
  }
  return body;
}

// Watch lines (`{"type":...,"object":...}\n`, possibly several) with their objects converted.
class ConvertedWatch : public WatchStream {
 public:
  explicit ConvertedWatch(std::shared_ptr<WatchStream> inner) : inner_(std::move(inner)) {}
  Next next(std::string& line, std::chrono::milliseconds wait) override {
    Next n = inner_->next(line, wait);
    if (n != Next::Data) return n;
    std::string out;
    std::size_t start = 0;
    while (start < line.size()) {
      auto nl = line.find('\n', start);
      std::string one = line.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
      Json event = Json::parse(one, nullptr, false);
      if (!event.is_discarded() && event.is_object() && event.contains("object") &&
          event.value("type", "") != "ERROR") {
        event["object"] = event["object"].value("kind", "") == "Event" ? core_event_to_v1(event["object"])
                                                                       : event["object"];
        one = event.dump();
      }
      out += one + "\n";
      if (nl == std::string::npos) break;
      start = nl + 1;
    }
    line = std::move(out);
    return n;
  }
  void cancel() override { inner_->cancel(); }

 private:
  std::shared_ptr<WatchStream> inner_;
};

Response convert(Response r) {
  if (r.watch) {
    r.watch = std::make_shared<ConvertedWatch>(r.watch);
    return r;
  }
  if (r.content_type.rfind("application/json", 0) != 0 || r.body.empty()) return r;
  Json body = Json::parse(r.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) return r;
  r.body = present(std::move(body)).dump();
  return r;
}

Response error(const ApiError& e) {
  Response r;
  r.status = e.code();
  r.body = e.status().dump();
  return r;
}

}  // namespace

Json core_event_to_v1(const Json& event) { return rename(event, true, "events.k8s.io/v1"); }

Json v1_event_to_core(const Json& event) { return rename(event, false, "v1"); }

Response serve_events_v1(const Request& request, const std::function<Response(const Request&)>& core) {
  Request inner = request;
  inner.target = core_target(request.target);
  try {
    std::string media = media_type(request);
    if (request.method == "POST" || request.method == "PUT") {
      Json body = parse_body(request.body, media, v1_type(), "events.k8s.io/v1");
      inner.body = v1_event_to_core(body).dump();
      inner.headers["content-type"] = "application/json";
      return convert(core(inner));
    }
    if (request.method == "PATCH" && (media == "application/apply-patch+yaml" || media == "application/apply-patch+cbor")) {
      Json applied = parse_body(request.body, media, v1_type(), "events.k8s.io/v1");
      inner.body = v1_event_to_core(applied).dump();
      inner.headers["content-type"] = "application/apply-patch+yaml";  // JSON is YAML
      return convert(core(inner));
    }
    if (request.method == "PATCH") {
      // Patch the object in its events.k8s.io shape: read it, patch, write the result back as an update.
      Json patch = Json::parse(request.body, nullptr, false);
      if (patch.is_discarded()) throw bad_request("error decoding patch: invalid JSON");
      Request get = inner;
      get.method = "GET";
      get.body.clear();
      get.target = inner.target.substr(0, inner.target.find('?'));
      Response current = core(get);
      if (current.status != 200) return convert(current);
      Json object = core_event_to_v1(Json::parse(current.body));
      Json patched;
      if (media == "application/merge-patch+json") {
        patched = merge_patch(object, patch);
      } else if (media == "application/strategic-merge-patch+json") {
        patched = strategic_merge_patch(object, patch, true);
      } else if (media == "application/json-patch+json") {
        patched = json_patch(object, patch);
      } else {
        throw ApiError(415, "UnsupportedMediaType",
                       "the body of the request was in an unknown format - accepted media types include: "
                       "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, "
                       "application/strategic-merge-patch+json");
      }
      bool precondition = patch.is_object() && patch.contains("metadata") && patch["metadata"].is_object() &&
                          patch["metadata"].contains("resourceVersion");
      if (!precondition && patched.is_object() && patched["metadata"].is_object()) {
        patched["metadata"].erase("resourceVersion");
      }
      Request put = inner;
      put.method = "PUT";
      put.body = v1_event_to_core(patched).dump();
      put.headers["content-type"] = "application/json";
      return convert(core(put));
    }
    return convert(core(inner));
  } catch (const ApiError& e) {
    return error(e);
  }
}

FieldSelector event_field_selector(std::string_view text) {
  static const std::array<const char*, 13> kLabels = {
      "involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid",
      "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath", "reason",
      "reportingComponent", "source", "type", "metadata.namespace", "metadata.name"};
  FieldSelector selector = FieldSelector::parse(text);
  for (const auto& label : selector.paths()) {
    bool known = false;
    for (const char* l : kLabels) known = known || label == l;
    if (!known) throw bad_request("field label not supported: " + label);
  }
  selector.rename("source", "source.component");
  return selector;
}

}  // namespace gitmoor::sandbox
