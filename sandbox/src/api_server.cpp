// The request handler: authentication, routing, discovery, and the verbs on resources. Thin adapters around
// Cluster (the state and its writes); no socket I/O here.
#include "gitmoor/sandbox/api_server.hpp"

#include <algorithm>
#include <optional>
#include <thread>

#include "auth_api.hpp"
#include "cluster.hpp"
#include "cluster_defaults.hpp"
#include "controllers.hpp"
#include "events_api.hpp"
#include "faults.hpp"
#include "logs.hpp"
#include "metrics_api.hpp"
#include "patch.hpp"
#include "printers.hpp"
#include "router.hpp"
#include "selectors.hpp"
#include "status.hpp"
#include "body.hpp"
#include "usage.hpp"

namespace gitmoor::sandbox {

std::string Request::header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? std::string() : it->second;
}

namespace {

Response json_response(int status, const Json& body) {
  Response r;
  r.status = status;
  r.body = body.dump();
  return r;
}

Response error_response(const ApiError& e) {
  Response r = json_response(e.code(), e.status());
  if (!e.retry_after.empty()) r.headers.emplace_back("Retry-After", e.retry_after);
  return r;
}

std::string hex_encode(const std::string& s) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

std::string hex_decode(const std::string& s) {
  if (s.size() % 2 != 0) throw bad_request("continue key is not valid: malformed");
  std::string out;
  for (std::size_t i = 0; i < s.size(); i += 2) {
    auto v = [&](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      throw bad_request("continue key is not valid: malformed");
    };
    out += static_cast<char>(v(s[i]) * 16 + v(s[i + 1]));
  }
  return out;
}

std::string media_type(const std::string& content_type) {
  std::string t = content_type.substr(0, content_type.find(';'));
  while (!t.empty() && t.back() == ' ') t.pop_back();
  std::transform(t.begin(), t.end(), t.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return t;
}

bool query_flag(const std::map<std::string, std::string>& q, const char* key) {
  auto it = q.find(key);
  return it != q.end() && (it->second == "true" || it->second == "1" || it->second.empty());
}

std::string query_value(const std::map<std::string, std::string>& q, const char* key) {
  auto it = q.find(key);
  return it == q.end() ? std::string() : it->second;
}

std::string selector_string(const Json& selector) {
  if (selector.is_string()) return selector;
  std::string out;
  if (!selector.is_object()) return out;
  if (auto ml = selector.find("matchLabels"); ml != selector.end() && ml->is_object()) {
    for (const auto& [k, v] : ml->items()) out += (out.empty() ? "" : ",") + k + "=" + (v.is_string() ? v.get<std::string>() : v.dump());
  }
  if (auto me = selector.find("matchExpressions"); me != selector.end() && me->is_array()) {
    for (const auto& e : *me) {
      if (!e.is_object()) continue;
      std::string op = e.value("operator", "");
      std::string key = e.value("key", "");
      std::string values;
      for (const auto& v : e.value("values", Json::array())) values += (values.empty() ? "" : ",") + v.get<std::string>();
      std::string part;
      if (op == "In") part = key + " in (" + values + ")";
      else if (op == "NotIn") part = key + " notin (" + values + ")";
      else if (op == "Exists") part = key;
      else if (op == "DoesNotExist") part = "!" + key;
      if (!part.empty()) out += (out.empty() ? "" : ",") + part;
    }
  }
  return out;
}

// kube checks field labels per resource; Events have their own (events_api.hpp), the rest match any dotted path.
FieldSelector field_selector(const ResourceType& type, const Target& target) {
  std::string text = query_value(target.query, "fieldSelector");
  return type.id() == "events" ? event_field_selector(text) : FieldSelector::parse(text);
}

const Json* json_path(const Json& object, const std::string& path) {
  const Json* node = &object;
  std::size_t start = 0;
  while (start <= path.size()) {
    auto dot = path.find('.', start);
    std::string key = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (!node->is_object() || !node->contains(key)) return nullptr;
    node = &(*node)[key];
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return node;
}

Json scale_of(const ResourceType& type, const Json& object) {
  const Json& md = object["metadata"];
  Json scale{{"apiVersion", "autoscaling/v1"},
             {"kind", "Scale"},
             {"metadata",
              {{"name", md.value("name", "")},
               {"namespace", md.value("namespace", "")},
               {"uid", md.value("uid", "")},
               {"resourceVersion", md.value("resourceVersion", "")},
               {"creationTimestamp", md.value("creationTimestamp", "")}}}};
  const Json* spec_replicas = json_path(object, type.spec_replicas_path);
  const Json* status_replicas = json_path(object, type.status_replicas_path);
  scale["spec"] = {{"replicas", spec_replicas ? *spec_replicas : Json(0)}};
  scale["status"] = {{"replicas", status_replicas ? *status_replicas : Json(0)}};
  std::string selector;
  if (type.custom) {
    const Json* s = json_path(object, type.label_selector_path);
    if (s && s->is_string()) selector = *s;
  } else if (object.contains("spec") && object["spec"].is_object()) {
    selector = selector_string(object["spec"].value("selector", Json()));
  }
  if (!selector.empty()) scale["status"]["selector"] = selector;
  return scale;
}

// A watch stream over a Store watcher, with bookmarks and a deadline.
class StoreWatchStream : public WatchStream {
 public:
  StoreWatchStream(Cluster& cluster, std::shared_ptr<Watcher> watcher, std::chrono::steady_clock::time_point deadline,
                   bool bookmarks, std::chrono::milliseconds bookmark_interval)
      : cluster_(cluster),
        watcher_(std::move(watcher)),
        deadline_(deadline),
        bookmarks_(bookmarks),
        bookmark_interval_(bookmark_interval),
        last_sent_(std::chrono::steady_clock::now()) {}
  ~StoreWatchStream() override { cancel(); }

  Next next(std::string& line, std::chrono::milliseconds wait) override {
    auto now = std::chrono::steady_clock::now();
    if (now >= deadline_) {
      cancel();
      return Next::End;
    }
    auto until_deadline = std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - now);
    if (auto l = watcher_->pop(std::min(wait, until_deadline))) {
      line = std::move(*l);
      last_sent_ = std::chrono::steady_clock::now();
      return Next::Data;
    }
    if (watcher_->closed()) return Next::End;
    now = std::chrono::steady_clock::now();
    if (bookmarks_ && now - last_sent_ >= bookmark_interval_) {
      Json bookmark{{"type", "BOOKMARK"},
                    {"object",
                     {{"kind", watcher_->kind},
                      {"apiVersion", watcher_->api_version},
                      {"metadata", {{"resourceVersion", std::to_string(watcher_->last_rv())}}}}}};
      line = bookmark.dump() + "\n";
      last_sent_ = now;
      return Next::Data;
    }
    return Next::Idle;
  }

  void cancel() override {
    if (cancelled_.exchange(true)) return;
    watcher_->close();
    std::lock_guard lock(cluster_.store.mutex());
    cluster_.store.unwatch(watcher_);
  }

 private:
  Cluster& cluster_;
  std::shared_ptr<Watcher> watcher_;
  std::chrono::steady_clock::time_point deadline_;
  bool bookmarks_;
  std::chrono::milliseconds bookmark_interval_;
  std::chrono::steady_clock::time_point last_sent_;
  std::atomic<bool> cancelled_{false};
};

// A watch that says one thing (an ERROR event) and ends.
class OneLineStream : public WatchStream {
 public:
  explicit OneLineStream(std::string line) : line_(std::move(line)) {}
  Next next(std::string& line, std::chrono::milliseconds) override {
    if (done_) return Next::End;
    done_ = true;
    line = line_;
    return Next::Data;
  }
  void cancel() override { done_ = true; }

 private:
  std::string line_;
  bool done_ = false;
};

}  // namespace

struct ApiServer::Impl {
  explicit Impl(ApiOptions opts) : options(std::move(opts)), cluster(options.event_history) {
    std::lock_guard lock(cluster.store.mutex());
    const ResourceType* ns_type = cluster.registry.find_by_id("namespaces");
    for (const char* ns : {"default", "kube-system", "kube-public", "kube-node-lease"}) {
      cluster.create(*ns_type, "", Json{{"metadata", {{"name", ns}}}}, {.manager = "kube-apiserver"});
    }
    install_cluster_defaults(cluster);
    create_bootstrap_policy(cluster);
    register_metrics_types(cluster.registry);
    install_metrics_api_service(cluster);
  }

