// See sse_hub.hpp.
#include "sse_hub.hpp"

#include <algorithm>
#include <set>

#include "gitmoor/core/logging.hpp"

namespace gitmoor::web {

namespace {

constexpr const char* kAdded = "ADDED";
constexpr const char* kModified = "MODIFIED";
constexpr const char* kDeleted = "DELETED";
const std::string kKeepAlive = ": keep-alive\n\n";

}  // namespace

struct EventStreamHub::Client {
  std::uint64_t id = 0;
  bool tree = false;         // a resource-tree client (else an applications client)
  ApplicationFilter filter;  // applications clients
  std::string app;           // resource-tree clients
  std::shared_ptr<StreamSink> sink;
  std::string last_tree;     // the tree last sent (resource-tree clients; worker thread only)
  bool failed = false;       // a push failed: the server drops it (worker thread only)
  bool left = false;         // its producer was stopped (guarded by the hub's mutex)

  void send(const std::string& text) {
    if (!failed && !sink->push(text)) failed = true;
  }
};

class EventStreamHub::Producer final : public StreamProducer {
 public:
  Producer(std::shared_ptr<EventStreamHub> hub, std::shared_ptr<Client> client)
      : hub_(std::move(hub)), client_(std::move(client)) {}
  void start(std::shared_ptr<StreamSink> sink) override { hub_->join(client_, std::move(sink)); }
  void stop() override { hub_->leave(client_); }

 private:
  std::shared_ptr<EventStreamHub> hub_;
  std::shared_ptr<Client> client_;
};

EventStreamHub::EventStreamHub(engine::Operations& operations, EventStreamOptions options)
    : operations_(operations), options_(options) {}

EventStreamHub::~EventStreamHub() {
  subscription_.reset();  // no callback runs after this
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::shared_ptr<StreamProducer> EventStreamHub::applications(ApplicationFilter filter) {
  auto client = std::make_shared<Client>();
  client->filter = std::move(filter);
  std::lock_guard lock(mutex_);
  client->id = next_id_++;
  return std::make_shared<Producer>(shared_from_this(), std::move(client));
}

std::shared_ptr<StreamProducer> EventStreamHub::resource_tree(std::string app) {
  auto client = std::make_shared<Client>();
  client->tree = true;
  client->app = std::move(app);
  std::lock_guard lock(mutex_);
  client->id = next_id_++;
  return std::make_shared<Producer>(shared_from_this(), std::move(client));
}

void EventStreamHub::join(const std::shared_ptr<Client>& client, std::shared_ptr<StreamSink> sink) {
  bool first = false;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    client->sink = std::move(sink);
    joining_.push_back(client);
    first = !started_;
    started_ = true;
  }
  if (first) {
    // From now on the engine says which apps change (subscribed before the worker's first listing, so nothing falls
    // between). The callback only notes the name: the engine's thread must not wait for JSON work or for clients.
    auto subscription = operations_.watch_applications([this](const std::string& name, bool deleted) {
      {
        std::lock_guard lock(mutex_);
        pending_[name] = deleted;
      }
      wake_.notify_one();
    });
    std::lock_guard lock(mutex_);
    subscription_ = std::move(subscription);
    if (!stopping_) thread_ = std::thread([this] { run(); });
  }
  wake_.notify_one();
}

void EventStreamHub::leave(const std::shared_ptr<Client>& client) {
  std::lock_guard lock(mutex_);
  client->left = true;
  clients_.erase(client->id);
  std::erase_if(joining_, [&](const auto& other) { return other == client; });
}

std::string EventStreamHub::frame(const char* type, const std::string& application_text) {
  std::string out;
  out.reserve(application_text.size() + 64);
  out += R"(data: {"result":{"type":")";
  out += type;
  out += R"(","application":)";
  out += application_text;
  out += "}}\n\n";
  return out;
}

void EventStreamHub::remember(const std::string& name, const core::Json& app, std::vector<Change>& changes,
                              bool report) {
  core::Json comparable = app;
  if (comparable.contains("status") && comparable["status"].is_object()) comparable["status"].erase("reconciledAt");
  std::string comparable_text = comparable.dump(-1, ' ', false, core::Json::error_handler_t::replace);
  auto it = apps_.find(name);
  if (it != apps_.end() && it->second.comparable == comparable_text) return;  // nothing a client would see changed
  const char* type = it == apps_.end() ? kAdded : kModified;
  CachedApp cached{app.dump(-1, ' ', false, core::Json::error_handler_t::replace), std::move(comparable_text), core::Json::object()};
  if (app.contains("metadata") && app["metadata"].contains("labels")) cached.labels = app["metadata"]["labels"];
  if (report) changes.push_back({name, type, frame(type, cached.text), cached.labels});
  apps_[name] = std::move(cached);
}

