#include "disruption.hpp"

#include <algorithm>
#include <cmath>

#include "selectors.hpp"

namespace gitmoor::sandbox {

namespace {

bool ready(const Json& pod) {
  const Json status = pod.value("status", Json::object());
  if (status.value("phase", "") != "Running") return false;
  for (const auto& c : status.value("conditions", Json::array())) {
    if (c.value("type", "") == "Ready") return c.value("status", "") == "True";
  }
  return false;
}

// An IntOrString of a PDB: an integer, or a percentage of `expected` (kube rounds minAvailable and maxUnavailable
// percentages up).
long long scaled(const Json& value, long long expected) {
  if (value.is_number_integer()) return value.get<long long>();
  if (value.is_string()) {
    std::string text = value.get<std::string>();
    if (!text.empty() && text.back() == '%') {
      try {
        double percent = std::stod(text.substr(0, text.size() - 1));
        return static_cast<long long>(std::ceil(percent * static_cast<double>(expected) / 100.0));
      } catch (const std::exception&) {
        return 0;
      }
    }
    try {
      return std::stoll(text);
    } catch (const std::exception&) {
      return 0;
    }
  }
  return 0;
}

}  // namespace

Json disruption_status(const Json& pdb, const std::vector<ObjectPtr>& namespace_pods, const Json& previous_status,
                       const std::string& now) {
  const Json spec = pdb.value("spec", Json::object());
  long long expected = 0;
  long long healthy = 0;
  // policy/v1: an empty selector covers every Pod of the namespace, a missing one none.
  if (spec.contains("selector") && spec["selector"].is_object()) {
    LabelSelector selector = LabelSelector::from_json(spec["selector"]);
    for (const auto& pod : namespace_pods) {
      const Json& md = (*pod)["metadata"];
      if (md.contains("deletionTimestamp")) continue;
      std::string phase = pod->value("status", Json::object()).value("phase", "");
      if (phase == "Succeeded" || phase == "Failed") continue;
      if (!selector.matches(md.value("labels", Json::object()))) continue;
      ++expected;
      if (ready(*pod)) ++healthy;
    }
  }
  long long desired = 0;
  if (spec.contains("minAvailable")) {
    desired = scaled(spec["minAvailable"], expected);
  } else if (spec.contains("maxUnavailable")) {
    desired = std::max(0LL, expected - scaled(spec["maxUnavailable"], expected));
  }
  long long allowed = std::max(0LL, healthy - desired);
  std::string condition_status = allowed > 0 ? "True" : "False";
  std::string transition = now;
  for (const auto& c : previous_status.value("conditions", Json::array())) {
    if (c.value("type", "") == "DisruptionAllowed" && c.value("status", "") == condition_status) {
      transition = c.value("lastTransitionTime", now);
    }
  }
  return {{"observedGeneration", pdb["metadata"].value("generation", 1LL)},
          {"disruptionsAllowed", allowed},
          {"currentHealthy", healthy},
          {"desiredHealthy", desired},
          {"expectedPods", expected},
          {"conditions",
           {{{"type", "DisruptionAllowed"},
             {"status", condition_status},
             {"reason", allowed > 0 ? "SufficientPods" : "InsufficientPods"},
             {"message", ""},
             {"observedGeneration", pdb["metadata"].value("generation", 1LL)},
             {"lastTransitionTime", transition}}}}};
}

}  // namespace gitmoor::sandbox
