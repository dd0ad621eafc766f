#include "cluster.hpp"

#include <chrono>
#include <ctime>

#include "apply.hpp"
#include "immutable.hpp"
#include "quantities.hpp"
#include "status.hpp"
#include "timestamps.hpp"
#include "validation.hpp"

namespace gitmoor::sandbox {

std::string now_rfc3339() { return format_rfc3339(std::chrono::system_clock::now()); }

Cluster::Cluster(std::size_t history_limit) : store(history_limit), random_(std::random_device{}()) {}

std::string Cluster::new_uid() {
  std::uint64_t a = random_();
  std::uint64_t b = random_();
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08x-%04x-4%03x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(a & 0x0fff),
                static_cast<unsigned>(((b >> 48) & 0x3fff) | 0x8000),
                static_cast<unsigned long long>(b & 0xffffffffffffULL));
  return buf;
}

ObjectPtr Cluster::get(const ResourceType& type, const std::string& ns, const std::string& name) const {
  return store.get({type.id(), type.namespaced ? ns : "", name});
}

void Cluster::check_namespace(const ResourceType& type, const std::string& ns) const {
  if (!type.namespaced) return;
  auto ns_obj = store.get({"namespaces", "", ns});
  if (!ns_obj) throw not_found("", "namespaces", ns);
  if ((*ns_obj)["metadata"].contains("deletionTimestamp")) {
    throw ApiError(403, "Forbidden",
                   type.plural + " \"\" is forbidden: unable to create new content in namespace " + ns +
                       " because it is being terminated",
                   Json{{"kind", type.plural}, {"group", type.group}});
  }
}

namespace {

Json& metadata_of(Json& object) {
  if (!object["metadata"].is_object()) object["metadata"] = Json::object();
  return object["metadata"];
}

bool spec_changed(const Json& before, const Json& after) {
  Json a = before;
  Json b = after;
  a.erase("metadata");
  a.erase("status");
  b.erase("metadata");
  b.erase("status");
  return a != b;
}

// Equal but for managedFields timestamps: a no-op write.
bool same_object(const Json& before, const Json& after) {
  Json a = before;
  Json b = after;
  for (Json* o : {&a, &b}) {
    Json& md = (*o)["metadata"];
    md.erase("resourceVersion");
    if (md.contains("managedFields") && md["managedFields"].is_array()) {
      for (auto& e : md["managedFields"]) {
        if (e.is_object()) e.erase("time");
      }
    }
  }
  return a == b;
}

bool has_finalizers(const Json& object) {
  const Json& md = object["metadata"];
  auto f = md.find("finalizers");
  return f != md.end() && f->is_array() && !f->empty();
}

// The status the apiextensions server writes; conditions keep their lastTransitionTime while they hold (a rewrite
// would make every update, even a dry run, differ from the stored object).
Json crd_status(const Json& crd, const Json& previous) {
  Json spec = crd.value("spec", Json::object());
  Json names = spec.value("names", Json::object());
  if (!names.contains("singular") && names.contains("kind") && names["kind"].is_string()) {
    std::string s = names["kind"];
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    names["singular"] = s;
  }
  if (!names.contains("listKind") && names.contains("kind") && names["kind"].is_string()) {
    names["listKind"] = names["kind"].get<std::string>() + "List";
  }
  Json stored = Json::array();
  if (spec.contains("versions") && spec["versions"].is_array()) {
    for (const auto& v : spec["versions"]) {
      if (v.is_object() && v.value("storage", false)) stored.push_back(v.value("name", ""));
    }
  }
  std::string now = now_rfc3339();
  auto since = [&](const char* type) {
    if (previous.is_object() && previous.contains("conditions") && previous["conditions"].is_array()) {
      for (const auto& c : previous["conditions"]) {
        if (c.is_object() && c.value("type", "") == type && c.value("status", "") == "True") {
          return c.value("lastTransitionTime", now);
        }
      }
    }
    return now;
  };
  return {{"acceptedNames", names},
          {"conditions",
           {{{"type", "NamesAccepted"},
             {"status", "True"},
             {"reason", "NoConflicts"},
             {"message", "no conflicts found"},
             {"lastTransitionTime", since("NamesAccepted")}},
            {{"type", "Established"},
             {"status", "True"},
             {"reason", "InitialNamesAccepted"},
             {"message", "the initial names have been accepted"},
             {"lastTransitionTime", since("Established")}}}},
          {"storedVersions", stored}};
}

}  // namespace

