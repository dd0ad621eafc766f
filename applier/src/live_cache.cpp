// LIST+WATCH per target; see live_cache.hpp.
#include "gitmoor/applier/live_cache.hpp"

#include <random>

#include "gitmoor/core/packed.hpp"
#include "live_lookup.hpp"

namespace gitmoor::applier {

using core::Json;
using core::Object;

namespace {

std::vector<std::string> owner_uids(const Object& o) {
  std::vector<std::string> out;
  for (const auto& ref : o.metadata().value("ownerReferences", Json::array())) {
    if (ref.is_object() && ref.contains("uid") && ref["uid"].is_string()) out.push_back(ref["uid"].get<std::string>());
  }
  return out;
}

std::string uid_of(const Object& o) { return o.metadata().value("uid", ""); }

std::string label_of(const Object& o, const std::string& label) {
  if (label.empty()) return {};
  return o.label(label).value_or("");
}

Object unpack(const std::vector<std::uint8_t>& packed) { return Object(core::unpack(packed)); }

}  // namespace

LiveCache::LiveCache(Client& client, std::vector<WatchTarget> targets, LiveCacheOptions options)
    : client_(client), targets_(std::move(targets)), options_(options) {}

LiveCache::~LiveCache() { stop(); }

void LiveCache::start() {
  std::vector<std::string> versions;
  for (std::size_t t = 0; t < targets_.size(); ++t) versions.push_back(list(t));
  for (std::size_t t = 0; t < targets_.size(); ++t) {
    threads_.emplace_back([this, t, rv = versions[t]] { run(t, rv); });
  }
}

void LiveCache::stop() {
  stopping_ = true;
  threads_.clear();  // jthread joins; the streams notice `stopping_` within ~100 ms
}

std::string LiveCache::list(std::size_t t) {
  const auto& target = targets_[t];
  std::vector<Object> items;
  std::string rv;
  std::string next;
  do {
    std::string path = target.resource.path(target.ns) + "?limit=500";
    if (!target.label_selector.empty()) path += "&labelSelector=" + url_encode(target.label_selector);
    if (!target.field_selector.empty()) path += "&fieldSelector=" + url_encode(target.field_selector);
    if (!next.empty()) path += "&continue=" + url_encode(next);
    auto page = client_.request_json({.method = "GET", .path = path});
    for (auto& item : page.value("items", Json::array())) {
      item["apiVersion"] = target.resource.gvk.api_version();
      item["kind"] = target.resource.gvk.kind;
      items.emplace_back(std::move(item));
    }
    const auto meta = page.value("metadata", Json::object());
    next = meta.value("continue", "");
    rv = meta.value("resourceVersion", rv);
  } while (!next.empty());

  // Replace this target's objects: what vanished while we were not watching is deleted.
  std::set<core::ResourceKey> seen;
  for (auto& item : items) {
    seen.insert(item.key());
    upsert(t, std::move(item), true);
  }
  std::vector<Object> gone;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [key, stored] : objects_) {
      if (stored.target == t && seen.count(key) == 0) gone.push_back(unpack(stored.packed));
    }
  }
  for (const auto& o : gone) erase(o, true);
  return rv;
}

void LiveCache::upsert(std::size_t t, Object object, bool notify) {
  if (options_.trim) options_.trim(object);
  Stored stored{.packed = core::pack(object.json()),
                .target = t,
                .resource_version = object.metadata().value("resourceVersion", ""),
                .uid = uid_of(object),
                .label = label_of(object, options_.index_label),
                .owners = owner_uids(object)};
  LiveEvent event = LiveEvent::Added;
  {
    std::lock_guard lock(mutex_);
    const auto key = object.key();
    auto it = objects_.find(key);
    if (it != objects_.end()) {
      // Same resourceVersion: a relist repeating what we have; nothing changed.
      if (it->second.resource_version == stored.resource_version) return;
      event = LiveEvent::Modified;
      for (const auto& owner : it->second.owners) children_[owner].erase(key);
      if (!it->second.label.empty()) unindex_locked(it->second.label, key);
    }
    if (!stored.label.empty()) by_label_[stored.label].insert(key);
    if (!stored.uid.empty()) by_uid_[stored.uid] = key;
    for (const auto& owner : stored.owners) children_[owner].insert(key);
    objects_[key] = std::move(stored);
  }
  if (notify && callback_) callback_(event, object);
}

void LiveCache::erase(const Object& object, bool notify) {
  {
    std::lock_guard lock(mutex_);
    const auto key = object.key();
    auto it = objects_.find(key);
    if (it == objects_.end()) return;
    for (const auto& owner : it->second.owners) children_[owner].erase(key);
    if (!it->second.label.empty()) unindex_locked(it->second.label, key);
    by_uid_.erase(it->second.uid);
    objects_.erase(it);
  }
  if (notify && callback_) callback_(LiveEvent::Deleted, object);
}

