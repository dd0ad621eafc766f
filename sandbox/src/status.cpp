#include "status.hpp"

namespace gitmoor::sandbox {

Json ApiError::status() const {
  Json s{{"kind", "Status"},     {"apiVersion", "v1"}, {"metadata", Json::object()}, {"status", "Failure"},
         {"message", message_},  {"reason", reason_},  {"code", code_}};
  if (!details_.is_null()) s["details"] = details_;
  return s;
}

std::string qualified_resource(const std::string& group, const std::string& resource) {
  return group.empty() ? resource : resource + "." + group;
}

static Json details(const std::string& group, const std::string& kind, const std::string& name) {
  Json d{{"name", name}, {"kind", kind}};
  if (!group.empty()) d["group"] = group;
  return d;
}

ApiError not_found(const std::string& group, const std::string& resource, const std::string& name) {
  return {404, "NotFound", qualified_resource(group, resource) + " \"" + name + "\" not found",
          details(group, resource, name)};
}

ApiError already_exists(const std::string& group, const std::string& resource, const std::string& name) {
  return {409, "AlreadyExists", qualified_resource(group, resource) + " \"" + name + "\" already exists",
          details(group, resource, name)};
}

ApiError conflict(const std::string& group, const std::string& resource, const std::string& name,
                  const std::string& why) {
  return {409, "Conflict",
          "Operation cannot be fulfilled on " + qualified_resource(group, resource) + " \"" + name + "\": " + why,
          details(group, resource, name)};
}

ApiError bad_request(const std::string& message) { return {400, "BadRequest", message}; }

ApiError invalid(const std::string& group, const std::string& kind, const std::string& name,
                 const std::vector<FieldError>& errors) {
  // kube names the kind with its group: `Deployment.apps "web" is invalid`, `ConfigMap "x" is invalid`.
  std::string message = (group.empty() ? kind : kind + "." + group) + " \"" + name + "\" is invalid: ";
  Json causes = Json::array();
  if (errors.size() == 1) {
    message += errors[0].message;
  } else {
    message += "[";
    for (std::size_t i = 0; i < errors.size(); ++i) message += (i ? ", " : "") + errors[i].message;
    message += "]";
  }
  for (const auto& e : errors) {
    // The cause's message is the error without its field: `Invalid value: "X": ...`, `Too long: ...`.
    std::string body = e.message;
    if (body.rfind(e.field + ": ", 0) == 0) body = body.substr(e.field.size() + 2);
    causes.push_back({{"reason", e.type}, {"message", body}, {"field", e.field}});
  }
  Json d = details(group, kind, name);
  d["causes"] = causes;
  return {422, "Invalid", message, d};
}

Json success_status(const Json& details) {
  Json s{{"kind", "Status"}, {"apiVersion", "v1"}, {"metadata", Json::object()}, {"status", "Success"}};
  if (!details.is_null()) s["details"] = details;
  return s;
}

}  // namespace gitmoor::sandbox
