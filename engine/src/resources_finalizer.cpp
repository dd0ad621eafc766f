#include "resources_finalizer.hpp"

#include <algorithm>
#include <cctype>

#include "gitmoor/applier/kind_order.hpp"
#include "gitmoor/applier/tracking.hpp"
#include "gitmoor/engine/application.hpp"

namespace gitmoor::engine {

namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

// True when the comma-separated sync options in `annotation` list Delete=false.
bool lists_delete_false(const std::optional<std::string>& annotation) {
  if (!annotation) return false;
  std::string_view rest(*annotation);
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    auto item = rest.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (lower(item) == "delete=false") return true;
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace

std::optional<applier::PropagationPolicy> parse_propagation_policy(std::string_view text) {
  const auto value = lower(text);
  if (value.empty() || value == "foreground") return applier::PropagationPolicy::Foreground;
  if (value == "background") return applier::PropagationPolicy::Background;
  if (value == "orphan") return applier::PropagationPolicy::Orphan;
  return std::nullopt;
}

std::string resources_finalizer(std::string_view group, applier::PropagationPolicy policy) {
  // Argo CD has no orphaning variant: an argoproj.io app deleted with orphan gets gitmoor's, honoured on every app.
  const bool argo = group == kArgoGroup && policy != applier::PropagationPolicy::Orphan;
  std::string name(argo ? kArgoResourcesFinalizer : kResourcesFinalizer);
  if (policy == applier::PropagationPolicy::Background) name += "/background";
  if (policy == applier::PropagationPolicy::Orphan) name += "/orphan";
  return name;
}

std::optional<applier::PropagationPolicy> resources_finalizer_policy(std::string_view finalizer) {
  const auto policy_of = [&](std::string_view base) -> std::optional<applier::PropagationPolicy> {
    if (finalizer.substr(0, base.size()) != base) return std::nullopt;
    const auto suffix = finalizer.substr(base.size());
    if (suffix.empty() || suffix == "/foreground") return applier::PropagationPolicy::Foreground;
    if (suffix == "/background") return applier::PropagationPolicy::Background;
    if (suffix == "/orphan" && base == kResourcesFinalizer) return applier::PropagationPolicy::Orphan;
    return std::nullopt;
  };
  if (auto policy = policy_of(kResourcesFinalizer)) return policy;
  // Argo CD's name is honoured on gitmoor.dev apps too: an Application ported from Argo CD keeps its finalizer, and
  // gitmoor is the only controller of that group, so ignoring it would leave the app stuck in deletion for ever.
  return policy_of(kArgoResourcesFinalizer);
}

bool kept_on_delete(const core::Object& object) {
  if (lists_delete_false(object.annotation(applier::kSyncOptionsAnnotation))) return true;
  if (lists_delete_false(object.annotation("gitmoor.dev/sync-options"))) return true;
  const auto policy = object.annotation("helm.sh/resource-policy");
  return policy && lower(*policy) == "keep";
}

std::vector<core::Object> next_deletion_wave(const std::vector<core::Object>& remaining) {
  if (remaining.empty()) return {};
  int top = applier::sync_wave(remaining.front());
  for (const auto& object : remaining) top = std::max(top, applier::sync_wave(object));
  std::vector<core::Object> wave;
  for (const auto& object : remaining) {
    if (applier::sync_wave(object) == top) wave.push_back(object);
  }
  return wave;
}

}  // namespace gitmoor::engine
