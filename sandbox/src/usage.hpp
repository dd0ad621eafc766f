#pragma once
// Simulated resource usage of Pods: what metrics.k8s.io reports (`kubectl top`) and what the HPA controller scales
// on. No process runs, so usage is derived from each container's requests: by default a steady low load (10% of the
// CPU request, 50% of the memory request; small absolute values without requests). Load rules, set through the
// admin endpoint (`POST /sandbox/load`), raise or lower it for the Pods a label selector picks in a namespace, as a
// utilisation of their requests ("90%") or as an absolute amount per Pod ("250m", "300Mi"). Rules are read when
// usage is asked for, so Pods created later get the load of the rules they match. Thread-safe.
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace gitmoor::sandbox {

using Json = nlohmann::json;

// One resource's load: a fraction of the request, or an absolute amount per Pod (CPU in millicores, memory in bytes).
struct LoadAmount {
  enum class Kind { Unset, Default, Relative, Absolute };
  Kind kind = Kind::Unset;  // Unset: the rule says nothing; Default: back to the default load
  double fraction = 0;      // of the request, when Relative (0.9 for "90%")
  std::int64_t amount = 0;  // when Absolute
  std::string text;         // as written, for GET /sandbox/load

  [[nodiscard]] bool set() const { return kind == Kind::Relative || kind == Kind::Absolute; }
};

struct LoadRule {
  std::string ns;        // the namespace whose Pods it loads
  std::string selector;  // a label selector ("app=web,tier in (a,b)"); empty: every Pod of the namespace
  LoadAmount cpu;
  LoadAmount memory;

  // {"namespace","selector","cpu","memory"}; "cpu": "90%" | "250m" | "default". Throws ApiError 400 naming the field.
  static LoadRule from_json(const Json& body);
  [[nodiscard]] Json to_json() const;
};

struct ContainerUsage {
  std::string name;
  std::int64_t cpu_nanocores = 0;
  std::int64_t memory_bytes = 0;
};

class Usage {
 public:
  // Adds a rule, or updates the one with the same namespace and selector (what the new rule leaves unset stays;
  // "default" clears); a rule left with neither cpu nor memory goes away.
  void set(const LoadRule& rule);
  void clear();
  [[nodiscard]] Json rules_json() const;

  // Usage of each container of a Pod, under the rules now in force (the last rule that matches wins, per resource).
  [[nodiscard]] std::vector<ContainerUsage> pod_usage(const Json& pod) const;

 private:
  mutable std::mutex mutex_;
  std::vector<LoadRule> rules_;
};

// metrics-server's wire forms: CPU in nanocores ("12345678n"), memory in kibibytes ("262144Ki").
std::string cpu_quantity(std::int64_t nanocores);
std::string memory_quantity(std::int64_t bytes);

}  // namespace gitmoor::sandbox
