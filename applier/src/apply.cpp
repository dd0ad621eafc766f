// ResourceManager::apply_all: order, diff, server-side apply. See resource_manager.hpp.
#include <algorithm>
#include <atomic>
#include <set>
#include <thread>

#include "gitmoor/applier/kind_order.hpp"
#include "gitmoor/applier/resource_manager.hpp"
#include "gitmoor/applier/tracking.hpp"
#include "gitmoor/differ/schema.hpp"
#include "live_lookup.hpp"

namespace gitmoor::applier {

using core::Json;
using core::Object;

namespace {

bool is_crd(const Object& o) {
  return o.kind() == "CustomResourceDefinition" && o.gvk().group == "apiextensions.k8s.io";
}

// Runs fn(i) for i in [0, n) on up to `workers` threads.
template <typename Fn>
void parallel_for(std::size_t n, std::size_t workers, Fn fn) {
  workers = std::max<std::size_t>(1, std::min(workers, n));
  if (workers == 1) {
    for (std::size_t i = 0; i < n; ++i) fn(i);
    return;
  }
  std::atomic<std::size_t> next{0};
  std::vector<std::jthread> threads;
  for (std::size_t w = 0; w < workers; ++w) {
    threads.emplace_back([&] {
      for (std::size_t i = next++; i < n; i = next++) fn(i);
    });
  }
}

std::string apply_query(const ApplyOptions& options) {
  return "?fieldManager=" + url_encode(options.field_manager) + "&force=true" + (options.dry_run ? "&dryRun=All" : "");
}

bool immutable_error(const std::string& message) { return message.find("field is immutable") != std::string::npos; }

// One object through diff and, when out of sync, server-side apply.
struct ObjectApply {
  Client& client;
  const ApplyOptions& options;
  const std::vector<core::ResourceKey>& hpa_targets;

  ChangeSetEntry run(const Object& desired, const ApiResource& resource, const Object* live) {
    ChangeSetEntry entry{.key = desired.key(), .action = Action::Unchanged, .message = {}};
    if (live != nullptr) {
      differ::DiffOptions diff_options{.field_manager = options.field_manager, .ignore_rules = options.ignore_rules};
      if (differ::diff_resource(&desired, live, diff_options, hpa_targets).in_sync()) return entry;
    }
    const std::string path = resource.path(desired.ns(), desired.name());
    auto response = patch(path, desired);
    if (response.status >= 400) {
      const auto error = api_error(response, desired.key().to_string());
      if (!immutable_error(error.what())) return failed(entry, error.what());
      if (!options.force) {
        return failed(entry, std::string(error.what()) + " (rerun with --force to delete and recreate it)");
      }
      if (auto message = recreate(path, desired); !message.empty()) return failed(entry, message);
      entry.action = Action::Configured;
      entry.message = "recreated: an immutable field changed";
      return entry;
    }
    entry.action = (response.status == 201 || live == nullptr) ? Action::Created : Action::Configured;
    if (options.dry_run) entry.message = "dry run";
    return entry;
  }

  HttpResponse patch(const std::string& path, const Object& desired) {
    return client.send({.method = "PATCH",
                        .path = path + apply_query(options),
                        .body = desired.json().dump(),
                        .content_type = "application/apply-patch+yaml",
                        .idempotent = true,  // server-side apply with force is: same body, same result
                        .timeout = {}});
  }