Json Cluster::create(const ResourceType& type, const std::string& ns, Json object, const WriteOptions& options) {
  if (!object.is_object()) throw bad_request("the body of the request was in an unknown format");
  Json& md = metadata_of(object);
  std::string name = md.value("name", "");
  if (name.empty() && md.contains("generateName") && md["generateName"].is_string()) {
    static const char* alphabet = "bcdfghjklmnpqrstvwxz2456789";
    name = md["generateName"].get<std::string>();
    for (int i = 0; i < 5; ++i) name += alphabet[random_() % 27];
    md["name"] = name;
  }
  if (type.namespaced) {
    if (md.contains("namespace") && md["namespace"] != ns && md["namespace"] != "") {
      throw bad_request("the namespace of the provided object does not match the namespace sent on the request");
    }
  }
  if (name.empty()) validate(type, object);  // names the missing name
  check_namespace(type, ns);
  if (get(type, ns, name)) throw already_exists(type.group, type.plural, name);
  return commit(type, ns, name, nullptr, std::move(object), options, true);
}

Json Cluster::update(const ResourceType& type, const std::string& ns, const std::string& name, Json object,
                     const WriteOptions& options) {
  if (!object.is_object()) throw bad_request("the body of the request was in an unknown format");
  ObjectPtr before = get(type, ns, name);
  if (!before) throw not_found(type.group, type.plural, name);
  Json& md = metadata_of(object);
  if (md.contains("name") && md["name"] != name) {
    throw bad_request("the name of the object (" + md.value("name", "") +
                      ") does not match the name on the URL (" + name + ")");
  }
  if (md.contains("resourceVersion") && md["resourceVersion"] != "" &&
      md["resourceVersion"] != (*before)["metadata"]["resourceVersion"]) {
    throw conflict(type.group, type.plural, name,
                   "the object has been modified; please apply your changes to the latest version and try again");
  }
  if (options.subresource == "scale") {
    Json after = *before;
    Json replicas = object.contains("spec") && object["spec"].is_object() ? object["spec"].value("replicas", Json())
                                                                           : Json();
    if (!replicas.is_number_integer() || replicas.get<long long>() < 0) {
      throw invalid("autoscaling", "Scale", name,
                    {{"FieldValueInvalid", "spec.replicas", "spec.replicas: Invalid value: " + replicas.dump() +
                                                                ": must be greater than or equal to 0",
                      ""}});
    }
    Json* node = &after;
    std::string path = type.spec_replicas_path;
    std::size_t start = 0;
    while (true) {
      auto dot = path.find('.', start);
      std::string key = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
      if (dot == std::string::npos) {
        (*node)[key] = replicas;
        break;
      }
      if (!(*node)[key].is_object()) (*node)[key] = Json::object();
      node = &(*node)[key];
      start = dot + 1;
    }
    return commit(type, ns, name, before, std::move(after), options, true);
  }
  return commit(type, ns, name, before, std::move(object), options, true);
}

