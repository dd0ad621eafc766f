// The read-only views of one application through the Controller: its resource tree, its managed resources and the
// metadata of a revision. Events are in app_events.cpp, logs in pod_logs.cpp.
#include "comparison.hpp"
#include "controller_impl.hpp"
#include "gitmoor/applier/tracking.hpp"
#include "gitmoor/core/packed.hpp"
#include "managed_resources.hpp"
#include "resource_tree.hpp"

namespace gitmoor::engine {

using core::Json;
using core::Object;

namespace {

Application app_named(const Controller::Impl& impl, const std::string& name) {
  std::lock_guard lock(impl.mutex);
  auto it = impl.apps.find(name);
  if (it == impl.apps.end()) throw ApplicationNotFound("application " + name + " not found");
  return it->second->app;
}

}  // namespace

std::vector<Object> Controller::Impl::owned_live(const Application& app) const {
  std::vector<Object> out;
  for (const auto& packed : live_objects(app.instance())) {
    Object object(core::unpack(packed.bytes));
    if (object.annotation(applier::kTrackingAnnotation) != applier::tracking_id(app.instance(), object.key())) continue;
    out.push_back(std::move(object));
  }
  return out;
}

Json Controller::Impl::tree_of(const std::string& name) {
  const auto app = app_named(*this, name);
  const auto managed = owned_live(app);
  std::set<std::string> namespaces{app.target_namespace()};
  for (const auto& object : managed) namespaces.insert(object.ns());
  owner_index.watch(namespaces);
  const auto rules = current_health_rules();
  return build_resource_tree(managed, [this](const std::string& uid) { return owner_index.children(uid); }, *rules);
}

Json Controller::resource_tree(const std::string& name) const { return impl_->tree_of(name); }

Json Controller::managed_resources(const std::string& name) const {
  auto& impl = *impl_;
  Application app;
  std::shared_ptr<const renderer::RenderResult> manifests;
  std::string source_error;
  {
    std::lock_guard lock(impl.mutex);
    auto it = impl.apps.find(name);
    if (it == impl.apps.end()) throw ApplicationNotFound("application " + name + " not found");
    app = it->second->app;
    manifests = it->second->manifests;
    source_error = it->second->source_error;
  }
  if (!manifests) {
    // Without a desired state every live object would read as extraneous: say why there is none instead.
    throw core::EnvironmentError("application " + name + ": no manifests yet" +
                                 (source_error.empty() ? "" : ": " + source_error));
  }
  const auto desired = impl.resources.prepare(manifests->objects, app.instance(), app.target_namespace());
  const auto live = impl.live_objects(app.instance());
  const differ::DiffOptions options{.field_manager = "gitmoor", .ignore_rules = app.ignore_differences};
  const auto comparison = compare(app.instance(), desired, live, options, *impl.current_health_rules());
  std::vector<Object> decoded;
  decoded.reserve(live.size());
  for (const auto& packed : live) decoded.emplace_back(core::unpack(packed.bytes));
  return managed_resources_json(desired, decoded, comparison.diff);
}

Json Controller::revision_metadata(const std::string& name, const std::string& revision) const {
  const auto app = app_named(*impl_, name);
  const auto source = app_source(app);
  if (!source.chart.empty()) {
    // A Helm repository's revision is a chart version: no commit, author or date to show.
    return {{"author", ""}, {"date", ""}, {"message", "chart " + source.chart + " " + revision}, {"tags", Json::array()}};
  }
  CommitMetadata metadata;
  try {
    metadata = impl_->git.commit_metadata(source.repository, revision);
  } catch (const GitError& e) {
    if (e.kind() != GitErrorKind::RevisionNotFound) throw;
    throw ResourceNotFound("application " + name + ": revision " + revision + " not found: " + e.what());
  }
  return {{"author", metadata.author},
          {"date", metadata.date},
          {"message", metadata.message},
          {"tags", metadata.tags}};
}

}  // namespace gitmoor::engine