  // Delete, wait until it is gone, apply again. Returns an error message, or "" on success.
  std::string recreate(const std::string& path, const Object& desired) {
    const Json body{{"propagationPolicy", "Foreground"}};
    auto del = client.send({.method = "DELETE",
                            .path = path + (options.dry_run ? "?dryRun=All" : ""),
                            .body = options.dry_run ? Json{{"propagationPolicy", "Foreground"}, {"dryRun", {"All"}}}.dump()
                                                    : body.dump(),
                            .content_type = "application/json",
                            .idempotent = true,
                            .timeout = {}});
    if (del.status >= 400 && del.status != 404) return api_error(del, desired.key().to_string() + " delete").what();
    if (!options.dry_run) {
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
      for (;;) {
        auto get = client.send({.method = "GET", .path = path});
        if (get.status == 404) break;
        if (std::chrono::steady_clock::now() > deadline) {
          return desired.key().to_string() + ": still present 60s after delete; not recreated";
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    }
    auto again = patch(path, desired);
    if (again.status >= 400) return api_error(again, desired.key().to_string() + " recreate").what();
    return {};
  }

  static ChangeSetEntry failed(ChangeSetEntry entry, std::string message) {
    entry.action = Action::Failed;
    entry.message = std::move(message);
    return entry;
  }
};

// Apply order: wave, then kind rank, then names (stable output).
bool apply_before(const Object& a, const Object& b) {
  const auto ka = a.key(), kb = b.key();
  return std::tuple(sync_wave(a), kind_rank(ka.group, ka.kind), ka) <
         std::tuple(sync_wave(b), kind_rank(kb.group, kb.kind), kb);
}

}  // namespace

std::vector<Object> ResourceManager::prepare(std::vector<Object> desired, const std::string& app,
                                             const std::string& ns) {
  for (auto& object : desired) {
    const auto gvk = object.gvk();
    bool namespaced = !differ::is_cluster_scoped(gvk.group, gvk.kind);
    // Discovery knows custom resources' scope; a kind it does not know yet (CRD in the same set) keeps the table's.
    if (auto resource = discovery_.find(gvk)) namespaced = resource->namespaced;
    if (namespaced && object.ns().empty()) object.set_ns(ns);
    if (!namespaced && !object.ns().empty()) object.json()["metadata"].erase("namespace");
    if (!app.empty()) stamp(object, app);
  }
  return desired;
}

ChangeSet ResourceManager::apply_all(std::vector<Object> desired, const ApplyOptions& options) {
  ChangeSet result;
  std::vector<Object> objects;
  for (auto& o : desired) {
    if (is_hook(o)) {
      result.add({.key = o.key(), .action = Action::Skipped, .message = "hook: run by a sync operation, not apply"});
    } else {
      objects.push_back(std::move(o));
    }
  }
  std::stable_sort(objects.begin(), objects.end(), apply_before);

  if (options.create_namespace && !options.ns.empty()) {
    const bool declared = std::any_of(objects.begin(), objects.end(), [&](const Object& o) {
      return o.kind() == "Namespace" && o.gvk().group.empty() && o.name() == options.ns;
    });
    if (!declared) {
      const core::ResourceKey key{.group = "", .kind = "Namespace", .ns = "", .name = options.ns};
      auto get = client_.send({.method = "GET", .path = "/api/v1/namespaces/" + options.ns});
      if (get.status == 404) {
        Object ns(Json{{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", options.ns}}}});
        auto response = client_.send({.method = "PATCH",
                                      .path = "/api/v1/namespaces/" + options.ns + apply_query(options),
                                      .body = ns.json().dump(),
                                      .content_type = "application/apply-patch+yaml"});
        if (response.status >= 400) {
          result.add({.key = key, .action = Action::Failed, .message = api_error(response, key.to_string()).what()});
          return result;  // nothing namespaced can be applied without it
        }
        result.add({.key = key, .action = Action::Created, .message = "CreateNamespace"});
      } else if (get.status >= 400) {
        result.add({.key = key, .action = Action::Failed, .message = api_error(get, key.to_string()).what()});
        return result;
      }
    }
  }

  std::vector<const Object*> pointers;
  for (const auto& o : objects) pointers.push_back(&o);
  const auto hpa = differ::hpa_targets(pointers);
  ObjectApply applier{.client = client_, .options = options, .hpa_targets = hpa};

  const auto deadline = std::chrono::steady_clock::now() + options.timeout;
  std::size_t i = 0;
  while (i < objects.size()) {
    const std::size_t wave_start = i;
    const int wave = sync_wave(objects[i]);
    std::size_t wave_end = i;
    while (wave_end < objects.size() && sync_wave(objects[wave_end]) == wave) ++wave_end;
    bool wave_failed = false;
    // Within a wave, one kind rank at a time so dependencies (Namespace, CRD, ServiceAccount...) exist first;
    // objects of the same rank go in parallel.
    while (i < wave_end) {
      const auto rank_of = [&](std::size_t k) { return kind_rank(objects[k].gvk().group, objects[k].kind()); };
      std::size_t group_end = i;
      while (group_end < wave_end && rank_of(group_end) == rank_of(i)) ++group_end;

      // Resolve types and namespaces (after earlier groups, so CRDs just applied are known), then read live state
      // with one LIST per type and namespace rather than one GET per object.
      std::vector<Object> group(std::make_move_iterator(objects.begin() + static_cast<std::ptrdiff_t>(i)),
                                std::make_move_iterator(objects.begin() + static_cast<std::ptrdiff_t>(group_end)));
      group = prepare(std::move(group), options.app, options.ns);
      std::vector<std::optional<ApiResource>> resources(group.size());
      std::map<std::pair<std::string, std::string>, std::vector<Object>> lists;  // (path, ns) → items
      std::map<core::ResourceKey, const Object*> live_by_key;
      for (std::size_t k = 0; k < group.size(); ++k) {
        resources[k] = discovery_.find(group[k].gvk());
        if (!resources[k]) continue;
        const std::string list_ns = resources[k]->namespaced ? group[k].ns() : "";
        const auto list_key = std::pair(resources[k]->path(list_ns), list_ns);
        if (lists.count(list_key) != 0) continue;
        try {
          lists[list_key] = list_objects(client_, *resources[k], list_ns,
                                         options.app.empty() ? "" : std::string(kAppLabel) + "=" + options.app);
        } catch (const ApiError&) {
          lists[list_key] = {};  // applied blind below; the PATCH reports the real problem
        }
      }
      for (const auto& [key, items] : lists) {
        for (const auto& item : items) live_by_key[item.key()] = &item;
      }

      std::vector<ChangeSetEntry> entries(group.size());
      parallel_for(group.size(), options.concurrency, [&](std::size_t k) {
        const auto& object = group[k];
        if (!resources[k]) {
          entries[k] = {.key = object.key(),
                        .action = Action::Failed,
                        .message = object.key().to_string() + ": the server has no resource for " +
                                   object.gvk().to_string()};
          return;
        }
        const auto live = live_by_key.find(object.key());
        try {
          entries[k] = applier.run(object, *resources[k], live == live_by_key.end() ? nullptr : live->second);
        } catch (const std::exception& e) {
          entries[k] = {.key = object.key(), .action = Action::Failed, .message = e.what()};
        }
      });
      bool crd_changed = false;
      for (std::size_t k = 0; k < group.size(); ++k) {
        if (entries[k].action == Action::Failed) wave_failed = true;
        if (is_crd(group[k]) && entries[k].action != Action::Unchanged) crd_changed = true;
        result.add(std::move(entries[k]));
        objects[i + k] = std::move(group[k]);
      }
      if (crd_changed) discovery_.invalidate();  // their kinds are served now
      i = group_end;
    }
    if (wave_failed) break;  // later waves depend on this one
    if (options.wait && !options.dry_run) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      const std::vector<Object> wave_objects(objects.begin() + static_cast<std::ptrdiff_t>(wave_start),
                                             objects.begin() + static_cast<std::ptrdiff_t>(wave_end));
      const auto waited = wait(wave_objects, {.timeout = std::max(left, std::chrono::milliseconds(0))});
      result.append(waited);
      if (waited.failed()) break;
    }
  }
  return result;
}

}  // namespace gitmoor::applier
