// Controller::live_resource: one object of the app's resource tree as the API server has it now, for the UI's Live
// manifest of any node (Pods and ReplicaSets included, which managed-resources does not hold). Only a node of the
// tree can be read: a read-only caller of one app must not read any object of the cluster through it.
#include "controller_impl.hpp"
#include "secret_masks.hpp"

namespace gitmoor::engine {

using core::Json;

namespace {

// The tree's node for `ref` (version aside: any version of the object is the same object), or nullptr.
const Json* find_node(const Json& tree, const ResourceRef& ref) {
  for (const auto& node : tree["nodes"]) {
    if (node.value("group", "") == ref.group && node.value("kind", "") == ref.kind &&
        node.value("namespace", "") == ref.ns && node.value("name", "") == ref.name) {
      return &node;
    }
  }
  return nullptr;
}

std::string describe(const ResourceRef& ref) {
  return (ref.group.empty() ? "" : ref.group + "/") + ref.kind + " " + (ref.ns.empty() ? "" : ref.ns + "/") + ref.name;
}

}  // namespace

Json Controller::live_resource(const std::string& name, const ResourceRef& ref) const {
  const std::string subject = "application " + name + ": " + describe(ref);
  if (ref.kind.empty() || ref.name.empty()) throw core::InvalidInput("application " + name + ": kind and name are required");
  const auto tree = impl_->tree_of(name);
  const Json* node = find_node(tree, ref);
  if (node == nullptr) throw ResourceNotFound(subject + " is not part of the application's resource tree");

  // The path is built from the tree's own identity of the node, never from the request's text.
  const core::GroupVersionKind gvk{node->value("group", ""), ref.version.empty() ? node->value("version", "") : ref.version,
                                   node->value("kind", "")};
  const auto resource = impl_->resources.discovery().find(gvk);
  if (!resource) throw ResourceNotFound(subject + ": the API server does not serve " + gvk.to_string());
  const auto response =
      impl_->client.send({.method = "GET", .path = resource->path(node->value("namespace", ""), node->value("name", ""))});
  if (response.status == 404) throw ResourceNotFound(subject + " was not found (deleted since?)");
  if (response.status >= 400) throw applier::api_error(response, subject);

  Json object = response.json();
  if (auto metadata = object.find("metadata"); metadata != object.end() && metadata->is_object()) {
    metadata->erase("managedFields");  // kilobytes of field ownership nobody reads in a manifest view
  }
  mask_secret_values({&object});
  return object;
}

}  // namespace gitmoor::engine
