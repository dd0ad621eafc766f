#pragma once
// The body of POST /api/v1/applications/{name}/sync: {revision, prune, dryRun, force, resources: [{group, kind,
// namespace, name}]}, every field optional.
#include <string>

#include "gitmoor/engine/application_status.hpp"

namespace gitmoor::web {

// Parses `body` ("" = all defaults); throws core::InvalidInput naming the offending field.
engine::SyncRequest parse_sync_request(const std::string& body);

}  // namespace gitmoor::web
