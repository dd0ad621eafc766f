#pragma once
// The Application: what to deploy (source), where (destination) and how (syncPolicy), with Argo CD's field names
// (reference/gitops-semantics.md). Read from `gitmoor.dev/v1alpha1` and `argoproj.io/v1alpha1` objects alike, from
// the cluster or from files. Pure: JSON in, model out.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gitmoor/core/object.hpp"
#include "gitmoor/differ/ignore.hpp"
#include "gitmoor/engine/repository.hpp"
#include "gitmoor/renderer/render_options.hpp"

namespace gitmoor::engine {

inline constexpr std::string_view kGitmoorGroup = "gitmoor.dev";
inline constexpr std::string_view kArgoGroup = "argoproj.io";
inline constexpr std::string_view kApplicationVersion = "v1alpha1";
// The destination that means "the cluster gitmoor runs against" (its kubeconfig's, or in-cluster).
inline constexpr std::string_view kInClusterServer = "https://kubernetes.default.svc";
inline constexpr std::string_view kInClusterName = "in-cluster";

// spec.source
struct ApplicationSource {
  std::string repo_url;
  std::string target_revision = "HEAD";
  std::string path = ".";
  // A chart in a Helm chart repository: repo_url is the repository (https), target_revision a chart version or a
  // constraint ("*" when not given), path unused.
  std::string chart;
  std::optional<renderer::SourceType> type;  // set when spec.source.helm / .directory / .kustomize says so
  renderer::HelmOptions helm;                // release_name defaults to the Application's name
  renderer::DirectoryOptions directory;
};

// spec.destination
struct Destination {
  std::string server;
  std::string name;
  std::string ns;
};

// spec.syncPolicy.automated
struct AutomatedPolicy {
  bool prune = false;
  bool self_heal = false;
  bool allow_empty = false;
};

// spec.syncPolicy.retry (Argo CD's defaults; limit < 0 = unlimited)
struct RetryPolicy {
  int limit = 5;
  std::chrono::milliseconds duration{std::chrono::seconds(5)};
  int factor = 2;
  std::chrono::milliseconds max_duration{std::chrono::minutes(3)};
};

// spec.syncPolicy
struct SyncPolicy {
  std::optional<AutomatedPolicy> automated;  // absent: manual sync only
  std::vector<std::string> sync_options;     // `CreateNamespace=true`, `PruneLast=true`, ...
  std::optional<RetryPolicy> retry;          // absent: a failed automated sync is not retried until Git changes

  // True when `option` (e.g. "CreateNamespace=true") is listed; compared case-insensitively on the value.
  [[nodiscard]] bool has_option(std::string_view option) const;
};

enum class ApplicationOrigin { Cluster, File };

struct Application {
  std::string name;
  std::string ns;           // metadata.namespace ("" for a file that names none)
  std::string api_version;  // gitmoor.dev/v1alpha1 or argoproj.io/v1alpha1, as written
  ApplicationOrigin origin = ApplicationOrigin::File;
  std::string file;         // origin File: the file it was read from
  std::string uid;
  std::string resource_version;
  std::int64_t generation = 0;

  std::string project = "default";
  ApplicationSource source;
  Destination destination;
  SyncPolicy sync_policy;
  int revision_history_limit = 10;
  std::vector<differ::IgnoreRule> ignore_differences;
  Repository repository;    // source.repo_url with the credentials the engine knows for it

  core::Json manifest;      // the object as read (apiVersion, kind, metadata, spec; status when it had one)
  // Problems with the spec (unknown destination, bad ignoreDifferences, missing repoURL, ...): the engine reports
  // them as an InvalidSpecError condition and neither renders nor syncs the app.
  std::vector<std::string> spec_errors;

  // `gitmoor.dev/v1alpha1 Application argocd/tetris` or `Application tetris (apps/tetris.yaml)`.
  [[nodiscard]] std::string subject() const;
  // The namespace objects without one go to: destination.namespace, else "default".
  [[nodiscard]] std::string target_namespace() const;
  // The identity used in tracking ids and labels: the name (Argo CD's default, namespace-less form).
  [[nodiscard]] const std::string& instance() const { return name; }
};

// Reads one Application object. Throws core::InvalidInput naming `subject` only when the object cannot be an
// Application at all (not an object, wrong kind/group, no metadata.name); everything else wrong with the spec goes
// to Application::spec_errors so the app still shows up, with the reason.
Application parse_application(const core::Json& object, ApplicationOrigin origin, const std::string& subject);

// True for apiVersion gitmoor.dev/v1alpha1 or argoproj.io/v1alpha1 with kind Application.
bool is_application(const core::Json& object);

// An Argo CD duration (spec.syncPolicy.retry.backoff): Go's form (`500ms`, `5s`, `3m`, `1h30m`) or a bare number of
// seconds (`"30"`, 30). std::nullopt when it is neither, or negative.
std::optional<std::chrono::milliseconds> parse_duration(const core::Json& value);

}  // namespace gitmoor::engine
