#pragma once
// The little schema knowledge merges need: which lists of the built-in types are maps keyed by some fields
// (containers by name, ports by containerPort+protocol, ...), which are sets, and which are atomic.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace gitmoor::sandbox {

using Json = nlohmann::json;

enum class ListType { Atomic, Map, Set };

struct ListSchema {
  ListType type = ListType::Atomic;
  std::vector<std::string> keys;  // for Map: server-side apply's key fields
  std::string merge_key;          // for Map: strategic merge patch's patchMergeKey
};

// `path` is the chain of field names from the object root to the list (list indices left out);
// `builtin` is false for custom resources, whose lists are atomic except in metadata.
ListSchema list_schema(const std::vector<std::string>& path, bool builtin);

}  // namespace gitmoor::sandbox
