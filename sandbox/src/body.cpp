#include "body.hpp"

#include "gitmoor/core/yaml.hpp"
#include "protobuf.hpp"
#include "status.hpp"

namespace gitmoor::sandbox {

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
  return value;
}

}  // namespace gitmoor::sandbox