Json Cluster::apply(const ResourceType& type, const std::string& ns, const std::string& name, const Json& applied,
                    const WriteOptions& options, bool force, bool& created) {
  if (!applied.is_object()) throw bad_request("the body of the request was in an unknown format");
  if (!applied.contains("apiVersion") || !applied["apiVersion"].is_string() || applied["apiVersion"] == "") {
    throw bad_request("error decoding YAML: Object 'apiVersion' is missing");
  }
  if (!applied.contains("kind") || !applied["kind"].is_string() || applied["kind"] == "") {
    throw bad_request("error decoding YAML: Object 'Kind' is missing");
  }
  if (applied["kind"] != type.kind) {
    throw bad_request("the kind of the object (" + applied["kind"].get<std::string>() +
                      ") does not match the kind of the resource (" + type.kind + ")");
  }
  const Json md = applied.value("metadata", Json::object());
  if (md.is_object() && md.contains("name") && md["name"] != name) {
    throw bad_request("the name of the object (" + md.value("name", "") + ") does not match the name on the URL (" +
                      name + ")");
  }
  if (type.namespaced && md.is_object() && md.contains("namespace") && md["namespace"] != ns &&
      md["namespace"] != "") {
    throw bad_request("the namespace of the provided object does not match the namespace sent on the request");
  }
  ObjectPtr live = get(type, ns, name);
  if (!live) {
    check_namespace(type, ns);
  } else if (md.is_object() && md.contains("resourceVersion") && md["resourceVersion"] != "" &&
             md["resourceVersion"] != (*live)["metadata"]["resourceVersion"]) {
    throw conflict(type.group, type.plural, name,
                   "the object has been modified; please apply your changes to the latest version and try again");
  }
  created = !live;
  FieldContext ctx{.builtin = !type.custom,
                   .status_subresource = type.status_subresource && options.subresource != "status",
                   .api_version = options.api_version,
                   .now = now_rfc3339()};
  Json config = applied;
  if (config["metadata"].is_object()) {
    config["metadata"].erase("resourceVersion");
    config["metadata"].erase("managedFields");
  }
  // As the real server decodes the configuration: `0.5` applied over a stored `500m` is the same value, no conflict.
  if (!type.custom) canonicalise_quantities(type.kind, config);
  Json merged = server_side_apply(live ? *live : Json(), config, options.manager, force, ctx);
  if (options.subresource == "status" && live) {
    Json after = *live;
    after["status"] = merged.value("status", Json::object());
    after["metadata"]["managedFields"] = merged["metadata"].value("managedFields", Json::array());
    merged = std::move(after);
  }
  return commit(type, ns, name, live, std::move(merged), options, false);
}

