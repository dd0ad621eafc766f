#pragma once
// Server-side apply and managedFields bookkeeping: who owns which field (FieldsV1), conflicts between managers,
// and removal of fields a manager stops applying.
#include <string>

#include <nlohmann/json.hpp>

namespace gitmoor::sandbox {

using Json = nlohmann::json;

struct FieldContext {
  bool builtin = true;             // list keys from schema.hpp apply
  bool status_subresource = false; // main-resource managers do not own .status
  std::string api_version;         // recorded in managedFields entries
  std::string now;                 // RFC 3339, recorded as time
};

// Merges `applied` (an apply configuration) into `live` (null when the object does not exist) for `manager`.
// Throws ApiError 409 naming the other managers and fields when a conflict is found and force is false.
// The result carries updated managedFields; defaulting and validation come after.
Json server_side_apply(const Json& live, const Json& applied, const std::string& manager, bool force,
                       const FieldContext& context);

// Records that `manager` changed `before` (null on create) into `after` with an Update operation (`subresource`
// "" or "status"/"scale"): after's managedFields become before's, adjusted.
void record_update(const Json& before, Json& after, const std::string& manager, const std::string& subresource,
                   const FieldContext& context);

}  // namespace gitmoor::sandbox
