#pragma once
// The requests a sync operation makes besides apply_all and prune: create a hook, delete an object (a finished hook,
// or the previous run of a hook before it is created again), and ask whether an object is still there.
#include <string>

#include "gitmoor/applier/client.hpp"
#include "gitmoor/applier/discovery.hpp"
#include "gitmoor/applier/resource_manager.hpp"
#include "gitmoor/core/object.hpp"

namespace gitmoor::engine {

struct CreatedHook {
  std::string name;  // the server's name for a generateName hook
  std::string uid;   // tells this run's object from an earlier one of the same name
};

// Creates a hook: server-side apply (manager `gitmoor`, force) for a named hook, POST for a generateName one.
// Throws applier::ApiError naming the hook.
CreatedHook create_hook(applier::Client& client, applier::Discovery& discovery, const core::Object& hook,
                        const std::string& field_manager = "gitmoor");

// DELETE with the propagation policy. True when the object is gone (404, or removed at once); false while it is
// still being deleted (finalizers, foreground). Throws applier::ApiError naming the object.
bool delete_object(applier::Client& client, applier::Discovery& discovery, const core::Object& object,
                   applier::PropagationPolicy propagation);

// GET: true while the object exists (under deletion or not). Throws applier::ApiError naming the object.
bool object_exists(applier::Client& client, applier::Discovery& discovery, const core::Object& object);

}  // namespace gitmoor::engine
