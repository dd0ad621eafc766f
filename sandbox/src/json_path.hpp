#pragma once
// The part of kube's JSONPath (client-go/util/jsonpath) that CRD additionalPrinterColumns use: `.a.b`, `.a[0].b`,
// `.a[-1]`, `.a[*].b`, `.*`, `['a.b']`, `..name` (recursive), and filters `[?(@.type=="Ready")]` with ==, !=, <, <=,
// >, >= against a string, number or boolean literal, or `[?(@.x)]` (the field exists). Missing keys give no
// result rather than an error, as with kube's AllowMissingKeys(true).
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace gitmoor::sandbox {

using Json = nlohmann::json;

class JsonPath {
 public:
  // Parses `.status.sync.status` (an optional `{...}` around it is accepted). Throws std::invalid_argument naming
  // the expression when it is not in the subset.
  static JsonPath parse(const std::string& expression);

  // Every value the path selects, in document order.
  [[nodiscard]] std::vector<const Json*> find(const Json& root) const;

  struct Step;  // defined in json_path.cpp
  JsonPath() = default;
  explicit JsonPath(std::vector<std::shared_ptr<const Step>> steps) : steps_(std::move(steps)) {}

 private:
  std::vector<std::shared_ptr<const Step>> steps_;
};

}  // namespace gitmoor::sandbox
