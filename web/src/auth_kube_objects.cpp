// AuthObjects on the cluster's API: Secrets and ConfigMaps of the apps namespace through applier::Client. Create is a
// POST (409 AlreadyExists → false) and update a PUT carrying the read resourceVersion (409 Conflict → false), so two
// replicas starting together never overwrite each other's password or key.
#include "auth_crypto.hpp"
#include "gitmoor/web/auth.hpp"

namespace gitmoor::web {

namespace {

class KubernetesAuthObjects : public AuthObjects {
 public:
  KubernetesAuthObjects(applier::Client& client, std::string apps_namespace)
      : client_(client), namespace_(std::move(apps_namespace)) {}

  std::optional<StoredData> get_secret(const std::string& name) override { return get("secrets", name, true); }
  std::optional<StoredData> get_config_map(const std::string& name) override {
    return get("configmaps", name, false);
  }

  bool create_secret(const std::string& name, const std::map<std::string, std::string>& data) override {
    core::Json object{{"apiVersion", "v1"},
                      {"kind", "Secret"},
                      {"metadata",
                       {{"name", name},
                        {"namespace", namespace_},
                        {"labels", {{"app.kubernetes.io/part-of", "gitmoor"}}}}},
                      {"type", "Opaque"},
                      {"data", encode(data)}};
    applier::HttpRequest request;
    request.method = "POST";
    request.path = "/api/v1/namespaces/" + namespace_ + "/secrets";
    request.body = object.dump();
    request.idempotent = false;
    const auto response = client_.send(request);
    if (response.status == 409) return false;
    if (response.status >= 300) throw applier::api_error(response, "create Secret " + namespace_ + "/" + name);
    return true;
  }

  bool update_secret(const std::string& name, const StoredData& stored) override {
    core::Json object = stored.object.is_object() ? stored.object : core::Json::object();
    object["apiVersion"] = "v1";
    object["kind"] = "Secret";
    object["metadata"]["name"] = name;
    object["metadata"]["namespace"] = namespace_;
    object["metadata"]["resourceVersion"] = stored.resource_version;
    object.erase("stringData");
    object["data"] = encode(stored.data);
    applier::HttpRequest request;
    request.method = "PUT";
    request.path = path("secrets", name);
    request.body = object.dump();
    const auto response = client_.send(request);
    if (response.status == 409) return false;
    if (response.status >= 300) throw applier::api_error(response, "update Secret " + namespace_ + "/" + name);
    return true;
  }

 private:
  std::string path(const std::string& resource, const std::string& name) const {
    return "/api/v1/namespaces/" + namespace_ + "/" + resource + "/" + name;
  }

  static core::Json encode(const std::map<std::string, std::string>& data) {
    core::Json encoded = core::Json::object();
    for (const auto& [key, value] : data) encoded[key] = auth::base64_encode(value);
    return encoded;
  }

  std::optional<StoredData> get(const std::string& resource, const std::string& name, bool base64) {
    applier::HttpRequest request;
    request.path = path(resource, name);
    request.timeout = std::chrono::seconds(10);
    const auto response = client_.send(request);
    if (response.status == 404) return std::nullopt;
    const std::string subject = std::string(base64 ? "Secret " : "ConfigMap ") + namespace_ + "/" + name;
    if (response.status >= 300) throw applier::api_error(response, "read " + subject);
    StoredData stored;
    stored.object = response.json();
    stored.resource_version = stored.object["metadata"].value("resourceVersion", "");
    if (const auto data = stored.object.find("data"); data != stored.object.end() && data->is_object()) {
      for (const auto& [key, value] : data->items()) {
        if (!value.is_string()) continue;
        if (!base64) {
          stored.data[key] = value.get<std::string>();
          continue;
        }
        auto decoded = auth::base64_decode(value.get<std::string>());
        // Names the key only: a Secret's value never reaches a log or an error.
        if (!decoded) throw core::InvalidInput(subject + ": data key " + key + " is not base64");
        stored.data[key] = std::move(*decoded);
      }
    }
    return stored;
  }

  applier::Client& client_;
  std::string namespace_;
};

}  // namespace

std::unique_ptr<AuthObjects> kubernetes_auth_objects(applier::Client& client, std::string apps_namespace) {
  return std::make_unique<KubernetesAuthObjects>(client, std::move(apps_namespace));
}

}  // namespace gitmoor::web
