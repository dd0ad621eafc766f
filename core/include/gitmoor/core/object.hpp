#pragma once
// Kubernetes objects as JSON (DESIGN.md decision 1), and the keys that name them.
#include <compare>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace gitmoor::core {

using Json = nlohmann::json;

// Where an object came from, for error messages: `helm/tetris/templates/backend.yaml:12 (document 3)`.
struct SourceLocation {
  std::string file;       // empty when the object did not come from a file (the API, a test)
  std::size_t document = 0;  // 0-based index of the YAML document in the file
  std::size_t line = 0;      // 1-based line of the document's first content; 0 when unknown

  [[nodiscard]] bool known() const { return !file.empty() || line != 0; }
  [[nodiscard]] std::string to_string() const;
  auto operator<=>(const SourceLocation&) const = default;
};

// apiVersion + kind. `apps/v1` → group "apps", version "v1"; `v1` → core group "".
struct GroupVersionKind {
  std::string group;
  std::string version;
  std::string kind;

  static GroupVersionKind from(std::string_view api_version, std::string_view kind);
  [[nodiscard]] std::string api_version() const;  // inverse of from(): "apps/v1" or "v1"
  [[nodiscard]] std::string to_string() const;    // "apps/v1, Kind=Deployment" (client-go's form)
  auto operator<=>(const GroupVersionKind&) const = default;
};

// Group + version + plural resource name, as used in API paths.
struct GroupVersionResource {
  std::string group;
  std::string version;
  std::string resource;

  [[nodiscard]] std::string to_string() const;  // "deployments.v1.apps" (client-go's form)
  auto operator<=>(const GroupVersionResource&) const = default;
};

// The identity of an object in a cluster regardless of API version (gitops-engine's kube.ResourceKey).
struct ResourceKey {
  std::string group;
  std::string kind;
  std::string ns;  // empty for cluster-scoped objects
  std::string name;

  // `apps/Deployment game/backend`; core group `/Service game/backend`; cluster-scoped `/Namespace game`.
  [[nodiscard]] std::string to_string() const;
  auto operator<=>(const ResourceKey&) const = default;
};

// A Kubernetes object: a JSON value with accessors for the fields every module reads. Copying copies the JSON.
class Object {
 public:
  Object() : json_(Json::object()) {}
  explicit Object(Json json, SourceLocation source = {});

  [[nodiscard]] const Json& json() const { return json_; }
  [[nodiscard]] Json& json() { return json_; }

  [[nodiscard]] std::string api_version() const;
  [[nodiscard]] std::string kind() const;
  [[nodiscard]] GroupVersionKind gvk() const;
  [[nodiscard]] std::string name() const;
  [[nodiscard]] std::string ns() const;  // metadata.namespace, "" when absent
  [[nodiscard]] ResourceKey key() const;

  // metadata, metadata.labels, metadata.annotations; an empty object when absent.
  [[nodiscard]] const Json& metadata() const;
  [[nodiscard]] const Json& labels() const;
  [[nodiscard]] const Json& annotations() const;
  [[nodiscard]] std::optional<std::string> label(std::string_view key) const;
  [[nodiscard]] std::optional<std::string> annotation(std::string_view key) const;

  void set_name(std::string_view name);
  void set_ns(std::string_view ns);
  void set_label(std::string_view key, std::string_view value);
  void set_annotation(std::string_view key, std::string_view value);

  [[nodiscard]] const SourceLocation& source() const { return source_; }
  void set_source(SourceLocation source) { source_ = std::move(source); }

  // The subject of a message about this object: its key, plus its source when known.
  [[nodiscard]] std::string describe() const;

  friend bool operator==(const Object& a, const Object& b) { return a.json_ == b.json_; }

 private:
  Json& metadata_mut();

  Json json_;
  SourceLocation source_;
};

}  // namespace gitmoor::core

template <>
struct std::hash<gitmoor::core::ResourceKey> {
  std::size_t operator()(const gitmoor::core::ResourceKey& k) const noexcept;
};
template <>
struct std::hash<gitmoor::core::GroupVersionKind> {
  std::size_t operator()(const gitmoor::core::GroupVersionKind& g) const noexcept;
};
