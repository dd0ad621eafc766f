#pragma once
// Which Applications a stream client asked for: `?name=` and `?selector=` on /api/v1/stream/applications, as on
// Argo CD's ApplicationService.Watch. The selector is a Kubernetes label selector over metadata.labels:
// `k=v`, `k==v`, `k!=v`, `k`, `!k`, `k in (a,b)`, `k notin (a,b)`, comma-separated (all must hold).
#include <optional>
#include <string>
#include <vector>

#include "gitmoor/core/object.hpp"

namespace gitmoor::web {

class ApplicationFilter {
 public:
  // Throws core::InvalidInput naming the selector when it cannot be parsed.
  static ApplicationFilter parse(std::optional<std::string> name, const std::optional<std::string>& selector);

  // `app` is an Application as the API shows it ({metadata: {name, labels}, ...}).
  [[nodiscard]] bool matches(const core::Json& app) const;
  [[nodiscard]] bool matches(const std::string& name, const core::Json& labels) const;

 private:
  enum class Op { Equals, NotEquals, Exists, NotExists, In, NotIn };
  struct Requirement {
    std::string key;
    Op op = Op::Exists;
    std::vector<std::string> values;
  };
  std::optional<std::string> name_;
  std::vector<Requirement> requirements_;
};

}  // namespace gitmoor::web
