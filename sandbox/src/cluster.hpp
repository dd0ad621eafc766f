#pragma once
// The cluster's state and every write the API can make to it: create, update (whole object or a subresource),
// server-side apply, delete with garbage collection, finalizers and namespace termination. The caller holds
// store.mutex() around each call; the HTTP layer and the simulated controllers both go through here.
#include <optional>
#include <random>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "defaults.hpp"
#include "registry.hpp"
#include "store.hpp"

namespace gitmoor::sandbox {

using Json = nlohmann::json;

struct WriteOptions {
  std::string manager;      // fieldManager
  std::string subresource;  // "", "status" or "scale"
  bool dry_run = false;
  std::string api_version;  // the version the client used (managedFields, responses)
};

enum class Propagation { Background, Foreground, Orphan };

struct DeleteOptions {
  Propagation propagation = Propagation::Background;
  bool dry_run = false;
  std::optional<std::string> precondition_uid;
  std::optional<std::string> precondition_rv;
};

std::string now_rfc3339();

class Cluster {
 public:
  explicit Cluster(std::size_t history_limit);

  Registry registry;
  Store store;
  Allocator allocator;

  [[nodiscard]] ObjectPtr get(const ResourceType& type, const std::string& ns, const std::string& name) const;
  // The namespace must exist (404) and not be terminating (403) for a namespaced create.
  void check_namespace(const ResourceType& type, const std::string& ns) const;

  Json create(const ResourceType& type, const std::string& ns, Json object, const WriteOptions& options);
  // PUT: replaces the object (or, for a subresource, its status / replicas); resourceVersion precondition.
  Json update(const ResourceType& type, const std::string& ns, const std::string& name, Json object,
              const WriteOptions& options);
  // Server-side apply; `created` tells whether the object was new.
  Json apply(const ResourceType& type, const std::string& ns, const std::string& name, const Json& applied,
             const WriteOptions& options, bool force, bool& created);
  // Returns the object as deleted (or as marked for deletion when finalizers hold it).
  Json remove(const ResourceType& type, const std::string& ns, const std::string& name, const DeleteOptions& options);

  // Stores `after` as the new state of an object (before: null on create) after defaulting and validation; keeps
  // metadata the server owns; bumps generation on spec changes; a no-op change keeps the stored object.
  Json commit(const ResourceType& type, const std::string& ns, const std::string& name, ObjectPtr before, Json after,
              const WriteOptions& options, bool record_manager);

 private:
  void gc_dependents(const std::string& uid, Propagation propagation);
  void orphan_dependents(const std::string& uid);
  void erase_now(const ResourceType& type, const ObjectRef& ref, const Json& object);
  void settle();
  void crd_changed(const Json& crd, bool deleted);
  std::string new_uid();

  std::mt19937_64 random_;
  std::set<ObjectRef> terminating_namespaces_;
  std::set<ObjectRef> foreground_owners_;
  bool settling_ = false;
};

}  // namespace gitmoor::sandbox