// Every app, compared with what was last sent: the first load (report = false: clients get their ADDED on joining),
// and the periodic resync that catches what an engine did not say.
void EventStreamHub::load_all(std::vector<Change>& changes, bool report) {
  std::vector<core::Json> listed;
  try {
    listed = operations_.list_applications();
  } catch (const std::exception& e) {
    core::logger("web")->warn("application stream: listing the applications failed: {}", e.what());
    return;
  }
  std::set<std::string> names;
  for (const auto& app : listed) {
    const std::string name = app.value("metadata", core::Json::object()).value("name", "");
    if (name.empty()) continue;
    names.insert(name);
    remember(name, app, changes, report);
  }
  for (auto it = apps_.begin(); it != apps_.end();) {
    if (names.count(it->first) == 0) {
      if (report) changes.push_back({it->first, kDeleted, frame(kDeleted, it->second.text), it->second.labels});
      it = apps_.erase(it);
    } else {
      ++it;
    }
  }
  loaded_ = true;
}

void EventStreamHub::load_one(const std::string& name, std::vector<Change>& changes) {
  std::optional<core::Json> app;
  try {
    app = operations_.get_application(name);
  } catch (const std::exception& e) {
    core::logger("web")->warn("application stream: reading application {} failed: {}", name, e.what());
    return;
  }
  if (app) {
    remember(name, *app, changes, true);
    return;
  }
  auto it = apps_.find(name);
  if (it == apps_.end()) return;
  changes.push_back({name, kDeleted, frame(kDeleted, it->second.text), it->second.labels});
  apps_.erase(it);
}

// One tree per app however many clients watch it; a client gets it when it differs from what it was last sent.
void EventStreamHub::send_trees(const std::vector<std::shared_ptr<Client>>& clients, const std::set<std::string>& names) {
  for (const auto& name : names) {
    std::string tree_text;
    bool gone = false;
    try {
      tree_text = operations_.resource_tree(name).dump(-1, ' ', false, core::Json::error_handler_t::replace);
    } catch (const engine::ApplicationNotFound&) {
      gone = true;
    } catch (const std::exception& e) {
      core::logger("web")->debug("resource tree stream of {}: {}", name, e.what());
      continue;
    }
    const std::string frame_text = gone ? std::string() : R"(data: {"result":)" + tree_text + "}\n\n";
    for (const auto& client : clients) {
      if (!client->tree || client->app != name) continue;
      if (gone) {
        client->sink->close();  // the app was deleted: its tree stream ends
        client->failed = true;
        continue;
      }
      if (client->last_tree == tree_text) continue;
      client->last_tree = tree_text;
      client->send(frame_text);
    }
  }
}

void EventStreamHub::run() {
  using clock = std::chrono::steady_clock;
  auto next_keepalive = clock::now() + options_.keepalive;
  auto next_resync = clock::now() + options_.resync;
  auto next_trees = clock::now() + options_.tree_interval;
  for (;;) {
    std::map<std::string, bool> pending;
    std::vector<std::shared_ptr<Client>> joining;
    std::vector<std::shared_ptr<Client>> clients;
    {
      std::unique_lock lock(mutex_);
      wake_.wait_until(lock, std::min({next_keepalive, next_resync, next_trees}),
                       [this] { return stopping_ || !pending_.empty() || !joining_.empty(); });
      if (stopping_) return;
      pending.swap(pending_);
      joining.swap(joining_);
      for (const auto& entry : clients_) clients.push_back(entry.second);
    }
    const auto now = clock::now();

    // 1. What changed since the last round, sent to the clients already streaming.
    std::vector<Change> changes;
    if (!loaded_) {
      load_all(changes, false);
    } else if (now >= next_resync) {
      load_all(changes, true);
    } else {
      for (const auto& entry : pending) load_one(entry.first, changes);
    }
    if (now >= next_resync) next_resync = now + options_.resync;
    for (const auto& change : changes) {
      for (const auto& client : clients) {
        if (!client->tree && client->filter.matches(change.name, change.labels)) client->send(change.frame);
      }
    }
    std::set<std::string> trees;
    for (const auto& client : clients) {
      if (client->tree && (pending.count(client->app) != 0 || now >= next_trees)) trees.insert(client->app);
    }
    if (now >= next_trees) next_trees = now + options_.tree_interval;
    send_trees(clients, trees);

    // 2. The clients that just started: everything they asked for as it is now (one push: the snapshot may be
    // larger than a client's buffer, which bounds what queues up after it).
    std::set<std::string> joining_trees;
    for (const auto& client : joining) {
      if (client->tree) {
        joining_trees.insert(client->app);
        continue;
      }
      std::string snapshot;
      for (const auto& [name, app] : apps_) {
        if (client->filter.matches(name, app.labels)) snapshot += frame(kAdded, app.text);
      }
      if (!snapshot.empty()) client->send(snapshot);
    }
    send_trees(joining, joining_trees);

    // 3. Keep-alive comments keep proxies from closing a quiet stream (and find clients that went away).
    if (now >= next_keepalive) {
      for (const auto& client : clients) client->send(kKeepAlive);
      next_keepalive = now + options_.keepalive;
    }

    std::lock_guard lock(mutex_);
    for (const auto& client : clients) {
      if (client->failed) clients_.erase(client->id);
    }
    for (const auto& client : joining) {
      if (!client->failed && !client->left) clients_[client->id] = client;  // not one that left meanwhile
    }
  }
}

}  // namespace gitmoor::web
