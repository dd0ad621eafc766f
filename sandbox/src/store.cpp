#include "store.hpp"

#include <algorithm>

namespace gitmoor::sandbox {

const char* event_type_name(EventType type) {
  switch (type) {
    case EventType::Added:
      return "ADDED";
    case EventType::Modified:
      return "MODIFIED";
    case EventType::Deleted:
      return "DELETED";
  }
  return "ERROR";
}

bool Watcher::matches(const Json& object) const {
  const Json& md = object["metadata"];
  if (!ns.empty() && md.value("namespace", "") != ns) return false;
  if (!labels.empty() && !labels.matches(md.value("labels", Json::object()))) return false;
  if (!fields.empty() && !fields.matches(object)) return false;
  return true;
}

std::string Watcher::encode(EventType type, const Json& object) {
  return encoder ? encoder(type, object) : encode_event(type, object, api_version);
}

void Watcher::push(std::string line, std::uint64_t rv) {
  {
    std::lock_guard lock(mutex_);
    if (closed_) return;
    lines_.push_back(std::move(line));
    last_rv_ = std::max(last_rv_, rv);
  }
  cv_.notify_all();
}

void Watcher::advance(std::uint64_t rv) {
  std::lock_guard lock(mutex_);
  last_rv_ = std::max(last_rv_, rv);
}

void Watcher::close() {
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
  }
  cv_.notify_all();
}

std::optional<std::string> Watcher::pop(std::chrono::milliseconds wait) {
  std::unique_lock lock(mutex_);
  cv_.wait_for(lock, wait, [&] { return !lines_.empty() || closed_; });
  if (lines_.empty()) return std::nullopt;
  std::string line = std::move(lines_.front());
  lines_.pop_front();
  return line;
}

bool Watcher::closed() {
  std::lock_guard lock(mutex_);
  return closed_ && lines_.empty();
}

std::uint64_t Watcher::last_rv() {
  std::lock_guard lock(mutex_);
  return last_rv_;
}

std::string encode_event(EventType type, const Json& object, const std::string& api_version) {
  std::string line = "{\"type\":\"";
  line += event_type_name(type);
  line += "\",\"object\":";
  if (!api_version.empty() && object.value("apiVersion", "") != api_version) {
    Json copy = object;
    copy["apiVersion"] = api_version;
    line += copy.dump();
  } else {
    line += object.dump();
  }
  line += "}\n";
  return line;
}

Store::Store(std::size_t history_limit) : history_limit_(history_limit == 0 ? 1 : history_limit) {}

static std::string inner_key(const std::string& ns, const std::string& name) { return ns + "/" + name; }

ObjectPtr Store::get(const ObjectRef& ref) const {
  auto type = objects_.find(ref.resource_id);
  if (type == objects_.end()) return nullptr;
  auto it = type->second.find(inner_key(ref.ns, ref.name));
  return it == type->second.end() ? nullptr : it->second;
}

std::vector<ObjectPtr> Store::list(const std::string& resource_id, const std::string& ns, const std::string& after,
                                   std::size_t limit, const std::function<bool(const Json&)>& filter,
                                   std::string& next_key, std::size_t& remaining) const {
  std::vector<ObjectPtr> out;
  next_key.clear();
  remaining = 0;
  auto type = objects_.find(resource_id);
  if (type == objects_.end()) return out;
  const auto& objects = type->second;
  std::string prefix = ns.empty() ? "" : ns + "/";
  auto it = after.empty() ? objects.lower_bound(prefix) : objects.upper_bound(after);
  for (; it != objects.end(); ++it) {
    if (!prefix.empty() && it->first.compare(0, prefix.size(), prefix) != 0) break;
    if (filter && !filter(*it->second)) continue;
    if (limit != 0 && out.size() == limit) {
      // More remain: count them for remainingItemCount.
      next_key = std::prev(it)->first;
      for (; it != objects.end(); ++it) {
        if (!prefix.empty() && it->first.compare(0, prefix.size(), prefix) != 0) break;
        if (!filter || filter(*it->second)) ++remaining;
      }
      break;
    }
    out.push_back(it->second);
  }
  return out;
}

std::size_t Store::count(const std::string& resource_id) const {
  auto type = objects_.find(resource_id);
  return type == objects_.end() ? 0 : type->second.size();
}

std::vector<ObjectRef> Store::refs(const std::string& resource_id, const std::string& ns) const {
  std::vector<ObjectRef> out;
  auto type = objects_.find(resource_id);
  if (type == objects_.end()) return out;
  for (const auto& [key, obj] : type->second) {
    const Json& md = (*obj)["metadata"];
    std::string object_ns = md.value("namespace", "");
    if (!ns.empty() && object_ns != ns) continue;
    out.push_back({resource_id, object_ns, md.value("name", "")});
  }
  return out;
}

std::vector<std::string> Store::resource_ids() const {
  std::vector<std::string> out;
  for (const auto& [id, objects] : objects_) {
    if (!objects.empty()) out.push_back(id);
  }
  return out;
}

