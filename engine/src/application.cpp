// parse_application: an Application object (gitmoor.dev or argoproj.io) into the model. Only an object that cannot be
// an Application throws; every problem with its spec becomes a spec_errors entry naming the field, so the app still
// shows up in the UI with the reason (Argo CD's InvalidSpecError).
#include "gitmoor/engine/application.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>

#include "gitmoor/core/duration.hpp"
#include "gitmoor/core/error.hpp"

namespace gitmoor::engine {
namespace {

using core::Json;

std::string type_name(const Json& value) {
  if (value.is_string()) return "a string";
  if (value.is_boolean()) return "a boolean";
  if (value.is_number()) return "a number";
  if (value.is_array()) return "a list";
  if (value.is_object()) return "an object";
  return "null";
}

// Reads the fields of one JSON object, recording a spec error (naming the field's path) for each wrong type.
// Absent and null fields leave the target unchanged, as Go's decoder does.
class FieldReader {
 public:
  FieldReader(const Json& object, std::string path, std::vector<std::string>& errors)
      : object_(object), path_(std::move(path)), errors_(errors) {}

  [[nodiscard]] bool has(const std::string& key) const {
    return object_.is_object() && object_.contains(key) && !object_[key].is_null();
  }
  [[nodiscard]] const Json& at(const std::string& key) const { return object_[key]; }
  [[nodiscard]] std::string path(const std::string& key) const { return path_ + "." + key; }
  void error(const std::string& key, const std::string& message) { errors_.push_back(path(key) + ": " + message); }

  void read(const std::string& key, std::string& target) {
    if (!has(key)) return;
    if (!at(key).is_string()) return wrong_type(key, "a string");
    target = at(key).get<std::string>();
  }
  void read(const std::string& key, bool& target) {
    if (!has(key)) return;
    if (!at(key).is_boolean()) return wrong_type(key, "a boolean");
    target = at(key).get<bool>();
  }
  void read(const std::string& key, int& target) {
    if (!has(key)) return;
    const Json& v = at(key);
    bool integral = v.is_number_integer() || (v.is_number_float() && std::trunc(v.get<double>()) == v.get<double>());
    if (!integral) return wrong_type(key, "an integer");
    double d = v.get<double>();
    if (d < std::numeric_limits<int>::min() || d > std::numeric_limits<int>::max()) {
      return error(key, "out of range");
    }
    target = static_cast<int>(d);
  }
  void read(const std::string& key, std::vector<std::string>& target) {
    if (!has(key)) return;
    if (!at(key).is_array()) return wrong_type(key, "a list of strings");
    target.clear();
    for (std::size_t i = 0; i < at(key).size(); ++i) {
      if (!at(key)[i].is_string()) {
        errors_.push_back(path(key) + "[" + std::to_string(i) + "]: expected a string, got " + type_name(at(key)[i]));
        continue;
      }
      target.push_back(at(key)[i].get<std::string>());
    }
  }
  // The sub-object at key, or nullptr (with an error when it is there but not an object).
  const Json* object(const std::string& key) {
    if (!has(key)) return nullptr;
    if (!at(key).is_object()) {
      wrong_type(key, "an object");
      return nullptr;
    }
    return &at(key);
  }

 private:
  void wrong_type(const std::string& key, const std::string& expected) {
    error(key, "expected " + expected + ", got " + type_name(at(key)));
  }

