#pragma once
// What to render and how: the Argo CD source fields a renderer needs (spec.source.helm, .directory), and the
// limits every run is held to. Plain aggregates; defaults are the documented ones.
#include <chrono>
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "gitmoor/core/object.hpp"
#include "gitmoor/renderer/source_type.hpp"

namespace gitmoor::renderer {

struct HelmParameter {
  std::string name;
  std::string value;
  bool force_string = false;  // --set-string instead of --set
};

// spec.source.helm
struct HelmOptions {
  std::string release_name;           // empty: the Application's name (the caller fills it)
  std::string ns;                     // --namespace; empty: helm's default
  std::vector<std::string> value_files;  // relative to the app path, confined to the repository
  bool ignore_missing_value_files = false;
  std::string values;                 // inline YAML (spec.source.helm.values)
  core::Json values_object;           // spec.source.helm.valuesObject; null when unset; wins over `values`
  std::vector<HelmParameter> parameters;
  std::string kube_version;
  std::vector<std::string> api_versions;
  bool skip_crds = false;
};

// spec.source.directory
struct DirectoryOptions {
  bool recurse = false;
  std::string include;  // glob on the path relative to the app path; `{a.yaml,b.yaml}` alternatives; empty: all
  std::string exclude;  // same syntax; empty: none
};

struct RenderLimits {
  std::chrono::milliseconds timeout{std::chrono::seconds(90)};  // per helm/kubectl run
  std::size_t max_output_bytes = 64u << 20;  // helm/kubectl stdout, or the sum of a directory's manifests
  std::size_t max_objects = 10000;
};

// One render: the path `app_path` of the tree checked out at `repo_root`.
struct RenderRequest {
  std::filesystem::path repo_root;  // the checkout (or any local tree); every path is confined to it
  std::string app_path;             // relative to repo_root; "" or "." is the root
  // The identity of the inputs, the cache key's first part: the commit the checkout holds, or anything that
  // changes whenever the rendered files change (the engine uses Git object ids); "" for a local tree (never cached).
  std::string commit;
  std::optional<SourceType> type;   // explicit override; otherwise detected
  HelmOptions helm;
  DirectoryOptions directory;
  RenderLimits limits;
};

struct RenderResult {
  SourceType type = SourceType::Directory;
  std::vector<core::Object> objects;
};

}  // namespace gitmoor::renderer
