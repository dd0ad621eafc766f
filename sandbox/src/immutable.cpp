#include "immutable.hpp"

#include <optional>
#include <string>
#include <vector>

#include "gitmoor/core/quantity.hpp"

#include "status.hpp"

namespace gitmoor::sandbox {

namespace {

using Json = nlohmann::json;

const Json kAbsent;  // what a missing field compares as

const Json& field(const Json& object, const char* key) {
  if (!object.is_object()) return kAbsent;
  auto it = object.find(key);
  return it == object.end() ? kAbsent : *it;
}

const Json& spec_of(const Json& object) { return field(object, "spec"); }

// kube compares old and new with equality.Semantic: resource quantities by value (`1Gi` == `1024Mi`), everything
// else exactly. Quantities are the values of resources.requests/limits (and PVC capacity) and emptyDir sizeLimit.
bool quantity_equal(const Json& a, const Json& b) {
  auto text = [](const Json& v) -> std::optional<std::string> {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_number_integer()) return std::to_string(v.get<long long>());
    return std::nullopt;
  };
  auto ta = text(a);
  auto tb = text(b);
  if (!ta || !tb) return a == b;
  auto qa = core::Quantity::try_parse(*ta);
  auto qb = core::Quantity::try_parse(*tb);
  return qa && qb ? *qa == *qb : a == b;
}

bool semantic_equal(const Json& a, const Json& b, const std::string& key = "") {
  if (a.is_object() && b.is_object()) {
    if (a.size() != b.size()) return false;
    bool quantities = key == "requests" || key == "limits" || key == "capacity";
    for (auto it = a.begin(); it != a.end(); ++it) {
      auto other = b.find(it.key());
      if (other == b.end()) return false;
      bool equal = quantities ? quantity_equal(*it, *other) : semantic_equal(*it, *other, it.key());
      if (!equal) return false;
    }
    return true;
  }
  if (a.is_array() && b.is_array()) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (!semantic_equal(a[i], b[i], key)) return false;
    }
    return true;
  }
  if (key == "sizeLimit") return quantity_equal(a, b);
  return a == b;
}

std::string go_string(const Json& s) { return s.is_string() ? Json(s.get<std::string>()).dump() : s.dump(); }

// []string{"a", "b"} or []string(nil), as %#v prints a string slice.
std::string go_strings(const Json& list) {
  if (!list.is_array()) return "[]string(nil)";
  std::string out = "[]string{";
  for (std::size_t i = 0; i < list.size(); ++i) out += (i ? ", " : "") + go_string(list[i]);
  return out + "}";
}

std::string immutable_message(const std::string& path, const std::string& shown) {
  return path + ": Invalid value: " + shown + ": field is immutable";
}

void immutable(std::vector<FieldError>& errors, const std::string& path, const std::string& shown) {
  errors.push_back({"FieldValueInvalid", path, immutable_message(path, shown), "field is immutable"});
}

void forbidden(std::vector<FieldError>& errors, const std::string& path, const std::string& detail) {
  errors.push_back({"FieldValueForbidden", path, path + ": Forbidden: " + detail, detail});
}

void check_selector(const Json& before, const Json& after, std::vector<FieldError>& errors) {
  const Json& now = field(spec_of(after), "selector");
  if (now != field(spec_of(before), "selector")) immutable(errors, "spec.selector", go_label_selector(now));
}

// kube's ValidateStatefulSetUpdate: only these spec fields may change.
void check_statefulset(const Json& before, const Json& after, std::vector<FieldError>& errors) {
  Json old_spec = spec_of(before).is_object() ? spec_of(before) : Json::object();
  Json new_spec = spec_of(after).is_object() ? spec_of(after) : Json::object();
  for (const char* mutable_field : {"replicas", "ordinals", "template", "updateStrategy", "revisionHistoryLimit",
                                    "persistentVolumeClaimRetentionPolicy", "minReadySeconds"}) {
    old_spec.erase(mutable_field);
    new_spec.erase(mutable_field);
  }
  if (!semantic_equal(old_spec, new_spec)) {
    forbidden(errors, "spec",
              "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', "
              "'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and "
              "'minReadySeconds' are forbidden");
  }
}

void check_job(const Json& before, const Json& after, std::vector<FieldError>& errors) {
  const Json& old_spec = spec_of(before);
  const Json& new_spec = spec_of(after);
  if (field(new_spec, "selector") != field(old_spec, "selector")) {
    immutable(errors, "spec.selector", go_label_selector(field(new_spec, "selector")));
  }
  // kube prints the whole internal core.PodTemplateSpec with %#v here (kilobytes of Go syntax); the sandbox shows
  // the template as JSON: clients match the field path and "field is immutable".
  if (!semantic_equal(field(new_spec, "template"), field(old_spec, "template"))) {
    immutable(errors, "spec.template", "core.PodTemplateSpec" + field(new_spec, "template").dump());
  }
  for (const char* key : {"completionMode", "podFailurePolicy", "backoffLimitPerIndex", "managedBy",
                          "successPolicy"}) {
    const Json& now = field(new_spec, key);
    if (now != field(old_spec, key)) immutable(errors, std::string("spec.") + key, now.is_null() ? "null" : now.dump());
  }
}

