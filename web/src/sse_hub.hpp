#pragma once
// The server-sent event streams' one worker: it hears "application X changed" from the engine
// (Operations::watch_applications; the engine only notes the name), and on its own thread reads the app, drops
// changes that change nothing a client sees (same JSON as last sent, or only status.reconciledAt), formats each
// frame once and hands it to every client that asked for that app. A client is a StreamProducer the server
// drives; what a client may queue is bounded by the server's sink, so a slow client costs nothing here.
//
//   GET /api/v1/stream/applications → data: {"result":{"type":"ADDED|MODIFIED|DELETED","application":{...}}}
//   GET /api/v1/stream/applications/{name}/resource-tree → data: {"result":<ApplicationTree>}
//   every client, every keepalive interval → ": keep-alive"
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "gitmoor/engine/operations.hpp"
#include "gitmoor/web/http_server.hpp"
#include "http_types.hpp"
#include "application_filters.hpp"

namespace gitmoor::web {

class EventStreamHub : public std::enable_shared_from_this<EventStreamHub> {
 public:
  // `operations` must outlive the hub. Made with std::make_shared: its producers keep it alive.
  EventStreamHub(engine::Operations& operations, EventStreamOptions options);
  ~EventStreamHub();
  EventStreamHub(const EventStreamHub&) = delete;
  EventStreamHub& operator=(const EventStreamHub&) = delete;

  // A new client of the applications stream: an ADDED per matching app once started, then the changes.
  std::shared_ptr<StreamProducer> applications(ApplicationFilter filter);
  // A new client of one app's resource tree: the tree once started, then each tree that differs from the last.
  std::shared_ptr<StreamProducer> resource_tree(std::string app);

  struct Client;

 private:
  class Producer;
  struct CachedApp {
    std::string text;        // the Application as sent (JSON)
    std::string comparable;  // the same without status.reconciledAt: what decides whether a change is worth a frame
    core::Json labels;       // metadata.labels, for selectors
  };
  struct Change {
    std::string name;
    const char* type;  // ADDED, MODIFIED, DELETED
    std::string frame;
    core::Json labels;
  };

  void join(const std::shared_ptr<Client>& client, std::shared_ptr<StreamSink> sink);
  void leave(const std::shared_ptr<Client>& client);
  void run();
  // Worker thread only.
  void load_all(std::vector<Change>& changes, bool report);
  void load_one(const std::string& name, std::vector<Change>& changes);
  void remember(const std::string& name, const core::Json& app, std::vector<Change>& changes, bool report);
  void send_trees(const std::vector<std::shared_ptr<Client>>& clients, const std::set<std::string>& names);
  static std::string frame(const char* type, const std::string& application_text);

  engine::Operations& operations_;
  const EventStreamOptions options_;

  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::uint64_t next_id_ = 1;
  std::map<std::uint64_t, std::shared_ptr<Client>> clients_;  // sent their start, receive changes
  std::vector<std::shared_ptr<Client>> joining_;               // started, waiting for their first frames
  std::map<std::string, bool> pending_;                         // app → deleted (a hint: the worker reads the app)
  bool started_ = false;                                        // the first client came
  std::thread thread_;                                          // started with the first client

  // Worker thread only.
  std::map<std::string, CachedApp> apps_;
  bool loaded_ = false;

  engine::Subscription subscription_;  // last: unsubscribed first when the hub goes
};

}  // namespace gitmoor::web
