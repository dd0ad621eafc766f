#pragma once
// Request targets → what they name: discovery documents, OpenAPI, the admin endpoint, or a resource path
// (group, version, [namespace], resource, [name], [subresource]). Pure functions, no registry lookups beyond the
// one passed in.
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace gitmoor::sandbox {

std::string url_decode(std::string_view text);
std::map<std::string, std::string> parse_query(std::string_view query);

struct Target {
  enum class Kind { NotFound, Health, Version, ApiRoot, ApisRoot, ApiGroup, GroupVersion, Resource, OpenApiV2,
                    OpenApiV3, Admin };
  Kind kind = Kind::NotFound;
  std::string path;
  std::map<std::string, std::string> query;
  std::string group;
  std::string version;
  std::vector<std::string> rest;  // segments after the group-version (a resource path), "watch" removed
  bool watch_prefix = false;      // the legacy /watch/ path form
};

Target parse_target(std::string_view target);

struct ResourcePath {
  std::string ns;
  std::string resource;
  std::string name;
  std::string subresource;
};

// Splits a resource path. `is_namespaced_resource(plural)` tells whether a plural names a namespaced type of this
// group-version (so `namespaces/x/status` is the Namespace's subresource, `namespaces/x/pods` a pod list).
bool split_resource_path(const std::vector<std::string>& rest,
                         const std::function<bool(const std::string&)>& is_namespaced_resource, ResourcePath& out);

}  // namespace gitmoor::sandbox