Json Cluster::commit(const ResourceType& type, const std::string& ns, const std::string& name, ObjectPtr before,
                     Json after, const WriteOptions& options, bool record_manager) {
  const std::string object_ns = type.namespaced ? ns : "";
  std::string api_version = options.api_version.empty() ? type.api_version(type.versions.front()) : options.api_version;
  if (type.custom && before) api_version = before->value("apiVersion", api_version);
  after["apiVersion"] = api_version;
  after["kind"] = type.kind;
  Json& md = metadata_of(after);
  md["name"] = name;
  if (type.namespaced) {
    md["namespace"] = object_ns;
  } else {
    md.erase("namespace");
  }
  md.erase("resourceVersion");
  md.erase("selfLink");
  if (before) {
    const Json& bmd = (*before)["metadata"];
    for (const char* key : {"uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds"}) {
      if (bmd.contains(key)) {
        md[key] = bmd[key];
      } else {
        md.erase(key);
      }
    }
    if (type.status_subresource) {
      if (options.subresource == "status") {
        Json status = after.value("status", Json());
        Json managed = md.value("managedFields", Json());
        Json merged = *before;
        if (status.is_null()) {
          merged.erase("status");
        } else {
          merged["status"] = status;
        }
        if (!record_manager && !managed.is_null()) merged["metadata"]["managedFields"] = managed;
        merged["metadata"].erase("resourceVersion");
        after = std::move(merged);
      } else if (before->contains("status")) {
        after["status"] = (*before)["status"];
      } else {
        after.erase("status");
      }
    }
  } else {
    md["uid"] = new_uid();
    md["creationTimestamp"] = now_rfc3339();
    md.erase("deletionTimestamp");
    md.erase("deletionGracePeriodSeconds");
    if (type.status_subresource && type.kind != "Pod") after.erase("status");
  }
  Json& meta = metadata_of(after);
  if (!before) meta.erase("generation");
  apply_defaults(type, after, before ? *before : Json(), allocator);
  if (!type.custom) canonicalise_quantities(type.kind, after);
  if (type.kind == "CustomResourceDefinition") {
    after["status"] = crd_status(after, before ? before->value("status", Json()) : Json());
  }
  validate(type, after);
  if (before) validate_update(type, *before, after);
  if (record_manager) {
    FieldContext ctx{.builtin = !type.custom,
                     .status_subresource = type.status_subresource,
                     .api_version = api_version,
                     .now = now_rfc3339()};
    record_update(before ? *before : Json(), after, options.manager, options.subresource, ctx);
  }
  if (type.has_generation || type.custom) {
    long long generation = 1;
    if (before) {
      generation = (*before)["metadata"].value("generation", 1LL);
      if (spec_changed(*before, after)) ++generation;
    }
    after["metadata"]["generation"] = generation;
  } else {
    after["metadata"].erase("generation");
  }
  if (before && same_object(*before, after)) return *before;
  if (options.dry_run) {
    if (before) after["metadata"]["resourceVersion"] = (*before)["metadata"]["resourceVersion"];
    return after;
  }
  after["metadata"]["resourceVersion"] = std::to_string(store.next_rv());
  ObjectRef ref{type.id(), object_ns, name};
  if (after["metadata"].contains("deletionTimestamp") && !has_finalizers(after)) {
    erase_now(type, ref, after);
    settle();
    return after;
  }
  store.put(ref, after);
  if (type.kind == "CustomResourceDefinition") crd_changed(after, false);
  settle();
  return after;
}

Json Cluster::remove(const ResourceType& type, const std::string& ns, const std::string& name,
                     const DeleteOptions& options) {
  const std::string object_ns = type.namespaced ? ns : "";
  ObjectPtr obj = get(type, ns, name);
  if (!obj) throw not_found(type.group, type.plural, name);
  const Json& md = (*obj)["metadata"];
  if (options.precondition_uid && md.value("uid", "") != *options.precondition_uid) {
    throw conflict(type.group, type.plural, name,
                   "Precondition failed: UID in precondition: " + *options.precondition_uid +
                       ", UID in object meta: " + md.value("uid", ""));
  }
  if (options.precondition_rv && md.value("resourceVersion", "") != *options.precondition_rv) {
    throw conflict(type.group, type.plural, name,
                   "Precondition failed: ResourceVersion in precondition: " + *options.precondition_rv +
                       ", ResourceVersion in meta: " + md.value("resourceVersion", ""));
  }
  if (options.dry_run) return *obj;
  ObjectRef ref{type.id(), object_ns, name};
  std::string uid = md.value("uid", "");

  if (type.kind == "Namespace") {
    Json marked = *obj;
    if (!md.contains("deletionTimestamp")) {
      marked["metadata"]["deletionTimestamp"] = now_rfc3339();
      marked["metadata"]["deletionGracePeriodSeconds"] = 0;
      marked["status"]["phase"] = "Terminating";
      marked["metadata"]["resourceVersion"] = std::to_string(store.next_rv());
      store.put(ref, marked);
    }
    terminating_namespaces_.insert(ref);
    for (const auto* t : registry.all()) {
      if (!t->namespaced) continue;
      for (const auto& r : store.refs(t->id(), name)) {
        try {
          remove(*t, r.ns, r.name, {});
        } catch (const ApiError&) {
        }
      }
    }
    settle();
    auto now = store.get(ref);
    return now ? *now : marked;
  }

  if (options.propagation == Propagation::Orphan) orphan_dependents(uid);
  if (options.propagation == Propagation::Foreground && !store.dependents(uid).empty()) {
    Json marked = *obj;
    Json& mmd = marked["metadata"];
    if (!mmd.contains("finalizers") || !mmd["finalizers"].is_array()) mmd["finalizers"] = Json::array();
    if (std::find(mmd["finalizers"].begin(), mmd["finalizers"].end(), "foregroundDeletion") ==
        mmd["finalizers"].end()) {
      mmd["finalizers"].push_back("foregroundDeletion");
    }
    if (!mmd.contains("deletionTimestamp")) {
      mmd["deletionTimestamp"] = now_rfc3339();
      mmd["deletionGracePeriodSeconds"] = 0;
    }
    mmd["resourceVersion"] = std::to_string(store.next_rv());
    store.put(ref, marked);
    foreground_owners_.insert(ref);
    gc_dependents(uid, Propagation::Foreground);
    settle();
    auto now = store.get(ref);
    return now ? *now : marked;
  }
  if (has_finalizers(*obj)) {
    if (md.contains("deletionTimestamp")) return *obj;
    Json marked = *obj;
    marked["metadata"]["deletionTimestamp"] = now_rfc3339();
    marked["metadata"]["deletionGracePeriodSeconds"] = 0;
    marked["metadata"]["resourceVersion"] = std::to_string(store.next_rv());
    store.put(ref, marked);
    return marked;
  }
  Json final_object = *obj;
  erase_now(type, ref, final_object);
  if (options.propagation != Propagation::Orphan) gc_dependents(uid, Propagation::Background);
  settle();
  return final_object;
}

