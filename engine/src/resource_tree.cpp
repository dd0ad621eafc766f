// See resource_tree.hpp.
#include "resource_tree.hpp"

#include <algorithm>
#include <set>
#include <tuple>

#include "tree_node.hpp"

namespace gitmoor::engine {

using core::Json;

Json build_resource_tree(const std::vector<core::Object>& managed, const ChildLookup& children,
                         const differ::LuaHealthRules& health_rules) {
  std::vector<Json> nodes;
  std::set<std::string> seen;  // uids already in the tree: an ownership cycle or a shared child is shown once
  std::vector<std::pair<std::string, int>> pending;  // uid to expand, depth
  for (const auto& object : managed) {
    auto node = tree_node(object.json(), health_rules);
    const std::string uid = node.value("uid", "");
    if (!uid.empty()) {
      if (!seen.insert(uid).second) continue;
      pending.emplace_back(uid, 1);
    }
    nodes.push_back(std::move(node));
  }
  while (!pending.empty()) {
    const auto [uid, depth] = pending.back();
    pending.pop_back();
    if (depth > kMaxTreeDepth || !children) continue;
    for (auto& child : children(uid)) {
      const std::string child_uid = child.value("uid", "");
      if (child_uid.empty() || !seen.insert(child_uid).second) continue;
      pending.emplace_back(child_uid, depth + 1);
      nodes.push_back(std::move(child));
    }
  }
  const auto order = [](const Json& node) {
    return std::make_tuple(node.value("group", ""), node.value("kind", ""), node.value("namespace", ""),
                           node.value("name", ""));
  };
  std::sort(nodes.begin(), nodes.end(), [&](const Json& a, const Json& b) { return order(a) < order(b); });
  Json out_nodes = Json::array();
  for (auto& node : nodes) out_nodes.push_back(std::move(node));
  return {{"nodes", std::move(out_nodes)}, {"orphanedNodes", Json::array()}, {"hosts", Json::array()}};
}

}  // namespace gitmoor::engine
