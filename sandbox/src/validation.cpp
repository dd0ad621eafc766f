#include "validation.hpp"

#include <vector>

#include "status.hpp"

namespace gitmoor::sandbox {

namespace {

const char* kSubdomainMsg =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start "
    "and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const char* kLabelMsg =
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end "
    "with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const char* kDns1035Msg =
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic "
    "character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is "
    "'[a-z]([-a-z0-9]*[a-z0-9])?')";
const char* kLabelValueMsg =
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start "
    "and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for "
    "validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

bool is_label(const std::string& s) {
  if (s.empty() || s.size() > 63) return false;
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!alnum(s.front()) || !alnum(s.back())) return false;
  for (char c : s) {
    if (!alnum(c) && c != '-') return false;
  }
  return true;
}

bool is_subdomain(const std::string& s) {
  if (s.empty() || s.size() > 253) return false;
  std::size_t start = 0;
  while (true) {
    auto dot = s.find('.', start);
    std::string part = s.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (!is_label(part)) return false;
    if (dot == std::string::npos) return true;
    start = dot + 1;
  }
}

bool is_label_value(const std::string& s) {
  if (s.empty()) return true;
  if (s.size() > 63) return false;
  auto alnum = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; };
  if (!alnum(s.front()) || !alnum(s.back())) return false;
  for (char c : s) {
    if (!alnum(c) && c != '-' && c != '_' && c != '.') return false;
  }
  return true;
}

bool is_qualified_name(const std::string& s) {
  auto slash = s.find('/');
  std::string name = slash == std::string::npos ? s : s.substr(slash + 1);
  if (slash != std::string::npos && !is_subdomain(s.substr(0, slash))) return false;
  return !name.empty() && is_label_value(name);
}

std::string quoted(const std::string& s) { return Json(s).dump(); }

void field_invalid(std::vector<FieldError>& errors, const std::string& field, const std::string& value,
                   const std::string& detail) {
  errors.push_back({"FieldValueInvalid", field, field + ": Invalid value: " + quoted(value) + ": " + detail, detail});
}

void validate_name(const ResourceType& type, const std::string& name, std::vector<FieldError>& errors) {
  if (name.empty()) {
    errors.push_back({"FieldValueRequired", "metadata.name",
                      "metadata.name: Required value: name or generateName is required",
                      "name or generateName is required"});
    return;
  }
  if (type.group == "rbac.authorization.k8s.io" || type.custom) {
    if (name == "." || name == ".." || name.find('/') != std::string::npos || name.find('%') != std::string::npos) {
      field_invalid(errors, "metadata.name", name, "may not contain '/' or '%'");
    }
    if (type.custom && !is_subdomain(name)) field_invalid(errors, "metadata.name", name, kSubdomainMsg);
    return;
  }
  if (type.kind == "Namespace") {
    if (name.size() > 63) {
      field_invalid(errors, "metadata.name", name, "must be no more than 63 characters");
    } else if (!is_label(name)) {
      field_invalid(errors, "metadata.name", name, kLabelMsg);
    }
    return;
  }
  if (type.kind == "Service") {
    bool ok = is_label(name) && name.front() >= 'a' && name.front() <= 'z';
    if (name.size() > 63) {
      field_invalid(errors, "metadata.name", name, "must be no more than 63 characters");
    } else if (!ok) {
      field_invalid(errors, "metadata.name", name, kDns1035Msg);
    }
    return;
  }
  if (name.size() > 253) {
    field_invalid(errors, "metadata.name", name, "must be no more than 253 characters");
  } else if (!is_subdomain(name)) {
    field_invalid(errors, "metadata.name", name, kSubdomainMsg);
  }
}

void validate_labels(const Json& labels, const std::string& field, std::vector<FieldError>& errors) {
  if (!labels.is_object()) return;
  for (const auto& [k, v] : labels.items()) {
    if (!is_qualified_name(k)) {
      field_invalid(errors, field, k,
                    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end "
                    "with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "
                    "validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')");
    }
    std::string value = v.is_string() ? v.get<std::string>() : v.dump();
    if (!v.is_string()) {
      errors.push_back({"FieldValueInvalid", field + "[" + k + "]",
                        field + "[" + k + "]: Invalid value: must be a string", "must be a string"});
    } else if (value.size() > 63) {
      field_invalid(errors, field, value, "must be no more than 63 characters");
    } else if (!is_label_value(value)) {
      field_invalid(errors, field, value, kLabelValueMsg);
    }
  }
}

