#pragma once
// Reading live objects for apply and prune: LISTs narrowed by the app label, all pages, items given their
// apiVersion and kind (list items may omit them).
#include <map>
#include <string>
#include <vector>

#include "gitmoor/applier/client.hpp"
#include "gitmoor/applier/discovery.hpp"
#include "gitmoor/core/object.hpp"

namespace gitmoor::applier {

// Every object of `resource` in `ns` ("" = all namespaces, or cluster-scoped) matching `label_selector`.
std::vector<core::Object> list_objects(Client& client, const ApiResource& resource, const std::string& ns,
                                       const std::string& label_selector);

std::string url_encode(const std::string& text);

}  // namespace gitmoor::applier