void Cluster::erase_now(const ResourceType& type, const ObjectRef& ref, const Json& object) {
  Json final_object = object;
  final_object["metadata"]["resourceVersion"] = std::to_string(store.next_rv());
  store.erase(ref, final_object);
  if (type.kind == "CustomResourceDefinition") crd_changed(object, true);
}

void Cluster::gc_dependents(const std::string& uid, Propagation propagation) {
  if (uid.empty()) return;
  for (const auto& dep : store.dependents(uid)) {
    const ResourceType* t = registry.find_by_id(dep.resource_id);
    if (!t) continue;
    try {
      remove(*t, dep.ns, dep.name, {.propagation = propagation});
    } catch (const ApiError&) {
    }
  }
}

void Cluster::orphan_dependents(const std::string& uid) {
  for (const auto& dep : store.dependents(uid)) {
    const ResourceType* t = registry.find_by_id(dep.resource_id);
    ObjectPtr obj = store.get(dep);
    if (!t || !obj) continue;
    Json after = *obj;
    Json kept = Json::array();
    for (const auto& r : after["metadata"]["ownerReferences"]) {
      if (r.value("uid", "") != uid) kept.push_back(r);
    }
    if (kept.empty()) {
      after["metadata"].erase("ownerReferences");
    } else {
      after["metadata"]["ownerReferences"] = kept;
    }
    try {
      commit(*t, dep.ns, dep.name, obj, std::move(after), {.manager = "kube-controller-manager"}, true);
    } catch (const ApiError&) {
    }
  }
}