void validate_pod_spec(const Json& spec, const std::string& field, std::vector<FieldError>& errors) {
  if (!spec.is_object()) {
    errors.push_back({"FieldValueRequired", field + ".containers", field + ".containers: Required value", ""});
    return;
  }
  auto containers = spec.find("containers");
  if (containers == spec.end() || !containers->is_array() || containers->empty()) {
    errors.push_back({"FieldValueRequired", field + ".containers", field + ".containers: Required value", ""});
    return;
  }
  for (std::size_t i = 0; i < containers->size(); ++i) {
    const Json& c = (*containers)[i];
    std::string f = field + ".containers[" + std::to_string(i) + "]";
    if (!c.is_object() || !c.contains("name") || !c["name"].is_string() || c["name"] == "") {
      errors.push_back({"FieldValueRequired", f + ".name", f + ".name: Required value", ""});
    } else if (!is_label(c["name"])) {
      field_invalid(errors, f + ".name", c["name"], kLabelMsg);
    }
    if (c.is_object() && (!c.contains("image") || c["image"] == "")) {
      errors.push_back({"FieldValueRequired", f + ".image", f + ".image: Required value", ""});
    }
  }
}

void validate_workload(const ResourceType& type, const Json& object, std::vector<FieldError>& errors) {
  const std::string& kind = type.kind;
  bool templated = kind == "Deployment" || kind == "ReplicaSet" || kind == "StatefulSet" || kind == "DaemonSet";
  if (kind == "Pod") validate_pod_spec(object.value("spec", Json()), "spec", errors);
  if (templated && object.contains("spec") && object["spec"].is_object() && object["spec"].contains("replicas")) {
    const Json& replicas = object["spec"]["replicas"];
    if (!replicas.is_number_integer() || replicas.get<long long>() < 0) {
      errors.push_back({"FieldValueInvalid", "spec.replicas",
                        "spec.replicas: Invalid value: " + replicas.dump() + ": must be greater than or equal to 0",
                        ""});
    }
  }
  if (!templated && kind != "Job") return;
  Json spec = object.value("spec", Json::object());
  if (!spec.is_object()) spec = Json::object();
  Json tmpl = spec.value("template", Json::object());
  Json labels = tmpl.is_object() && tmpl.contains("metadata") ? tmpl["metadata"].value("labels", Json::object())
                                                             : Json::object();
  if (templated) {
    Json selector = spec.value("selector", Json());
    if (!selector.is_object() || selector.empty()) {
      errors.push_back({"FieldValueRequired", "spec.selector", "spec.selector: Required value", ""});
    } else if (auto ml = selector.find("matchLabels"); ml != selector.end() && ml->is_object()) {
      for (const auto& [k, v] : ml->items()) {
        if (!labels.is_object() || !labels.contains(k) || labels[k] != v) {
          std::string shown = "map[string]string{";
          bool first = true;
          if (labels.is_object()) {
            for (const auto& [lk, lv] : labels.items()) {
              shown += (first ? "" : ", ") + quoted(lk) + ":" + (lv.is_string() ? quoted(lv) : lv.dump());
              first = false;
            }
          }
          shown += "}";
          std::string detail = "`selector` does not match template `labels`";
          errors.push_back({"FieldValueInvalid", "spec.template.metadata.labels",
                            "spec.template.metadata.labels: Invalid value: " + shown + ": " + detail, detail});
          break;
        }
      }
    }
  }
  validate_pod_spec(tmpl.is_object() ? tmpl.value("spec", Json()) : Json(), "spec.template.spec", errors);
  if (kind == "Job" && tmpl.is_object() && tmpl.contains("spec") && tmpl["spec"].is_object()) {
    std::string rp = tmpl["spec"].value("restartPolicy", "");
    if (rp != "Never" && rp != "OnFailure") {
      errors.push_back({"FieldValueRequired", "spec.template.spec.restartPolicy",
                        "spec.template.spec.restartPolicy: Required value: valid values: \"OnFailure\", \"Never\"",
                        ""});
    }
  }
}

}  // namespace

void validate(const ResourceType& type, const Json& object) {
  std::vector<FieldError> errors;
  const Json& md = object["metadata"];
  std::string name = md.value("name", "");
  validate_name(type, name, errors);
  validate_labels(md.value("labels", Json::object()), "metadata.labels", errors);
  if (auto ann = md.find("annotations"); ann != md.end() && ann->is_object()) {
    std::size_t total = 0;
    for (const auto& [k, v] : ann->items()) {
      total += k.size() + (v.is_string() ? v.get_ref<const std::string&>().size() : v.dump().size());
      if (!v.is_string()) {
        errors.push_back({"FieldValueInvalid", "metadata.annotations",
                          "metadata.annotations: Invalid value: must be a string", "must be a string"});
      }
    }
    if (total > kMaxAnnotationBytes) {
      errors.push_back({"FieldValueTooLong", "metadata.annotations",
                        "metadata.annotations: Too long: may not be more than 262144 bytes",
                        "may not be more than 262144 bytes"});
    }
  }
  validate_workload(type, object, errors);
  if (!errors.empty()) throw invalid(type.group, type.kind, name, errors);
}

}  // namespace gitmoor::sandbox
