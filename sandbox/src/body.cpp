#include "body.hpp"

#include <cstdint>
#include <limits>

#include "gitmoor/core/yaml.hpp"
#include "protobuf.hpp"
#include "status.hpp"

namespace gitmoor::sandbox {

namespace {

ApiError wrong_type(const ResourceType& type, const std::string& field, const char* want, const Json& got) {
  return bad_request("json: cannot unmarshal " + std::string(got.type_name()) + " into Go struct field " +
                     type.kind + "." + field + " of type " + want);
}

// Decoding into typed Go structs rejects these; checking them here keeps every later `.value()` safe.
void check_metadata_types(const Json& object, const ResourceType& type) {
  for (const char* key : {"apiVersion", "kind"}) {
    if (object.contains(key) && !object[key].is_string()) throw wrong_type(type, key, "string", object[key]);
  }
  if (!object.contains("metadata") || object["metadata"].is_null()) return;
  const Json& md = object["metadata"];
  for (const char* key : {"name", "namespace", "generateName", "resourceVersion", "uid", "creationTimestamp",
                          "deletionTimestamp"}) {
    if (md.contains(key) && !md[key].is_string() && !md[key].is_null()) {
      throw wrong_type(type, std::string("metadata.") + key, "string", md[key]);
    }
  }
  if (md.contains("generation") && !md["generation"].is_number_integer() && !md["generation"].is_null()) {
    throw wrong_type(type, "metadata.generation", "int64", md["generation"]);
  }
  for (const char* key : {"labels", "annotations"}) {
    if (!md.contains(key) || md[key].is_null()) continue;
    if (!md[key].is_object()) throw wrong_type(type, std::string("metadata.") + key, "map[string]string", md[key]);
    for (const auto& [k, v] : md[key].items()) {
      if (!v.is_string()) throw wrong_type(type, std::string("metadata.") + key, "string", v);
    }
  }
  if (md.contains("finalizers") && !md["finalizers"].is_null()) {
    if (!md["finalizers"].is_array()) throw wrong_type(type, "metadata.finalizers", "[]string", md["finalizers"]);
    for (const auto& f : md["finalizers"]) {
      if (!f.is_string()) throw wrong_type(type, "metadata.finalizers", "string", f);
    }
  }
  if (md.contains("ownerReferences") && !md["ownerReferences"].is_null()) {
    if (!md["ownerReferences"].is_array()) {
      throw wrong_type(type, "metadata.ownerReferences", "[]v1.OwnerReference", md["ownerReferences"]);
    }
    for (const auto& r : md["ownerReferences"]) {
      if (!r.is_object()) throw wrong_type(type, "metadata.ownerReferences", "v1.OwnerReference", r);
      for (const char* key : {"apiVersion", "kind", "name", "uid"}) {
        if (r.contains(key) && !r[key].is_string()) {
          throw wrong_type(type, std::string("metadata.ownerReferences.") + key, "string", r[key]);
        }
      }
    }
  }
  if (md.contains("managedFields") && !md["managedFields"].is_null() && !md["managedFields"].is_array()) {
    throw wrong_type(type, "metadata.managedFields", "[]v1.ManagedFieldsEntry", md["managedFields"]);
  }
}

// The API server decodes JSON into unstructured objects with int64 or else float64 numbers: an integer beyond
// int64 is kept as the nearest double (12345678901234567890 → 1.2345678901234567e19). nlohmann keeps it exact as
// an unsigned, so convert; only a body with a run of 19 or more digits can hold one.
void numbers_as_the_server_keeps_them(Json& value) {
  if (value.is_structured()) {
    for (auto& child : value) numbers_as_the_server_keeps_them(child);
  } else if (value.is_number_unsigned() &&
             value.get<std::uint64_t>() > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    value = static_cast<double>(value.get<std::uint64_t>());
  }
}

bool may_hold_a_large_integer(const std::string& body) {
  std::size_t run = 0;
  for (char c : body) {
    run = (c >= '0' && c <= '9') ? run + 1 : 0;
    if (run >= 19) return true;
  }
  return false;
}

}  // namespace

Json parse_body(const std::string& body, const std::string& media_type, const ResourceType& type,
                const std::string& api_version) {
  if (media_type.find("protobuf") != std::string::npos) {
    auto decoded = decode_protobuf_object(body);
    if (!decoded) {
      throw ApiError(415, "UnsupportedMediaType",
                     "the body of the request was in an unknown format - accepted media types include: "
                     "application/json, application/yaml");
    }
    return *decoded;
  }
  Json value = Json::parse(body, nullptr, false);
  if (value.is_discarded()) {
    bool yaml = media_type.find("yaml") != std::string::npos;
    if (!yaml) {
      throw bad_request("the object provided is unrecognized (must be of type " + type.kind +
                        "): couldn't get version/kind; json parse error: invalid JSON body");
    }
    try {
      value = core::parse_yaml(body);
    } catch (const std::exception& e) {
      throw bad_request(std::string("error decoding YAML: ") + e.what());
    }
  }
  if (!value.is_object()) {
    throw bad_request("the object provided is unrecognized (must be of type " + type.kind +
                      "): couldn't get version/kind; json parse error: expected an object");
  }
  if (value.contains("apiVersion") && (!value["apiVersion"].is_string() || (value["apiVersion"] != api_version &&
                                                                           !(type.custom && value["apiVersion"] != "")))) {
    std::string got = value["apiVersion"].is_string() ? value["apiVersion"].get<std::string>() : value["apiVersion"].dump();
    throw bad_request("the API version in the data (" + got + ") does not match the expected API version (" +
                      api_version + ")");
  }
  if (value.contains("metadata") && !value["metadata"].is_object() && !value["metadata"].is_null()) {
    throw bad_request("the object provided is unrecognized (must be of type " + type.kind +
                      "): metadata must be an object");
  }
  check_metadata_types(value, type);
  if (may_hold_a_large_integer(body)) numbers_as_the_server_keeps_them(value);
  return value;
}

}  // namespace gitmoor::sandbox