void Cluster::settle() {
  if (settling_) return;
  settling_ = true;
  bool changed = true;
  while (changed) {
    changed = false;
    for (auto it = foreground_owners_.begin(); it != foreground_owners_.end();) {
      ObjectPtr obj = store.get(*it);
      if (!obj) {
        it = foreground_owners_.erase(it);
        continue;
      }
      if (!store.dependents((*obj)["metadata"].value("uid", "")).empty()) {
        ++it;
        continue;
      }
      Json after = *obj;
      Json kept = Json::array();
      for (const auto& f : after["metadata"].value("finalizers", Json::array())) {
        if (f != "foregroundDeletion") kept.push_back(f);
      }
      after["metadata"]["finalizers"] = kept;
      if (kept.empty()) after["metadata"].erase("finalizers");
      const ResourceType* t = registry.find_by_id(it->resource_id);
      ObjectRef ref = *it;
      it = foreground_owners_.erase(it);
      if (t) {
        try {
          commit(*t, ref.ns, ref.name, obj, std::move(after), {.manager = "kube-controller-manager"}, false);
        } catch (const ApiError&) {
        }
      }
      changed = true;
    }
    for (auto it = terminating_namespaces_.begin(); it != terminating_namespaces_.end();) {
      ObjectPtr ns_obj = store.get(*it);
      if (!ns_obj) {
        it = terminating_namespaces_.erase(it);
        continue;
      }
      bool empty = true;
      for (const auto* t : registry.all()) {
        if (t->namespaced && !store.refs(t->id(), it->name).empty()) {
          empty = false;
          break;
        }
      }
      if (!empty) {
        ++it;
        continue;
      }
      Json final_object = *ns_obj;
      final_object["spec"]["finalizers"] = Json::array();
      const ResourceType* t = registry.find_by_id("namespaces");
      ObjectRef ref = *it;
      it = terminating_namespaces_.erase(it);
      if (t) erase_now(*t, ref, final_object);
      changed = true;
    }
  }
  settling_ = false;
}

void Cluster::crd_changed(const Json& crd, bool deleted) {
  const Json spec = crd.value("spec", Json::object());
  if (!spec.is_object()) return;
  const Json names = spec.value("names", Json::object());
  std::string group = spec.value("group", "");
  std::string plural = names.value("plural", "");
  if (group.empty() || plural.empty()) return;
  std::string id = plural + "." + group;
  if (deleted) {
    for (const auto& ref : store.refs(id, "")) {
      ObjectPtr obj = store.get(ref);
      if (!obj) continue;
      Json final_object = *obj;
      final_object["metadata"]["resourceVersion"] = std::to_string(store.next_rv());
      store.erase(ref, final_object);
    }
    registry.remove(id);
    return;
  }
  ResourceType t;
  t.group = group;
  t.plural = plural;
  t.kind = names.value("kind", "");
  std::string singular = names.value("singular", "");
  if (singular.empty()) {
    singular = t.kind;
    for (auto& c : singular) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  t.singular = singular;
  t.namespaced = spec.value("scope", "Namespaced") != "Cluster";
  if (names.contains("shortNames") && names["shortNames"].is_array()) {
    for (const auto& s : names["shortNames"]) {
      if (s.is_string()) t.short_names.push_back(s);
    }
  }
  if (names.contains("categories") && names["categories"].is_array()) {
    for (const auto& s : names["categories"]) {
      if (s.is_string()) t.categories.push_back(s);
    }
  }
  t.custom = true;
  t.has_generation = true;
  t.crd_name = crd["metadata"].value("name", "");
  if (spec.contains("versions") && spec["versions"].is_array()) {
    // Storage version first: it is the preferred version here.
    for (const auto& v : spec["versions"]) {
      if (!v.is_object() || !v.value("served", true)) continue;
      std::string name = v.value("name", "");
      if (name.empty()) continue;
      if (v.value("storage", false)) {
        t.versions.insert(t.versions.begin(), name);
      } else {
        t.versions.push_back(name);
      }
      if (v.contains("subresources") && v["subresources"].is_object()) {
        const Json& sub = v["subresources"];
        if (sub.contains("status")) t.status_subresource = true;
        if (sub.contains("scale") && sub["scale"].is_object()) {
          t.scale_subresource = true;
          auto strip = [](std::string p) { return p.rfind('.', 0) == 0 ? p.substr(1) : p; };
          t.spec_replicas_path = strip(sub["scale"].value("specReplicasPath", ".spec.replicas"));
          t.status_replicas_path = strip(sub["scale"].value("statusReplicasPath", ".status.replicas"));
          t.label_selector_path = strip(sub["scale"].value("labelSelectorPath", ".status.selector"));
        }
      }
    }
  }
  if (t.versions.empty() || t.kind.empty()) return;
  registry.put(std::move(t));
}

}  // namespace gitmoor::sandbox