  const Json& object_;
  std::string path_;
  std::vector<std::string>& errors_;
};

// spec.source.chart: a chart from a Helm chart repository. The version constraint is checked when polled (where its
// error names the chart and the versions there are); here, what can be told from the spec alone.
void parse_chart_source(ApplicationSource& source, std::vector<std::string>& errors) {
  const auto& chart = source.chart;
  if (chart == "." || chart == ".." || chart.find_first_of("/\\ ") != std::string::npos) {
    errors.push_back("spec.source.chart: \"" + chart + "\" is not a chart name (the name in the repository's index)");
  }
  const auto& url = source.repo_url;
  if (url.rfind("oci://", 0) == 0) {
    errors.push_back("spec.source.repoURL: OCI registries (" + url +
                     ") are not supported yet; use the chart's https repository (index.yaml)");
  } else if (!url.empty() && url.rfind("https://", 0) != 0 && url.rfind("http://", 0) != 0) {
    errors.push_back("spec.source.repoURL: a chart's repository is an https:// URL, not \"" + url + "\"");
  }
  // Argo CD requires a version; Flux takes the newest when none is given, and so does gitmoor.
  if (source.target_revision.empty() || source.target_revision == "HEAD") source.target_revision = "*";
  if (source.type && *source.type != renderer::SourceType::Helm) {
    errors.push_back("spec.source.chart: a chart is rendered with helm; remove spec.source.kustomize/directory");
  }
  source.type = renderer::SourceType::Helm;
}

void parse_helm(const Json& helm, renderer::HelmOptions& out, std::vector<std::string>& errors) {
  FieldReader f(helm, "spec.source.helm", errors);
  f.read("releaseName", out.release_name);
  f.read("namespace", out.ns);
  f.read("valueFiles", out.value_files);
  f.read("ignoreMissingValueFiles", out.ignore_missing_value_files);
  f.read("values", out.values);
  if (f.has("valuesObject")) {
    if (f.at("valuesObject").is_object()) {
      out.values_object = f.at("valuesObject");
    } else {
      f.error("valuesObject", "expected an object, got " + type_name(f.at("valuesObject")));
    }
  }
  f.read("skipCrds", out.skip_crds);
  f.read("kubeVersion", out.kube_version);
  f.read("apiVersions", out.api_versions);
  if (f.has("parameters")) {
    const Json& params = f.at("parameters");
    if (!params.is_array()) {
      f.error("parameters", "expected a list, got " + type_name(params));
      return;
    }
    for (std::size_t i = 0; i < params.size(); ++i) {
      std::string path = "spec.source.helm.parameters[" + std::to_string(i) + "]";
      if (!params[i].is_object()) {
        errors.push_back(path + ": expected an object, got " + type_name(params[i]));
        continue;
      }
      renderer::HelmParameter p;
      FieldReader pf(params[i], path, errors);
      pf.read("name", p.name);
      pf.read("value", p.value);
      pf.read("forceString", p.force_string);
      if (p.name.empty()) {
        errors.push_back(path + ".name is required");
        continue;
      }
      out.parameters.push_back(std::move(p));
    }
  }
}

void parse_source(const Json& spec, Application& app) {
  FieldReader s(spec, "spec", app.spec_errors);
  if (!s.has("source")) {
    if (s.has("sources")) {
      app.spec_errors.push_back("spec.sources: multiple sources are not supported; use spec.source");
    } else {
      app.spec_errors.push_back("spec.source is required");
    }
    return;
  }
  const Json* source = s.object("source");
  if (source == nullptr) return;
  ApplicationSource& out = app.source;
  FieldReader f(*source, "spec.source", app.spec_errors);
  f.read("repoURL", out.repo_url);
  f.read("targetRevision", out.target_revision);
  f.read("path", out.path);
  f.read("chart", out.chart);
  if (out.repo_url.empty()) app.spec_errors.push_back("spec.source.repoURL is required");
  if (out.path.empty()) out.path = ".";
  if (out.chart.empty() && out.target_revision.empty()) out.target_revision = "HEAD";

  std::vector<std::string> types;
  if (const Json* helm = f.object("helm")) {
    types.push_back("helm");
    out.type = renderer::SourceType::Helm;
    parse_helm(*helm, out.helm, app.spec_errors);
  }
  if (f.object("kustomize") != nullptr) {
    types.push_back("kustomize");
    out.type = renderer::SourceType::Kustomize;
  }
  if (const Json* directory = f.object("directory")) {
    types.push_back("directory");
    out.type = renderer::SourceType::Directory;
    FieldReader d(*directory, "spec.source.directory", app.spec_errors);
    d.read("recurse", out.directory.recurse);
    d.read("include", out.directory.include);
    d.read("exclude", out.directory.exclude);
  }
  if (types.size() > 1) {
    std::string listed;
    for (const auto& t : types) listed += (listed.empty() ? "" : ", ") + t;
    app.spec_errors.push_back("spec.source: only one of helm, kustomize and directory may be set (found " + listed +
                              ")");
  }
  if (!out.chart.empty()) parse_chart_source(out, app.spec_errors);
}

void parse_destination(const Json& spec, Application& app) {
  FieldReader s(spec, "spec", app.spec_errors);
  const Json* destination = s.object("destination");
  if (destination == nullptr) {
    if (!s.has("destination")) app.spec_errors.push_back("spec.destination is required");
    return;
  }
  Destination& out = app.destination;
  FieldReader f(*destination, "spec.destination", app.spec_errors);
  f.read("server", out.server);
  f.read("name", out.name);
  f.read("namespace", out.ns);
  // Argo CD accepts the in-cluster URL with or without a trailing slash.
  std::string server = out.server;
  while (!server.empty() && server.back() == '/') server.pop_back();
  if (!out.server.empty() && !out.name.empty()) {
    app.spec_errors.push_back("spec.destination: server and name are both set; set only one");
  } else if (out.server.empty() && out.name.empty()) {
    app.spec_errors.push_back("spec.destination: server or name is required (" + std::string(kInClusterServer) +
                              " or " + std::string(kInClusterName) + " for the cluster gitmoor runs against)");
  } else if (!out.server.empty() && server != kInClusterServer) {
    app.spec_errors.push_back("spec.destination.server " + out.server +
                              " is not a known cluster (only " + std::string(kInClusterServer) +
                              ", the cluster gitmoor runs against, is)");
  } else if (!out.name.empty() && out.name != kInClusterName) {
    app.spec_errors.push_back("spec.destination.name " + out.name + " is not a known cluster (only " +
                              std::string(kInClusterName) + ", the cluster gitmoor runs against, is)");
  }
}

void parse_retry(const Json& retry, RetryPolicy& out, std::vector<std::string>& errors) {
  FieldReader f(retry, "spec.syncPolicy.retry", errors);
  f.read("limit", out.limit);
  const Json* backoff = f.object("backoff");
  if (backoff == nullptr) return;
  FieldReader b(*backoff, "spec.syncPolicy.retry.backoff", errors);
  for (auto [key, target] : {std::pair{"duration", &out.duration}, std::pair{"maxDuration", &out.max_duration}}) {
    if (!b.has(key)) continue;
    if (auto d = parse_duration(b.at(key))) {
      *target = *d;
    } else {
      b.error(key, "invalid duration " + b.at(key).dump() + " (expected e.g. \"5s\", \"3m\" or a number of seconds)");
    }
  }
  b.read("factor", out.factor);
  if (out.factor < 1) b.error("factor", "must be at least 1");
}

void parse_sync_policy(const Json& spec, Application& app) {
  FieldReader s(spec, "spec", app.spec_errors);
  const Json* policy = s.object("syncPolicy");
  if (policy == nullptr) return;
  SyncPolicy& out = app.sync_policy;
  FieldReader f(*policy, "spec.syncPolicy", app.spec_errors);
  if (const Json* automated = f.object("automated")) {
    AutomatedPolicy a;
    FieldReader af(*automated, "spec.syncPolicy.automated", app.spec_errors);
    af.read("prune", a.prune);
    af.read("selfHeal", a.self_heal);
    af.read("allowEmpty", a.allow_empty);
    // Argo CD 2.14+: `enabled: false` keeps the settings but turns automated sync off.
    bool enabled = true;
    af.read("enabled", enabled);
    if (enabled) out.automated = a;
  }
  f.read("syncOptions", out.sync_options);
  if (const Json* retry = f.object("retry")) {
    RetryPolicy r;
    parse_retry(*retry, r, app.spec_errors);
    out.retry = r;
  }
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

bool SyncPolicy::has_option(std::string_view option) const {
  auto split = [](std::string_view text) {
    auto eq = text.find('=');
    if (eq == std::string_view::npos) return std::pair{text, std::string_view{}};
    return std::pair{text.substr(0, eq), text.substr(eq + 1)};
  };
  auto [key, value] = split(option);
  return std::any_of(sync_options.begin(), sync_options.end(), [&](const std::string& listed) {
    auto [k, v] = split(listed);
    return k == key && lower(v) == lower(value);
  });
}

std::string Application::subject() const {
  if (origin == ApplicationOrigin::Cluster) {
    return api_version + " Application " + (ns.empty() ? name : ns + "/" + name);
  }
  return "Application " + name + (file.empty() ? "" : " (" + file + ")");
}

std::string Application::target_namespace() const {
  return destination.ns.empty() ? "default" : destination.ns;
}

bool is_application(const core::Json& object) {
  if (!object.is_object() || object.value("kind", Json()) != "Application") return false;
  const Json& api_version = object.value("apiVersion", Json());
  if (!api_version.is_string()) return false;
  auto gvk = core::GroupVersionKind::from(api_version.get<std::string>(), "Application");
  return (gvk.group == kGitmoorGroup || gvk.group == kArgoGroup) && gvk.version == kApplicationVersion;
}

std::optional<std::chrono::milliseconds> parse_duration(const core::Json& value) {
  using std::chrono::milliseconds;
  if (value.is_number_integer() || value.is_number_unsigned()) {
    auto seconds = value.get<std::int64_t>();
    if (seconds < 0) return std::nullopt;
    return milliseconds(seconds * 1000);
  }
  if (!value.is_string()) return std::nullopt;
  const std::string text = value.get<std::string>();
  if (text.empty()) return std::nullopt;
  if (std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); })) {
    return milliseconds(std::stoll(text) * 1000);
  }
  // Go's time.ParseDuration form (500ms, 5s, 1h30m); signs are refused like any other malformed text.
  try {
    return core::parse_duration(text, "duration");
  } catch (const core::InvalidInput&) {
    return std::nullopt;
  }
}