void LiveCache::run(std::size_t t, std::string rv) {
  const auto& target = targets_[t];
  std::mt19937 random{std::random_device{}()};
  bool need_list = rv.empty();  // start() listed; the watch resumes from that list's version
  int failures = 0;
  while (!stopping_) {
    try {
      if (need_list) {
        rv = list(t);
        need_list = false;
      }
    } catch (const std::exception&) {
      ++failures;
    }
    if (!need_list) {
      std::string path = target.resource.path(target.ns) + "?watch=true&allowWatchBookmarks=true&resourceVersion=" +
                         url_encode(rv) + "&timeoutSeconds=" + std::to_string(options_.watch_timeout.count());
      if (!target.label_selector.empty()) path += "&labelSelector=" + url_encode(target.label_selector);
      if (!target.field_selector.empty()) path += "&fieldSelector=" + url_encode(target.field_selector);
      std::string error_body;
      bool gone = false;
      bool got_event = false;
      const long status = client_.stream(
          path,
          [&](std::string_view line) {
            Json event;
            try {
              event = Json::parse(line);
            } catch (const std::exception&) {
              return true;  // a torn line: skip it, the next relist repairs anything missed
            }
            const std::string type = event.value("type", "");
            auto object = event.value("object", Json::object());
            if (type == "ERROR") {
              if (object.value("code", 0) == 410) gone = true;
              return false;
            }
            got_event = true;
            const std::string version = object.value("metadata", Json::object()).value("resourceVersion", "");
            if (!version.empty()) rv = version;
            if (type == "BOOKMARK") return true;
            if (!object.contains("apiVersion")) object["apiVersion"] = target.resource.gvk.api_version();
            if (!object.contains("kind")) object["kind"] = target.resource.gvk.kind;
            Object o(std::move(object));
            if (type == "DELETED") {
              erase(o, true);
            } else {
              upsert(t, std::move(o), true);
            }
            return true;
          },
          [this] { return stopping_.load(); }, options_.watch_timeout + std::chrono::seconds(30), &error_body);
      if (stopping_) break;
      if (status == 410 || gone) {
        ++relists_;
        need_list = true;
        failures = 0;
        continue;
      }
      if (status >= 200 && status < 300) {
        // A watch that ended normally (its timeout, the server closing it): resume from rv at once, but not in a
        // tight loop when the server keeps closing empty watches.
        failures = 0;
        if (!got_event) std::this_thread::sleep_for(std::chrono::milliseconds(50));
        continue;
      }
      ++failures;
    }
    // Connection error or refused watch: back off (jittered) before trying again.
    const auto base = options_.backoff_base.count() * (1LL << std::min(failures, 8));
    const auto capped = std::min<long long>(base, options_.backoff_max.count());
    std::uniform_int_distribution<long long> dist(capped / 2, std::max<long long>(capped / 2, capped));
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(dist(random));
    while (!stopping_ && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (failures > 0 && failures % 3 == 0) need_list = true;  // a long outage: our version may have expired
  }
}

std::vector<Object> LiveCache::objects() const {
  std::vector<std::vector<std::uint8_t>> packed;
  {
    std::lock_guard lock(mutex_);
    packed.reserve(objects_.size());
    for (const auto& [key, stored] : objects_) packed.push_back(stored.packed);
  }
  std::vector<Object> out;
  out.reserve(packed.size());
  for (const auto& p : packed) out.push_back(unpack(p));
  return out;
}

std::optional<Object> LiveCache::get(const core::ResourceKey& key) const {
  std::vector<std::uint8_t> packed;
  {
    std::lock_guard lock(mutex_);
    auto it = objects_.find(key);
    if (it == objects_.end()) return std::nullopt;
    packed = it->second.packed;
  }
  return unpack(packed);
}

void LiveCache::unindex_locked(const std::string& value, const core::ResourceKey& key) {
  auto it = by_label_.find(value);
  if (it == by_label_.end()) return;
  it->second.erase(key);
  if (it->second.empty()) by_label_.erase(it);
}

std::vector<Object> LiveCache::labelled(const std::string& value) const {
  std::vector<std::vector<std::uint8_t>> packed;
  {
    std::lock_guard lock(mutex_);
    auto it = by_label_.find(value);
    if (it == by_label_.end()) return {};
    packed.reserve(it->second.size());
    for (const auto& key : it->second) {
      if (auto o = objects_.find(key); o != objects_.end()) packed.push_back(o->second.packed);
    }
  }
  std::vector<Object> out;
  out.reserve(packed.size());
  for (const auto& p : packed) out.push_back(unpack(p));
  return out;
}

std::vector<PackedLive> LiveCache::labelled_packed(const std::string& value) const {
  std::lock_guard lock(mutex_);
  auto it = by_label_.find(value);
  if (it == by_label_.end()) return {};
  std::vector<PackedLive> out;
  out.reserve(it->second.size());
  for (const auto& key : it->second) {
    if (auto o = objects_.find(key); o != objects_.end()) out.push_back({key, o->second.packed});
  }
  return out;
}

std::size_t LiveCache::size() const {
  std::lock_guard lock(mutex_);
  return objects_.size();
}

std::vector<core::ResourceKey> LiveCache::children(const core::ResourceKey& owner) const {
  std::lock_guard lock(mutex_);
  auto it = objects_.find(owner);
  if (it == objects_.end()) return {};
  auto c = children_.find(it->second.uid);
  if (c == children_.end()) return {};
  return {c->second.begin(), c->second.end()};
}

}  // namespace gitmoor::applier
