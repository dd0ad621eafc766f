#include "gitmoor/core/object.hpp"

#include <boost/container_hash/hash.hpp>

namespace gitmoor::core {
namespace {

const Json& empty_object() {
  static const Json kEmpty = Json::object();
  return kEmpty;
}

std::string string_at(const Json& json, const char* key) {
  if (!json.is_object()) return {};
  auto it = json.find(key);
  return it != json.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

const Json& object_at(const Json& json, const char* key) {
  if (!json.is_object()) return empty_object();
  auto it = json.find(key);
  return it != json.end() && it->is_object() ? *it : empty_object();
}

std::optional<std::string> string_in(const Json& map, std::string_view key) {
  auto it = map.find(key);
  if (it == map.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

}  // namespace

std::string SourceLocation::to_string() const {
  std::string out = file.empty() ? std::string("<input>") : file;
  if (line != 0) out += ":" + std::to_string(line);
  out += " (document " + std::to_string(document + 1) + ")";
  return out;
}

GroupVersionKind GroupVersionKind::from(std::string_view api_version, std::string_view kind) {
  GroupVersionKind gvk;
  gvk.kind = std::string(kind);
  auto slash = api_version.find('/');
  if (slash == std::string_view::npos) {
    gvk.version = std::string(api_version);
  } else {
    gvk.group = std::string(api_version.substr(0, slash));
    gvk.version = std::string(api_version.substr(slash + 1));
  }
  return gvk;
}

std::string GroupVersionKind::api_version() const { return group.empty() ? version : group + "/" + version; }

std::string GroupVersionKind::to_string() const { return api_version() + ", Kind=" + kind; }

std::string GroupVersionResource::to_string() const {
  return group.empty() ? resource + "." + version : resource + "." + version + "." + group;
}

std::string ResourceKey::to_string() const {
  std::string out = group + "/" + kind + " ";
  if (!ns.empty()) out += ns + "/";
  out += name;
  return out;
}

Object::Object(Json json, SourceLocation source) : json_(std::move(json)), source_(std::move(source)) {}

std::string Object::api_version() const { return string_at(json_, "apiVersion"); }
std::string Object::kind() const { return string_at(json_, "kind"); }
GroupVersionKind Object::gvk() const { return GroupVersionKind::from(api_version(), kind()); }
std::string Object::name() const { return string_at(metadata(), "name"); }
std::string Object::ns() const { return string_at(metadata(), "namespace"); }

ResourceKey Object::key() const {
  auto g = gvk();
  return ResourceKey{std::move(g.group), std::move(g.kind), ns(), name()};
}

const Json& Object::metadata() const { return object_at(json_, "metadata"); }
const Json& Object::labels() const { return object_at(metadata(), "labels"); }
const Json& Object::annotations() const { return object_at(metadata(), "annotations"); }
std::optional<std::string> Object::label(std::string_view key) const { return string_in(labels(), key); }
std::optional<std::string> Object::annotation(std::string_view key) const { return string_in(annotations(), key); }

Json& Object::metadata_mut() {
  if (!json_.is_object()) json_ = Json::object();
  Json& meta = json_["metadata"];
  if (!meta.is_object()) meta = Json::object();
  return meta;
}

void Object::set_name(std::string_view name) { metadata_mut()["name"] = name; }

void Object::set_ns(std::string_view ns) {
  if (ns.empty()) {
    metadata_mut().erase("namespace");
  } else {
    metadata_mut()["namespace"] = ns;
  }
}

void Object::set_label(std::string_view key, std::string_view value) {
  Json& labels = metadata_mut()["labels"];
  if (!labels.is_object()) labels = Json::object();
  labels[std::string(key)] = value;
}

void Object::set_annotation(std::string_view key, std::string_view value) {
  Json& annotations = metadata_mut()["annotations"];
  if (!annotations.is_object()) annotations = Json::object();
  annotations[std::string(key)] = value;
}

std::string Object::describe() const {
  std::string out = key().to_string();
  if (source_.known()) out += " (" + source_.to_string() + ")";
  return out;
}

}  // namespace gitmoor::core

std::size_t std::hash<gitmoor::core::ResourceKey>::operator()(const gitmoor::core::ResourceKey& k) const noexcept {
  std::size_t seed = 0;
  boost::hash_combine(seed, k.group);
  boost::hash_combine(seed, k.kind);
  boost::hash_combine(seed, k.ns);
  boost::hash_combine(seed, k.name);
  return seed;
}

std::size_t std::hash<gitmoor::core::GroupVersionKind>::operator()(
    const gitmoor::core::GroupVersionKind& g) const noexcept {
  std::size_t seed = 0;
  boost::hash_combine(seed, g.group);
  boost::hash_combine(seed, g.version);
  boost::hash_combine(seed, g.kind);
  return seed;
}