  ApiOptions options;
  Cluster cluster;
  TokenIssuer tokens;
  Authorizer authorizer{cluster, options.authorization};
  Faults faults;
  Usage usage;  // the Pods' simulated usage: metrics.k8s.io and the HPA controller read it, /sandbox/load sets it
  std::unique_ptr<Controllers> controllers;

  Response handle(const Request& request);
  Response handle_admin(const Request& request, const Target& target);
  Response handle_resource(const Request& request, const Target& target, std::string& verb, std::string& resource);
  Response list(const ResourceType& type, const Target& target, const std::string& ns,
                std::optional<IncludeObject> table);
  Response watch(const ResourceType& type, const Target& target, const std::string& ns,
                 std::optional<IncludeObject> table);
  // kube-apiserver's printer for a type (a custom type's CRD columns); call with the store mutex held.
  TablePrinter printer(const ResourceType& type, const std::string& version);
  Response patch(const ResourceType& type, const Target& target, const ResourcePath& path, const Request& request,
                 const WriteOptions& write);
  Response remove(const ResourceType& type, const Target& target, const ResourcePath& path, const Request& request);
  Response remove_collection(const ResourceType& type, const Target& target, const std::string& ns,
                             const Request& request);
};

Response ApiServer::Impl::handle(const Request& request) {
  Target target = parse_target(request.target);
  using K = Target::Kind;
  auto healthy = [] {
    Response r;
    r.content_type = "text/plain; charset=utf-8";
    r.body = "ok";
    return r;
  };
  // Without RBAC health needs no credentials; with it, anyone passes through system:public-info-viewer, as on kube.
  if (target.kind == K::Health && options.authorization == Authorization::AlwaysAllow) return healthy();
  AuthContext auth{options, cluster, tokens, authorizer};
  UserInfo user = authorize_request(request, target, auth);  // 401 / 403 as ApiError
  if (target.kind == K::Health) return healthy();
  if (auto served = serve_auth_api(request, target, user, auth)) return json_response(served->first, served->second);
  switch (target.kind) {
    case K::Version:
      return json_response(200, {{"major", "1"},
                                 {"minor", "35"},
                                 {"emulationMajor", "1"},
                                 {"emulationMinor", "35"},
                                 {"minCompatibilityMajor", "1"},
                                 {"minCompatibilityMinor", "34"},
                                 {"gitVersion", "v1.35.0"},
                                 {"gitCommit", "gitmoor-sandbox"},
                                 {"gitTreeState", "clean"},
                                 {"buildDate", "2026-01-01T00:00:00Z"},
                                 {"goVersion", "go1.25.0"},
                                 {"compiler", "gc"},
                                 {"platform", "linux/amd64"}});
    case K::OpenApiV2: {
      // An empty protobuf document: enough for kubectl apply's validation, which then knows no schemas.
      Response r;
      r.content_type = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";
      return r;
    }
    case K::ApiRoot: {
      std::lock_guard lock(cluster.store.mutex());
      return json_response(200, cluster.registry.api_versions());
    }
    case K::ApisRoot: {
      std::lock_guard lock(cluster.store.mutex());
      return json_response(200, cluster.registry.api_group_list());
    }
    case K::ApiGroup: {
      std::lock_guard lock(cluster.store.mutex());
      if (auto g = cluster.registry.api_group(target.group)) return json_response(200, *g);
      break;
    }
    case K::GroupVersion: {
      std::lock_guard lock(cluster.store.mutex());
      if (auto l = cluster.registry.resource_list(target.group, target.version)) return json_response(200, *l);
      break;
    }
    case K::Admin:
      return handle_admin(request, target);
    case K::Resource: {
      // events.k8s.io/v1 is a second shape of the core/v1 Event storage.
      if (target.group == "events.k8s.io") {
        return serve_events_v1(request, [this](const Request& r) { return handle(r); });
      }
      std::string verb;
      std::string resource;
      Response r;
      try {
        r = handle_resource(request, target, verb, resource);
      } catch (const ApiError& e) {
        r = error_response(e);
      }
      if (!verb.empty()) faults.count(verb, resource, r.status);
      return r;
    }
    default:
      break;
  }
  return json_response(404, ApiError(404, "NotFound", "the server could not find the requested resource",
                                     Json::object())
                                 .status());
}

Response ApiServer::Impl::handle_admin(const Request& request, const Target& target) {
  std::string path;
  for (const auto& s : target.rest) path += "/" + s;
  if (path == "/faults") {
    if (request.method == "GET") return json_response(200, {{"rules", faults.rules()}});
    if (request.method == "DELETE") {
      faults.clear();
      return json_response(200, {{"rules", Json::array()}});
    }
    if (request.method == "POST") {
      Json body = Json::parse(request.body, nullptr, false);
      if (body.is_discarded() || (!body.is_object() && !body.is_array())) {
        return error_response(bad_request("fault rules must be a JSON object or array"));
      }
      if (body.is_object()) body = Json::array({body});
      for (const auto& r : body) faults.add(FaultRule::from_json(r));
      return json_response(200, {{"rules", faults.rules()}});
    }
  } else if (path == "/counters") {
    if (request.method == "DELETE") {
      faults.reset_counters();
      return json_response(200, {{"counters", Json::array()}});
    }
    if (request.method == "GET") {
      Json list = Json::array();
      for (const auto& c : faults.counters()) {
        list.push_back({{"verb", c.verb}, {"resource", c.resource}, {"code", c.code}, {"count", c.count}});
      }
      return json_response(200, {{"counters", list}});
    }
  } else if (path == "/clock") {
    return json_response(200, token_clock(request, tokens));
  } else if (path == "/load") {
    if (request.method == "GET") return json_response(200, {{"rules", usage.rules_json()}});
    if (request.method == "DELETE") {
      usage.clear();
      return json_response(200, {{"rules", Json::array()}});
    }
    if (request.method == "POST") {
      Json body = Json::parse(request.body, nullptr, false);
      if (body.is_discarded()) return error_response(bad_request("a load rule must be a JSON object"));
      try {
        usage.set(LoadRule::from_json(body));
      } catch (const ApiError& e) {
        return error_response(e);
      }
      return json_response(200, {{"rules", usage.rules_json()}});
    }
  } else if (path == "/watches/close" && request.method == "POST") {
    std::lock_guard lock(cluster.store.mutex());
    cluster.store.close_watches();
    return json_response(200, success_status());
  } else if (path == "/watches/expire" && request.method == "POST") {
    std::lock_guard lock(cluster.store.mutex());
    cluster.store.expire_history();
    cluster.store.close_watches();
    return json_response(200, success_status());
  }
  return error_response(ApiError(404, "NotFound", "the server could not find the requested resource"));
}

Response ApiServer::Impl::handle_resource(const Request& request, const Target& target, std::string& verb,
                                          std::string& resource) {
  ResourcePath path;
  const ResourceType* type = nullptr;
  {
    std::lock_guard lock(cluster.store.mutex());
    bool ok = split_resource_path(
        target.rest,
        [&](const std::string& plural) {
          const ResourceType* t = cluster.registry.find(target.group, target.version, plural);
          return t && t->namespaced;
        },
        path);
    if (ok) type = cluster.registry.find(target.group, target.version, path.resource);
    if (type) {
      // Copy: a CRD deletion may drop the registry entry while this request runs.
      static thread_local ResourceType copy;
      copy = *type;
      type = &copy;
    }
  }
  if (!type) throw ApiError(404, "NotFound", "the server could not find the requested resource", Json::object());
  if (!type->namespaced && !path.ns.empty()) {
    throw ApiError(404, "NotFound", "the server could not find the requested resource", Json::object());
  }
  const std::string& method = request.method;
  bool is_watch = target.watch_prefix || query_flag(target.query, "watch");
  if (method == "GET") {
    verb = path.name.empty() ? (is_watch ? "watch" : "list") : (is_watch ? "watch" : "get");
  } else if (method == "POST") {
    verb = "create";
  } else if (method == "PUT") {
    verb = "update";
  } else if (method == "PATCH") {
    verb = "patch";
  } else if (method == "DELETE") {
    verb = path.name.empty() ? "deletecollection" : "delete";
  } else {
    throw ApiError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource");
  }
  resource = type->id() + (path.subresource.empty() ? "" : "/" + path.subresource);
  if (!path.subresource.empty()) {
    bool known = (path.subresource == "status" && type->status_subresource) ||
                 (path.subresource == "scale" && type->scale_subresource) ||
                 (path.subresource == "log" && type->kind == "Pod" && method == "GET");
    if (!known || path.name.empty()) {
      throw ApiError(404, "NotFound", "the server could not find the requested resource", Json::object());
    }
  }
  if (auto fault = faults.check(verb, type->id())) {
    if (fault->latency.count() > 0) std::this_thread::sleep_for(fault->latency);
    if (fault->code != 0) {
      std::string reason = fault->code == 429   ? "TooManyRequests"
                           : fault->code == 503 ? "ServiceUnavailable"
                           : fault->code == 409 ? "Conflict"
                           : fault->code == 404 ? "NotFound"
                           : fault->code == 410 ? "Expired"
                                                : "InternalError";
      ApiError e(fault->code, reason, "fault injected by the sandbox for " + verb + " " + type->id());
      if (fault->code == 429 || fault->code == 503) e.retry_after = std::to_string(fault->retry_after_seconds);
      throw e;
    }
  }
  if (type->namespaced && path.ns.empty() && !path.name.empty()) {
    throw ApiError(404, "NotFound", "the server could not find the requested resource", Json::object());
  }
  if (type->group == kMetricsGroup) {
    std::lock_guard lock(cluster.store.mutex());
    return json_response(200, serve_metrics(cluster, usage, type->plural, verb, path.ns, path.name, target.query));
  }

  WriteOptions write;
  write.manager = query_value(target.query, "fieldManager");
  if (write.manager.empty()) {
    std::string agent = request.header("user-agent");
    write.manager = agent.substr(0, agent.find('/'));
    if (write.manager.empty()) write.manager = "unknown";
  }
  write.subresource = path.subresource;
  write.dry_run = query_value(target.query, "dryRun") == "All";
  write.api_version = type->api_version(target.version);

  if (method == "GET") {
    // kubectl get asks for a Table; only then is any printing done.
    std::optional<IncludeObject> table;
    if (path.subresource.empty() && accepts_table(request.header("accept"))) {
      table = parse_include_object(query_value(target.query, "includeObject"));
    }
    if (path.name.empty()) {
      return is_watch ? watch(*type, target, path.ns, table) : list(*type, target, path.ns, table);
    }
    if (is_watch) {
      Target t = target;
      t.query["fieldSelector"] = "metadata.name=" + path.name;
      return watch(*type, t, path.ns, table);
    }
    if (path.subresource == "log") return pod_log(cluster, path.ns, path.name, target.query);
    std::lock_guard lock(cluster.store.mutex());
    ObjectPtr obj = cluster.get(*type, path.ns, path.name);
    if (!obj) throw not_found(type->group, type->plural, path.name);
    if (path.subresource == "scale") return json_response(200, scale_of(*type, *obj));
    if (table) {
      TableOptions options{.include = *table, .api_version = write.api_version};
      Json metadata{{"resourceVersion", (*obj)["metadata"].value("resourceVersion", "")}};
      return json_response(200, make_table(printer(*type, target.version), {obj.get()}, std::move(metadata), options));
    }
    if (obj->value("apiVersion", "") != write.api_version) {
      Json copy = *obj;
      copy["apiVersion"] = write.api_version;
      return json_response(200, copy);
    }
    Response r;
    r.body = obj->dump();
    return r;
  }
  if (method == "POST") {
    if (!path.name.empty() || !path.subresource.empty()) {
      throw ApiError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource");
    }
    if (type->namespaced && path.ns.empty()) {
      throw ApiError(404, "NotFound", "the server could not find the requested resource", Json::object());
    }
    Json body = parse_body(request.body, media_type(request.header("content-type")), *type, write.api_version);
    std::lock_guard lock(cluster.store.mutex());
    return json_response(201, cluster.create(*type, path.ns, std::move(body), write));
  }
  if (method == "PUT") {
    if (path.name.empty()) {
      throw ApiError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource");
    }
    std::string content_type = media_type(request.header("content-type"));
    Json body = parse_body(request.body, content_type, *type,
                           path.subresource == "scale" ? "autoscaling/v1" : write.api_version);
    std::lock_guard lock(cluster.store.mutex());
    Json result = cluster.update(*type, path.ns, path.name, std::move(body), write);
    if (path.subresource == "scale") return json_response(200, scale_of(*type, result));
    return json_response(200, result);
  }
  if (method == "PATCH") {
    if (path.name.empty()) {
      throw ApiError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource");
    }
    return patch(*type, target, path, request, write);
  }
  if (path.name.empty()) return remove_collection(*type, target, path.ns, request);
  return remove(*type, target, path, request);
}

TablePrinter ApiServer::Impl::printer(const ResourceType& type, const std::string& version) {
  ObjectPtr crd;
  if (type.custom) crd = cluster.store.get({"customresourcedefinitions.apiextensions.k8s.io", "", type.crd_name});
  return printer_for(type, version, crd.get());
}

Response ApiServer::Impl::list(const ResourceType& type, const Target& target, const std::string& ns,
                               std::optional<IncludeObject> table) {
  LabelSelector labels = LabelSelector::parse(query_value(target.query, "labelSelector"));
  FieldSelector fields = field_selector(type, target);
  std::size_t limit = 0;
  if (auto l = query_value(target.query, "limit"); !l.empty()) {
    try {
      long long v = std::stoll(l);
      limit = v > 0 ? static_cast<std::size_t>(v) : 0;
    } catch (const std::exception&) {
      throw bad_request("invalid limit: " + l);
    }
  }
  std::string after;
  if (auto c = query_value(target.query, "continue"); !c.empty()) after = hex_decode(c);
  std::string api_version = type.api_version(target.version);
  std::string body = "{\"kind\":\"" + type.kind + "List\",\"apiVersion\":\"" + api_version + "\",\"metadata\":{";
  std::lock_guard lock(cluster.store.mutex());
  std::string next_key;
  std::size_t remaining = 0;
  auto items = cluster.store.list(
      type.id(), type.namespaced ? ns : "", after, limit,
      [&](const Json& o) {
        return (labels.empty() || labels.matches(o["metadata"].value("labels", Json::object()))) &&
               (fields.empty() || fields.matches(o));
      },
      next_key, remaining);
  if (table) {
    Json metadata{{"resourceVersion", std::to_string(cluster.store.current_rv())}};
    if (!next_key.empty()) {
      metadata["continue"] = hex_encode(next_key);
      metadata["remainingItemCount"] = remaining;
    }
    std::vector<const Json*> objects;
    objects.reserve(items.size());
    for (const auto& item : items) objects.push_back(item.get());
    TableOptions options{.include = *table, .api_version = api_version};
    return json_response(200, make_table(printer(type, target.version), objects, std::move(metadata), options));
  }
  body += "\"resourceVersion\":\"" + std::to_string(cluster.store.current_rv()) + "\"";
  if (!next_key.empty()) {
    body += ",\"continue\":\"" + hex_encode(next_key) + "\",\"remainingItemCount\":" + std::to_string(remaining);
  }
  body += "},\"items\":[";
  bool first = true;
  for (const auto& item : items) {
    if (!first) body += ',';
    first = false;
    if (type.custom && item->value("apiVersion", "") != api_version) {
      Json copy = *item;
      copy["apiVersion"] = api_version;
      body += copy.dump();
    } else {
      body += item->dump();
    }
  }
  body += "]}";
  Response r;
  r.body = std::move(body);
  return r;
}

Response ApiServer::Impl::watch(const ResourceType& type, const Target& target, const std::string& ns,
                                std::optional<IncludeObject> table) {
  auto watcher = std::make_shared<Watcher>();
  watcher->resource_id = type.id();
  watcher->ns = type.namespaced ? ns : "";
  watcher->labels = LabelSelector::parse(query_value(target.query, "labelSelector"));
  watcher->fields = field_selector(type, target);
  watcher->api_version = type.api_version(target.version);
  watcher->kind = type.kind;
  std::string rv_text = query_value(target.query, "resourceVersion");
  std::uint64_t rv = 0;
  if (!rv_text.empty()) {
    try {
      rv = std::stoull(rv_text);
    } catch (const std::exception&) {
      throw bad_request("resourceVersion: Invalid value: \"" + rv_text + "\": must be a valid resourceVersion");
    }
  }
  auto timeout = options.max_watch_timeout;
  if (auto t = query_value(target.query, "timeoutSeconds"); !t.empty()) {
    try {
      long long s = std::stoll(t);
      if (s > 0) timeout = std::min(timeout, std::chrono::seconds(s));
    } catch (const std::exception&) {
      throw bad_request("invalid timeoutSeconds: " + t);
    }
  }
  bool ok;
  {
    std::lock_guard lock(cluster.store.mutex());
    if (table) {
      watcher->encoder = TableEventEncoder(printer(type, target.version),
                                           TableOptions{.include = *table, .api_version = watcher->api_version});
    }
    ok = cluster.store.watch(watcher, rv, !rv_text.empty(), query_flag(target.query, "sendInitialEvents"));
  }
  Response r;
  if (!ok) {
    ApiError gone(410, "Expired",
                  "too old resource version: " + rv_text + " (" + std::to_string(cluster.store.oldest_resumable()) +
                      ")");
    Json event{{"type", "ERROR"}, {"object", gone.status()}};
    r.watch = std::make_shared<OneLineStream>(event.dump() + "\n");
    return r;
  }
  r.watch = std::make_shared<StoreWatchStream>(cluster, watcher, std::chrono::steady_clock::now() + timeout,
                                               query_flag(target.query, "allowWatchBookmarks"),
                                               options.bookmark_interval);
  return r;
}

Response ApiServer::Impl::patch(const ResourceType& type, const Target& target, const ResourcePath& path,
                                const Request& request, const WriteOptions& write) {
  std::string content_type = media_type(request.header("content-type"));
  if (content_type == "application/apply-patch+yaml" || content_type == "application/apply-patch+cbor") {
    if (query_value(target.query, "fieldManager").empty()) {
      throw invalid("meta.k8s.io", "PatchOptions", "",
                    {{"FieldValueRequired", "fieldManager",
                      "fieldManager: Required value: is required for apply patch", "is required for apply patch"}});
    }
    Json applied = parse_body(request.body, content_type, type, write.api_version);
    std::lock_guard lock(cluster.store.mutex());
    bool created = false;
    Json result = cluster.apply(type, path.ns, path.name, applied, write, query_flag(target.query, "force"), created);
    if (path.subresource == "scale") return json_response(200, scale_of(type, result));
    return json_response(created ? 201 : 200, result);
  }
  bool merge = content_type == "application/merge-patch+json";
  bool strategic = content_type == "application/strategic-merge-patch+json" && !type.custom;
  bool json_p = content_type == "application/json-patch+json";
  if (!merge && !strategic && !json_p) {
    throw ApiError(415, "UnsupportedMediaType",
                   "the body of the request was in an unknown format - accepted media types include: "
                   "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml" +
                       std::string(type.custom ? "" : ", application/strategic-merge-patch+json"));
  }
  Json patch_body = Json::parse(request.body, nullptr, false);
  if (patch_body.is_discarded()) throw bad_request("error decoding patch: invalid JSON");
  std::lock_guard lock(cluster.store.mutex());
  ObjectPtr obj = cluster.get(type, path.ns, path.name);
  if (!obj) throw not_found(type.group, type.plural, path.name);
  Json base = path.subresource == "scale" ? scale_of(type, *obj) : *obj;
  Json patched;
  if (merge) {
    if (!patch_body.is_object()) throw bad_request("merge patch must be a JSON object");
    patched = merge_patch(base, patch_body);
  } else if (strategic) {
    patched = strategic_merge_patch(base, patch_body, !type.custom);
  } else {
    patched = json_patch(base, patch_body);
  }
  if (path.subresource != "scale" && patched.is_object() && patched["metadata"].is_object() &&
      patch_body.is_object() &&
      !(patch_body.contains("metadata") && patch_body["metadata"].is_object() &&
        patch_body["metadata"].contains("resourceVersion"))) {
    patched["metadata"].erase("resourceVersion");  // only an explicit resourceVersion is a precondition
  }
  Json result = cluster.update(type, path.ns, path.name, std::move(patched), write);
  if (path.subresource == "scale") return json_response(200, scale_of(type, result));
  return json_response(200, result);
}

static DeleteOptions delete_options(const Target& target, const Request& request) {
  DeleteOptions options;
  Json body = request.body.empty() ? Json::object() : Json::parse(request.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) throw bad_request("invalid DeleteOptions body");
  std::string policy = body.value("propagationPolicy", query_value(target.query, "propagationPolicy"));
  if (policy == "Foreground") {
    options.propagation = Propagation::Foreground;
  } else if (policy == "Orphan") {
    options.propagation = Propagation::Orphan;
  } else if (policy.empty() || policy == "Background") {
    options.propagation = Propagation::Background;
  } else {
    throw bad_request("propagationPolicy: Unsupported value: \"" + policy +
                      "\": supported values: \"Foreground\", \"Background\", \"Orphan\"");
  }
  if (body.contains("orphanDependents") && body["orphanDependents"] == true) options.propagation = Propagation::Orphan;
  if (body.contains("dryRun") && body["dryRun"].is_array() && !body["dryRun"].empty()) options.dry_run = true;
  if (query_value(target.query, "dryRun") == "All") options.dry_run = true;
  if (auto pre = body.find("preconditions"); pre != body.end() && pre->is_object()) {
    if (pre->contains("uid") && (*pre)["uid"].is_string()) options.precondition_uid = (*pre)["uid"];
    if (pre->contains("resourceVersion") && (*pre)["resourceVersion"].is_string()) {
      options.precondition_rv = (*pre)["resourceVersion"];
    }
  }
  return options;
}

Response ApiServer::Impl::remove(const ResourceType& type, const Target& target, const ResourcePath& path,
                                 const Request& request) {
  if (!path.subresource.empty()) {
    throw ApiError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource");
  }
  DeleteOptions options = delete_options(target, request);
  std::lock_guard lock(cluster.store.mutex());
  Json result = cluster.remove(type, path.ns, path.name, options);
  if (!options.dry_run && cluster.get(type, path.ns, path.name) == nullptr) {
    Json details{{"name", path.name}, {"kind", type.plural}, {"uid", result["metadata"].value("uid", "")}};
    if (!type.group.empty()) details["group"] = type.group;
    return json_response(200, success_status(details));
  }
  return json_response(200, result);
}

Response ApiServer::Impl::remove_collection(const ResourceType& type, const Target& target, const std::string& ns,
                                            const Request& request) {
  DeleteOptions options = delete_options(target, request);
  LabelSelector labels = LabelSelector::parse(query_value(target.query, "labelSelector"));
  FieldSelector fields = field_selector(type, target);
  std::lock_guard lock(cluster.store.mutex());
  std::string next;
  std::size_t remaining = 0;
  auto items = cluster.store.list(
      type.id(), type.namespaced ? ns : "", "", 0,
      [&](const Json& o) {
        return labels.matches(o["metadata"].value("labels", Json::object())) && fields.matches(o);
      },
      next, remaining);
  for (const auto& item : items) {
    const Json& md = (*item)["metadata"];
    try {
      cluster.remove(type, md.value("namespace", ""), md.value("name", ""), options);
    } catch (const ApiError&) {
    }
  }
  return json_response(200, success_status());
}

ApiServer::ApiServer(ApiOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {
  if (impl_->options.controllers) {
    impl_->controllers = std::make_unique<Controllers>(
        impl_->cluster, ControllerOptions{.pod_ready_delay = impl_->options.pod_ready_delay,
                                          .hpa_sync_period = impl_->options.hpa_sync_period,
                                          .usage = &impl_->usage});
  }
}

ApiServer::~ApiServer() { shutdown(); }

Response ApiServer::handle(const Request& request) {
  try {
    return impl_->handle(request);
  } catch (const ApiError& e) {
    return error_response(e);
  } catch (const std::exception& e) {
    return error_response(ApiError(500, "InternalError", std::string("Internal error occurred: ") + e.what()));
  }
}

std::vector<RequestCount> ApiServer::counters() const { return impl_->faults.counters(); }

void ApiServer::shutdown() {
  if (impl_->controllers) impl_->controllers->stop();
  std::lock_guard lock(impl_->cluster.store.mutex());
  impl_->cluster.store.close_watches();
}

}  // namespace gitmoor::sandbox