static std::vector<std::string> owner_uids(const Json& object) {
  std::vector<std::string> out;
  const Json& md = object["metadata"];
  auto refs = md.find("ownerReferences");
  if (refs == md.end() || !refs->is_array()) return out;
  for (const auto& r : *refs) {
    if (r.is_object() && r.contains("uid") && r["uid"].is_string()) out.push_back(r["uid"]);
  }
  return out;
}

void Store::put(const ObjectRef& ref, Json object) {
  auto ptr = std::make_shared<const Json>(std::move(object));
  auto& slot = objects_[ref.resource_id][inner_key(ref.ns, ref.name)];
  ObjectPtr previous = slot;
  if (previous) {
    for (const auto& uid : owner_uids(*previous)) owners_[uid].erase(ref);
  }
  for (const auto& uid : owner_uids(*ptr)) owners_[uid].insert(ref);
  slot = ptr;
  std::uint64_t rv = std::stoull((*ptr)["metadata"].value("resourceVersion", "0"));
  emit({rv, previous ? EventType::Modified : EventType::Added, ref.resource_id, ptr, previous});
}

void Store::erase(const ObjectRef& ref, Json final_object) {
  auto type = objects_.find(ref.resource_id);
  if (type == objects_.end()) return;
  auto it = type->second.find(inner_key(ref.ns, ref.name));
  if (it == type->second.end()) return;
  for (const auto& uid : owner_uids(*it->second)) {
    auto o = owners_.find(uid);
    if (o != owners_.end()) {
      o->second.erase(ref);
      if (o->second.empty()) owners_.erase(o);
    }
  }
  ObjectPtr previous = it->second;
  type->second.erase(it);
  auto ptr = std::make_shared<const Json>(std::move(final_object));
  std::uint64_t rv = std::stoull((*ptr)["metadata"].value("resourceVersion", "0"));
  emit({rv, EventType::Deleted, ref.resource_id, ptr, previous});
}

std::vector<ObjectRef> Store::dependents(const std::string& uid) const {
  auto it = owners_.find(uid);
  if (it == owners_.end()) return {};
  return {it->second.begin(), it->second.end()};
}

void Store::emit(Event event) {
  for (auto& w : watchers_) {
    if (w->resource_id != event.resource_id) continue;
    bool now = w->matches(*event.object);
    bool before = event.previous && event.type == EventType::Modified && w->matches(*event.previous);
    EventType type = event.type;
    if (type == EventType::Modified) {
      if (now && !before) type = EventType::Added;
      if (!now && before) {
        type = EventType::Deleted;
        now = true;  // deliver it
      }
    }
    if (now) {
      w->push(w->encode(type, *event.object), event.rv);
    } else {
      w->advance(event.rv);
    }
  }
  for (auto& listener : listeners_) listener(event);
  history_.push_back(std::move(event));
  while (history_.size() > history_limit_) {
    compacted_rv_ = history_.front().rv;
    history_.pop_front();
  }
}

bool Store::watch(const std::shared_ptr<Watcher>& watcher, std::uint64_t from, bool from_given,
                  bool send_initial_events) {
  if (from_given && from != 0 && !send_initial_events) {
    if (from < compacted_rv_) return false;
    for (const auto& e : history_) {
      if (e.rv <= from || e.resource_id != watcher->resource_id) continue;
      bool now = watcher->matches(*e.object);
      bool before = e.previous && e.type == EventType::Modified && watcher->matches(*e.previous);
      EventType type = e.type;
      if (type == EventType::Modified) {
        if (now && !before) type = EventType::Added;
        if (!now && before) {
          type = EventType::Deleted;
          now = true;
        }
      }
      if (now) watcher->push(watcher->encode(type, *e.object), e.rv);
    }
    watcher->advance(from);
  } else {
    auto type = objects_.find(watcher->resource_id);
    if (type != objects_.end()) {
      for (const auto& [key, obj] : type->second) {
        if (watcher->matches(*obj)) {
          watcher->push(watcher->encode(EventType::Added, *obj),
                        std::stoull((*obj)["metadata"].value("resourceVersion", "0")));
        }
      }
    }
  }
  if (send_initial_events) {
    Json bookmark{{"type", "BOOKMARK"},
                  {"object",
                   {{"kind", watcher->kind},
                    {"apiVersion", watcher->api_version},
                    {"metadata",
                     {{"resourceVersion", std::to_string(rv_.load())},
                      {"annotations", {{"k8s.io/initial-events-end", "true"}}}}}}}};
    watcher->push(bookmark.dump() + "\n", rv_.load());
  }
  watcher->advance(rv_.load());
  watchers_.push_back(watcher);
  return true;
}

void Store::unwatch(const std::shared_ptr<Watcher>& watcher) {
  watchers_.erase(std::remove(watchers_.begin(), watchers_.end(), watcher), watchers_.end());
}

void Store::close_watches() {
  for (auto& w : watchers_) w->close();
  watchers_.clear();
}

void Store::expire_history() {
  // Move past every version handed out so far: resuming from any of them is too old, while a relist gets the
  // new version and can watch from it.
  compacted_rv_ = ++rv_;
  history_.clear();
}

}  // namespace gitmoor::sandbox
