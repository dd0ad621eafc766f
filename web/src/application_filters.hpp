#pragma once
// GET /api/v1/applications's query, as Argo CD's ApplicationQuery has it: selector (a Kubernetes label selector),
// repo, sync, health, search, projects, name; and `fields`, the JSON paths a client wants kept
// (`fields=items.metadata.name,items.status.sync.status`). Pure: query text in, predicates out.
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "gitmoor/core/object.hpp"

namespace gitmoor::web {

// One requirement of a label selector: `a=b` / `a==b`, `a!=b`, `a in (x,y)`, `a notin (x,y)`, `a`, `!a`.
struct LabelRequirement {
  enum class Op { Equals, NotEquals, In, NotIn, Exists, NotExists };
  std::string key;
  Op op = Op::Exists;
  std::vector<std::string> values;
};

// Parses a selector ("" selects everything). Throws core::InvalidInput naming the selector and what is wrong.
std::vector<LabelRequirement> parse_label_selector(std::string_view text);
// True when `labels` (metadata.labels, an object or null) meets every requirement.
bool labels_match(const std::vector<LabelRequirement>& selector, const core::Json& labels);

struct ApplicationFilter {
  std::vector<LabelRequirement> selector;
  std::set<std::string> repos;     // engine::normalize_repo_url forms; empty = any
  std::set<std::string> sync;      // lower-cased sync statuses; empty = any
  std::set<std::string> health;    // lower-cased health statuses; empty = any
  std::set<std::string> projects;  // empty = any
  std::string name;                // exact; "" = any
  std::string search;              // substring of the name; "" = any

  // `app` is an Application as Operations::list_applications returns it.
  [[nodiscard]] bool matches(const core::Json& app) const;
  // The part an event stream can check from a name and metadata.labels alone (name, search, selector).
  [[nodiscard]] bool matches(const std::string& app_name, const core::Json& labels) const;
};

// Reads the filter from a query string. Parameters may repeat and hold comma-separated lists
// (`health=Healthy&health=Degraded`, `sync=Synced,OutOfSync`). Throws core::InvalidInput for a bad selector.
ApplicationFilter parse_application_filter(const std::string& query);

// The comma-separated `fields` values of a query (repeatable), empty when none was given.
std::vector<std::string> parse_fields(const std::string& query);

// `document` with only the given dotted paths kept ("items.metadata.name": through arrays, every element). A path
// that leads nowhere keeps nothing. With no paths, the document as it is.
core::Json keep_fields(const core::Json& document, const std::vector<std::string>& paths);

}  // namespace gitmoor::web
