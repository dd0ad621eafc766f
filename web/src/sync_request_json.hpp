#pragma once
// Request bodies of the application operations, in Argo CD's shapes (ApplicationSyncRequest,
// ApplicationRollbackRequest), every field optional:
//   sync:     {revision, prune, dryRun, strategy: {apply: {force}} | {hook: {force}}, resources: [{group, kind,
//              namespace, name}], syncOptions: {items: ["ServerSideApply=true", ...]}}
//             (also the earlier flat form: top-level `force`, `syncOptions` as a plain list)
//   rollback: {id, prune, dryRun} (`id` a number or, as grpc-gateway writes int64, a numeric string)
#include <string>

#include "gitmoor/engine/application_status.hpp"
#include "gitmoor/engine/operations.hpp"

namespace gitmoor::web {

// Parses `body` ("" = all defaults); throws core::InvalidInput naming the offending field.
engine::SyncRequest parse_sync_request(const std::string& body);
engine::RollbackRequest parse_rollback_request(const std::string& body);

}  // namespace gitmoor::web
