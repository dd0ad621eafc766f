#include "quantities.hpp"

#include <set>

#include "gitmoor/core/quantity.hpp"

namespace gitmoor::sandbox {

namespace {

using Json = nlohmann::json;

void canonicalise(Json& value) {
  std::optional<core::Quantity> q;
  if (value.is_string()) {
    q = core::Quantity::try_parse(value.get<std::string>());
  } else if (value.is_number_integer()) {
    q = core::Quantity::try_parse(std::to_string(value.get<long long>()));
  } else if (value.is_number_float()) {
    q = core::Quantity::try_parse(value.dump());
  }
  if (q) value = q->to_string();  // kube always writes a quantity as a JSON string
}

// Where a kind keeps quantities: objects whose every value is one (`requests: {cpu: ...}`), and single fields.
struct QuantityFields {
  std::set<std::string> maps;
  std::set<std::string> scalars;
  std::set<std::string> scalar_parents;  // when set, scalars count only inside these objects
};

const QuantityFields* fields_of(const std::string& kind) {
  static const QuantityFields pods{{"requests", "limits", "overhead", "capacity"}, {"sizeLimit"}};
  static const QuantityFields claims{{"requests", "limits", "capacity"}, {}};
  static const QuantityFields node{{"capacity", "allocatable"}, {}};
  // Metric targets and current values; not behavior.*.policies[].value, an integer.
  static const QuantityFields hpa{{}, {"value", "averageValue"}, {"target", "current"}};
  static const QuantityFields limit_range{{"max", "min", "default", "defaultRequest", "maxLimitRequestRatio"}, {}};
  static const QuantityFields quota{{"hard", "used"}, {}};
  static const std::set<std::string> pod_kinds{"Pod",         "PodTemplate", "Deployment", "ReplicaSet",
                                               "StatefulSet", "DaemonSet",   "Job",        "CronJob",
                                               "ReplicationController"};
  if (pod_kinds.count(kind)) return &pods;  // StatefulSet claim templates use requests/limits too
  if (kind == "PersistentVolumeClaim" || kind == "PersistentVolume") return &claims;
  if (kind == "Node") return &node;
  if (kind == "HorizontalPodAutoscaler") return &hpa;
  if (kind == "LimitRange") return &limit_range;
  if (kind == "ResourceQuota") return &quota;
  return nullptr;
}

void walk(Json& value, const QuantityFields& fields, const std::string& parent) {
  if (value.is_object()) {
    bool scalars_here = fields.scalar_parents.empty() || fields.scalar_parents.count(parent) > 0;
    for (auto it = value.begin(); it != value.end(); ++it) {
      if (fields.maps.count(it.key()) && it->is_object()) {
        for (auto& q : *it) canonicalise(q);
      } else if (scalars_here && fields.scalars.count(it.key()) && !it->is_object() && !it->is_array()) {
        canonicalise(*it);
      } else {
        walk(*it, fields, it.key());
      }
    }
  } else if (value.is_array()) {
    for (auto& item : value) walk(item, fields, parent);
  }
}

}  // namespace

void canonicalise_quantities(const std::string& kind, Json& object) {
  const QuantityFields* fields = fields_of(kind);
  if (!fields || !object.is_object()) return;
  for (const char* part : {"spec", "status"}) {
    if (object.contains(part)) walk(object[part], *fields, part);
  }
}

}  // namespace gitmoor::sandbox