Application parse_application(const core::Json& object, ApplicationOrigin origin, const std::string& subject) {
  if (!object.is_object()) throw core::InvalidInput(subject + ": an Application must be an object");
  if (!is_application(object)) {
    throw core::InvalidInput(subject + ": not an Application (apiVersion " + object.value("apiVersion", Json()).dump() +
                             ", kind " + object.value("kind", Json()).dump() + "; expected kind Application in " +
                             std::string(kGitmoorGroup) + "/v1alpha1 or " + std::string(kArgoGroup) + "/v1alpha1)");
  }
  const Json& metadata = object.value("metadata", Json());
  if (!metadata.is_object() || !metadata.value("name", Json()).is_string() ||
      metadata["name"].get<std::string>().empty()) {
    throw core::InvalidInput(subject + ": Application has no metadata.name");
  }

  Application app;
  app.name = metadata["name"].get<std::string>();
  app.api_version = object["apiVersion"].get<std::string>();
  app.origin = origin;
  {
    std::vector<std::string> ignored;  // metadata the server owns: a wrong type there is not the user's spec error
    FieldReader m(metadata, "metadata", ignored);
    m.read("namespace", app.ns);
    m.read("uid", app.uid);
    m.read("resourceVersion", app.resource_version);
    if (m.has("generation") && m.at("generation").is_number_integer()) {
      app.generation = m.at("generation").get<std::int64_t>();
    }
  }
  // Kept as read, status included (the controller resumes from it after a restart); managedFields are the
  // server's bookkeeping, large and of no use to the API.
  app.manifest = object;
  if (app.manifest["metadata"].is_object()) app.manifest["metadata"].erase("managedFields");

  const Json& spec = object.value("spec", Json());
  if (!spec.is_object()) {
    app.spec_errors.push_back(spec.is_null() ? "spec is required" : "spec: expected an object, got " + type_name(spec));
    return app;
  }
  parse_source(spec, app);
  parse_destination(spec, app);
  FieldReader f(spec, "spec", app.spec_errors);
  f.read("project", app.project);
  if (app.project.empty()) app.project = "default";
  f.read("revisionHistoryLimit", app.revision_history_limit);
  if (app.revision_history_limit < 0) f.error("revisionHistoryLimit", "must not be negative");
  parse_sync_policy(spec, app);
  if (f.has("ignoreDifferences")) {
    try {
      app.ignore_differences = differ::parse_ignore_rules(f.at("ignoreDifferences"));
    } catch (const core::InvalidInput& e) {
      app.spec_errors.push_back(std::string("spec.ignoreDifferences: ") + e.what());
    }
  }

  if (app.source.helm.release_name.empty()) app.source.helm.release_name = app.name;
  if (app.source.helm.ns.empty()) app.source.helm.ns = app.destination.ns;
  app.repository.url = app.source.repo_url;
  return app;
}

}  // namespace gitmoor::engine
