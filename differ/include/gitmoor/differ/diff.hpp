#pragma once
// The structural diff that predicts server-side apply (DESIGN.md decision 4). Pure: objects in, result out.
//
// A resource is in sync when (a) every field of the desired object equals the live value (maps by key, list-maps
// by their merge keys, other lists atomically; quantities by value, numbers by value) and (b) no field that the
// field manager owns in the live object's managedFields is absent from the desired object (apply would remove it).
// Fields other managers set (defaults, controllers, webhooks) are not drift.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "gitmoor/core/object.hpp"
#include "gitmoor/differ/crd_schema.hpp"
#include "gitmoor/differ/ignore.hpp"
#include "gitmoor/differ/result.hpp"

namespace gitmoor::differ {

inline constexpr const char* kTrackingAnnotation = "gitmoor.dev/tracking-id";

struct DiffOptions {
  std::string field_manager = "gitmoor";
  std::vector<IgnoreRule> ignore_rules;
  // spec.replicas of a workload that a HorizontalPodAutoscaler scales is not drift (on by default).
  bool ignore_hpa_replicas = true;
  // The list types of custom resources, from their CRDs (not owned; must outlive the call). Without it, or for a
  // kind it holds no CRD of, a custom resource's lists are compared atomically.
  const CustomResourceSchemas* custom_resource_schemas = nullptr;
};

// One resource. At least one side must be given: no desired → Extraneous, no live → Missing.
// `hpa_targets` are the keys of workloads scaled by an HPA (see hpa_targets()).
ResourceDiff diff_resource(const core::Object* desired, const core::Object* live, const DiffOptions& options = {},
                           const std::vector<core::ResourceKey>& hpa_targets = {});

// An object in gitmoor's packed form (core/packed.hpp: the form the applier's LiveCache keeps live objects in) and
// its key. The bytes are not owned.
struct PackedResource {
  core::ResourceKey key;
  std::span<const std::uint8_t> packed;
  // The same object decoded, when the caller has it (the engine has its desired objects): the full diff then uses
  // it instead of decoding the bytes again. Must hold exactly what `packed` holds.
  const core::Object* decoded = nullptr;
};

// diff_resource over packed objects, with the same result. The common case, in sync, is decided by reading both
// objects in place (no decode; what desired does not mention is skipped whole); anything else — a difference, or a value the
// quick check cannot be sure of (equal values spelt differently: `1` and `1.0`, `0.5` and `500m`) — decodes both
// and runs diff_resource. The quick check answers "in sync" only where diff_resource does (tests/differ proves
// it on every golden pair and on mutations of them).
ResourceDiff diff_packed(const PackedResource* desired, const PackedResource* live, const DiffOptions& options = {},
                         const std::vector<core::ResourceKey>& hpa_targets = {});

// The quick check alone: true only when the objects are certainly in sync; false means "diff them", not "drift".
bool packed_in_sync(const PackedResource& desired, const PackedResource& live, const DiffOptions& options = {});

// An application: desired and live objects matched by ResourceKey. Live objects without a desired counterpart are
// Extraneous only when they carry the tracking annotation (the caller selected them as the app's); others are
// skipped. Result sorted by key.
AppDiff diff_app(const std::vector<core::Object>& desired, const std::vector<core::Object>& live,
                 const DiffOptions& options = {});

// Keys of the workloads that HorizontalPodAutoscalers among `objects` scale (their spec.scaleTargetRef).
std::vector<core::ResourceKey> hpa_targets(const std::vector<const core::Object*>& objects);

}  // namespace gitmoor::differ
