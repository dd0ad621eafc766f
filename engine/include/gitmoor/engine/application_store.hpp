#pragma once
// Applications as custom resources (DESIGN.md decision 7): listed from a namespace, watched through a LiveCache
// target, and their status written to the status subresource. gitmoor.dev Applications always; argoproj.io ones
// when asked (`--argocd-applications`). A group whose CRD is not installed simply has no Applications.
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "gitmoor/applier/client.hpp"
#include "gitmoor/applier/discovery.hpp"
#include "gitmoor/applier/live_cache.hpp"
#include "gitmoor/engine/application.hpp"
#include "gitmoor/engine/application_status.hpp"

namespace gitmoor::engine {

// The Application resource of `group` (gitmoor.dev or argoproj.io), v1alpha1, plural `applications`, namespaced.
applier::ApiResource application_resource(std::string_view group);

// The smallest JSON merge patch (RFC 7386) turning `from` into `to`: changed and added fields, null for removed ones.
// An empty object when they are equal.
core::Json merge_patch_between(const core::Json& from, const core::Json& to);

struct ApplicationStoreOptions {
  bool argocd_applications = false;  // also list and watch argoproj.io/v1alpha1 Applications
  int conflict_retries = 5;          // status writes re-read and retry this often on 409 Conflict
};

class ApplicationStore {
 public:
  explicit ApplicationStore(applier::Client& client, ApplicationStoreOptions options = {});

  // The groups read: gitmoor.dev, then argoproj.io when enabled.
  [[nodiscard]] std::vector<std::string> groups() const;

  // Every Application in `ns` ("" = all namespaces), origin Cluster. An object that is not an Application at all
  // (no name) is logged and skipped; spec problems stay in spec_errors. Throws applier::ApiError for any failure but
  // a 404 (the group's CRD is not installed: no Applications).
  std::vector<Application> list(const std::string& ns);

  // Writes `status` as the app's .status through the status subresource: a merge patch of only what changed since
  // the live status, guarded by the live resourceVersion and retried on 409 Conflict (a concurrent writer). Writes
  // nothing when the live status already equals it. Returns false when the Application no longer exists; throws
  // applier::ApiError for other failures (or when conflicts persist past conflict_retries).
  bool write_status(const Application& app, const ApplicationStatus& status);

  // Rewrites the live Application's metadata.finalizers with `edit` (current list in, new list out): a merge patch
  // guarded by the live resourceVersion, retried on 409 Conflict; nothing is written when the list is unchanged.
  // Returns false when the Application no longer exists; throws applier::ApiError otherwise.
  bool update_finalizers(const Application& app,
                         const std::function<std::vector<std::string>(std::vector<std::string>)>& edit);
  // DELETE the Application (with finalizers on, the server only marks it deleted). False when it was already gone.
  bool remove(const Application& app);

  // What a LiveCache watches to see Applications come, change and go in `ns` ("" = all): one target per group
  // whose CRD is installed now (probed with a one-item list), since a LiveCache's initial list of a resource the
  // server does not serve fails. Throws applier::ApiError when a probe fails otherwise.
  [[nodiscard]] std::vector<applier::WatchTarget> watch_targets(const std::string& ns);

 private:
  applier::Client& client_;
  ApplicationStoreOptions options_;
};

}  // namespace gitmoor::engine