// A Service keeps its primary cluster IP (kube: validateUpgradeDowngradeClusterIPs), unless it is or becomes an
// ExternalName Service, or stays headless.
void check_service(const Json& before, const Json& after, std::vector<FieldError>& errors) {
  const Json& old_spec = spec_of(before);
  const Json& new_spec = spec_of(after);
  if (field(old_spec, "type") == "ExternalName" || field(new_spec, "type") == "ExternalName") return;
  const Json& old_ip = field(old_spec, "clusterIP");
  const Json& new_ip = field(new_spec, "clusterIP");
  if (!old_ip.is_string() || old_ip == "" || old_ip == new_ip) return;
  Json shown = field(new_spec, "clusterIPs");
  if (!shown.is_array() || shown.empty() || shown[0] != new_ip) shown = Json::array({new_ip});
  std::string detail = "may not change once set";
  errors.push_back({"FieldValueInvalid", "spec.clusterIPs[0]",
                    "spec.clusterIPs[0]: Invalid value: " + go_strings(shown) + ": " + detail, detail});
}

// kube's ValidateConfigMapUpdate / ValidateSecretUpdate.
void check_immutable_data(const ResourceType& type, const Json& before, const Json& after,
                          std::vector<FieldError>& errors) {
  if (type.kind == "Secret" && field(before, "type") != field(after, "type")) {
    immutable(errors, "type", go_string(field(after, "type")));
  }
  if (field(before, "immutable") != true) return;
  const std::string detail = "field is immutable when `immutable` is set";
  if (field(after, "immutable") != true) forbidden(errors, "immutable", detail);
  for (const char* key : {"data", "binaryData"}) {
    if (type.kind == "Secret" && std::string(key) == "binaryData") continue;
    if (field(before, key) != field(after, key)) forbidden(errors, key, detail);
  }
}

// kube's ValidatePersistentVolumeClaimUpdate: the spec is fixed after creation, except that the binder may set
// volumeName once, and a bound claim may change resources.requests (expansion) and volumeAttributesClassName.
void check_claim(const Json& before, const Json& after, std::vector<FieldError>& errors) {
  Json old_spec = spec_of(before).is_object() ? spec_of(before) : Json::object();
  Json new_spec = spec_of(after).is_object() ? spec_of(after) : Json::object();
  if (field(old_spec, "volumeName").is_null() || field(old_spec, "volumeName") == "") {
    old_spec.erase("volumeName");
    new_spec.erase("volumeName");
  }
  bool bound = field(field(before, "status"), "phase") == "Bound";
  old_spec.erase("volumeAttributesClassName");
  new_spec.erase("volumeAttributesClassName");
  if (bound) {
    for (Json* spec : {&old_spec, &new_spec}) {
      if (spec->contains("resources") && (*spec)["resources"].is_object()) (*spec)["resources"].erase("requests");
    }
  }
  if (!semantic_equal(old_spec, new_spec)) {
    forbidden(errors, "spec",
              "spec is immutable after creation except resources.requests and volumeAttributesClassName for bound "
              "claims");
  }
}

}  // namespace

std::string go_label_selector(const Json& selector) {
  if (!selector.is_object()) return "null";
  std::string out = "v1.LabelSelector{MatchLabels:";
  const Json& labels = field(selector, "matchLabels");
  if (labels.is_object() && !labels.empty()) {
    out += "map[string]string{";
    bool first = true;
    for (const auto& [k, v] : labels.items()) {  // sorted by key, as Go prints maps
      out += (first ? "" : ", ") + go_string(k) + ":" + go_string(v);
      first = false;
    }
    out += "}";
  } else {
    out += "map[string]string(nil)";
  }
  out += ", MatchExpressions:";
  const Json& expressions = field(selector, "matchExpressions");
  if (expressions.is_array() && !expressions.empty()) {
    out += "[]v1.LabelSelectorRequirement{";
    for (std::size_t i = 0; i < expressions.size(); ++i) {
      const Json& e = expressions[i];
      out += std::string(i ? ", " : "") + "v1.LabelSelectorRequirement{Key:" + go_string(field(e, "key")) +
             ", Operator:" + go_string(field(e, "operator")) + ", Values:" + go_strings(field(e, "values")) + "}";
    }
    out += "}";
  } else {
    out += "[]v1.LabelSelectorRequirement(nil)";
  }
  return out + "}";
}

void validate_update(const ResourceType& type, const Json& before, const Json& after) {
  if (type.custom) return;
  std::vector<FieldError> errors;
  const std::string& kind = type.kind;
  if (type.group == "apps" && (kind == "Deployment" || kind == "ReplicaSet" || kind == "DaemonSet" ||
                               kind == "StatefulSet")) {
    // A StatefulSet's selector falls under its general rule (only listed spec fields may change).
    if (kind == "StatefulSet") {
      check_statefulset(before, after, errors);
    } else {
      check_selector(before, after, errors);
    }
  } else if (type.group == "batch" && kind == "Job") {
    check_job(before, after, errors);
  } else if (type.group.empty() && kind == "Service") {
    check_service(before, after, errors);
  } else if (type.group.empty() && (kind == "ConfigMap" || kind == "Secret")) {
    check_immutable_data(type, before, after, errors);
  } else if (type.group.empty() && kind == "PersistentVolumeClaim") {
    check_claim(before, after, errors);
  }
  if (!errors.empty()) {
    throw invalid(type.group, kind, field(after, "metadata").value("name", ""), errors);
  }
}

}  // namespace gitmoor::sandbox
