#pragma once
// What an API path asks for, for counters and messages: verb and resource the way the API server names them.
#include <string>
#include <string_view>

namespace gitmoor::applier {

struct RequestKind {
  std::string verb;      // get, list, watch, create, update, patch, delete, deletecollection, discovery
  std::string resource;  // "deployments.apps", "namespaces/status"; "" for discovery and /version
};

RequestKind classify_request(std::string_view method, std::string_view path_and_query);

}  // namespace gitmoor::applier
