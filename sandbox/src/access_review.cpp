#include "access_review.hpp"

namespace gitmoor::sandbox {

namespace {

const char* kGroup = "authorization.k8s.io";

std::string kind_of(const std::string& resource) {
  if (resource == "selfsubjectaccessreviews") return "SelfSubjectAccessReview";
  if (resource == "subjectaccessreviews") return "SubjectAccessReview";
  if (resource == "localsubjectaccessreviews") return "LocalSubjectAccessReview";
  return "SelfSubjectRulesReview";
}

ApiError invalid_review(const std::string& kind, const std::string& field, const std::string& value,
                        const std::string& detail) {
  return invalid(kGroup, kind, "",
                 {{"FieldValueInvalid", field, field + ": Invalid value: " + value + ": " + detail, detail}});
}

std::vector<std::string> strings(const Json& object, const char* key) {
  std::vector<std::string> out;
  for (const auto& v : object.value(key, Json::array())) {
    if (v.is_string()) out.push_back(v);
  }
  return out;
}

Json rules_review(Json body, const UserInfo& requester, const Authorizer& authorizer) {
  Json spec = body.value("spec", Json::object());
  std::string ns = spec.is_object() ? spec.value("namespace", "") : "";
  std::vector<std::string> errors;
  Json resource_rules = Json::array();
  Json url_rules = Json::array();
  for (const auto& rule : authorizer.rules_for(requester, ns, errors)) {
    if (!rule.non_resource_urls.empty()) {
      url_rules.push_back({{"verbs", rule.verbs}, {"nonResourceURLs", rule.non_resource_urls}});
      continue;
    }
    Json r{{"verbs", rule.verbs}};
    if (!rule.api_groups.empty()) r["apiGroups"] = rule.api_groups;
    if (!rule.resources.empty()) r["resources"] = rule.resources;
    if (!rule.resource_names.empty()) r["resourceNames"] = rule.resource_names;
    resource_rules.push_back(r);
  }
  body["status"] = {{"resourceRules", resource_rules}, {"nonResourceRules", url_rules}, {"incomplete", false}};
  if (!errors.empty()) {
    std::string joined;
    for (std::size_t i = 0; i < errors.size(); ++i) joined += (i ? ", " : "") + errors[i];
    body["status"]["evaluationError"] = errors.size() == 1 ? joined : "[" + joined + "]";
    body["status"]["incomplete"] = true;
  }
  return body;
}

}  // namespace

bool is_access_review(const std::string& resource) {
  return resource == "selfsubjectaccessreviews" || resource == "subjectaccessreviews" ||
         resource == "localsubjectaccessreviews" || resource == "selfsubjectrulesreviews";
}

Json access_review(const std::string& resource, const std::string& path_namespace, Json body,
                   const UserInfo& requester, const Authorizer& authorizer) {
  std::string kind = kind_of(resource);
  if (!body.is_object()) throw bad_request("the body of the request is not a " + kind);
  body["apiVersion"] = "authorization.k8s.io/v1";
  body["kind"] = kind;
  if (!body["metadata"].is_object()) body["metadata"] = Json::object();
  if (!body["metadata"].contains("creationTimestamp")) body["metadata"]["creationTimestamp"] = nullptr;
  if (resource == "selfsubjectrulesreviews") return rules_review(std::move(body), requester, authorizer);

  Json& spec = body["spec"];
  if (!spec.is_object()) spec = Json::object();
  Attributes a;
  if (resource == "selfsubjectaccessreviews") {
    a.user = requester;
  } else {
    a.user.username = spec.value("user", "");
    a.user.groups = strings(spec, "groups");
    a.user.uid = spec.value("uid", "");
    if (a.user.username.empty() && a.user.groups.empty()) {
      throw invalid_review(kind, "spec.user", "\"\"", "at least one of user or group must be specified");
    }
  }
  bool has_resource = spec.contains("resourceAttributes") && spec["resourceAttributes"].is_object();
  bool has_url = spec.contains("nonResourceAttributes") && spec["nonResourceAttributes"].is_object();
  if (has_resource == has_url) {
    throw invalid_review(kind, "spec.resourceAttributes", has_resource ? "\"resourceAttributes\"" : "\"null\"",
                         "exactly one of nonResourceAttributes or resourceAttributes must be specified");
  }
  if (has_resource) {
    Json& r = spec["resourceAttributes"];
    if (resource == "localsubjectaccessreviews") {
      std::string md_ns = body["metadata"].value("namespace", "");
      if (md_ns.empty()) body["metadata"]["namespace"] = md_ns = path_namespace;
      if (md_ns != path_namespace) {
        throw bad_request("spec.resourceAttributes.namespace must match namespace: " + path_namespace);
      }
      if (r.value("namespace", "").empty()) r["namespace"] = path_namespace;
      if (r.value("namespace", "") != path_namespace) {
        throw invalid_review(kind, "spec.resourceAttributes.namespace", "\"" + r.value("namespace", "") + "\"",
                             "must match metadata.namespace");
      }
    }
    a.resource_request = true;
    a.ns = r.value("namespace", "");
    a.verb = r.value("verb", "");
    a.api_group = r.value("group", "");
    a.api_version = r.value("version", "");
    a.resource = r.value("resource", "");
    a.subresource = r.value("subresource", "");
    a.name = r.value("name", "");
  } else {
    if (resource == "localsubjectaccessreviews") {
      throw invalid_review(kind, "spec.nonResourceAttributes", "\"nonResourceAttributes\"",
                           "disallowed on this kind of request");
    }
    const Json& u = spec["nonResourceAttributes"];
    a.path = u.value("path", "");
    a.verb = u.value("verb", "");
  }
  Decision d = authorizer.authorize(a);
  body["status"] = {{"allowed", d.allowed}};
  if (!d.reason.empty()) body["status"]["reason"] = d.reason;
  return body;
}

}  // namespace gitmoor::sandbox
