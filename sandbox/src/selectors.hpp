#pragma once
// labelSelector (=, ==, !=, in, notin, exists, !key, gt, lt) and fieldSelector (=, ==, != on any dotted field path,
// e.g. metadata.name, metadata.namespace, status.phase) as the API server parses them.
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace gitmoor::sandbox {

using Json = nlohmann::json;

class LabelSelector {
 public:
  // Throws ApiError 400 on a malformed selector.
  static LabelSelector parse(std::string_view text);
  // From a metav1.LabelSelector object ({matchLabels, matchExpressions}).
  static LabelSelector from_json(const Json& selector);
  [[nodiscard]] bool matches(const Json& labels) const;
  [[nodiscard]] bool empty() const { return requirements_.empty(); }

 private:
  enum class Op { Equals, NotEquals, In, NotIn, Exists, DoesNotExist, Gt, Lt };
  struct Requirement {
    std::string key;
    Op op;
    std::vector<std::string> values;
  };
  std::vector<Requirement> requirements_;
};

class FieldSelector {
 public:
  static FieldSelector parse(std::string_view text);
  [[nodiscard]] bool matches(const Json& object) const;
  [[nodiscard]] bool empty() const { return requirements_.empty(); }
  // The field labels it names, for checking them against a resource's (kube refuses labels it does not know).
  [[nodiscard]] std::vector<std::string> paths() const;
  // Matches the field label `label` at `path` instead (kube's field label conversions: an Event's `source` is
  // its source.component).
  void rename(const std::string& label, const std::string& path);

 private:
  struct Requirement {
    std::string path;
    bool equals;
    std::string value;
  };
  std::vector<Requirement> requirements_;
};

}  // namespace gitmoor::sandbox
