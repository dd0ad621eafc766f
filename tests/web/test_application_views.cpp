// The read-only views' routes over a fake engine: resource-tree, managed-resources, events (with Argo CD's resource
// filters), logs whole and followed (the stream's producer driven with a sink of our own), revision metadata.
#include <condition_variable>
#include <mutex>
#include <sstream>
#include <string>

#include <catch2/catch.hpp>

#include "api_routes.hpp"
#include "eventually.hpp"
#include "fake_operations.hpp"
#include "pod_log_stream.hpp"

namespace gitmoor::web {
namespace {

namespace http = boost::beast::http;
using core::Json;

Reply call(engine::Operations& ops, const std::string& target) {
  Request request{http::verb::get, target, 11};
  request.prepare_payload();
  const Api api(ApiServices{ops, nullptr});
  return api.handle(request);
}

Json json_of(const Reply& reply) { return Json::parse(reply.response.body()); }

std::vector<Json> lines_of(const std::string& body) {
  std::vector<Json> out;
  std::istringstream in(body);
  for (std::string line; std::getline(in, line);) out.push_back(Json::parse(line));
  return out;
}

// The server's side of a stream, as a test sees it: chunks kept, a capacity after which it refuses.
class RecordingSink : public StreamSink {
 public:
  explicit RecordingSink(std::size_t capacity = 1000) : capacity_(capacity) {}
  bool push(std::string chunk) override {
    std::lock_guard lock(mutex_);
    if (chunks_.size() >= capacity_) return false;
    chunks_.push_back(std::move(chunk));
    return true;
  }
  void close() override { closed_ = true; }
  std::vector<std::string> chunks() const {
    std::lock_guard lock(mutex_);
    return chunks_;
  }
  bool closed() const { return closed_; }

 private:
  std::size_t capacity_;
  mutable std::mutex mutex_;
  std::vector<std::string> chunks_;
  std::atomic<bool> closed_{false};
};

}  // namespace

TEST_CASE("resource-tree, managed-resources and events answer the engine's JSON, 404 for an unknown app", "[web][views]") {
  test::FakeOperations ops;
  ops.add("tetris");
  ops.tree["nodes"] = Json::array({{{"kind", "Deployment"}, {"name", "web"}, {"uid", "d-1"}}});
  ops.managed["items"] = Json::array({{{"kind", "Secret"}, {"name", "db"}, {"liveState", "null"}}});
  ops.event_list["items"] = Json::array(
      {{{"reason", "ScalingReplicaSet"}, {"involvedObject", {{"uid", "d-1"}, {"name", "web"}, {"namespace", "game"}}}},
       {{"reason", "Pulled"}, {"involvedObject", {{"uid", "p-1"}, {"name", "web-1"}, {"namespace", "game"}}}}});

  auto tree = call(ops, "/api/v1/applications/tetris/resource-tree");
  CHECK(tree.response.result() == http::status::ok);
  CHECK(json_of(tree) == ops.tree);
  CHECK(json_of(call(ops, "/api/v1/applications/tetris/managed-resources")) == ops.managed);
  CHECK(json_of(call(ops, "/api/v1/applications/tetris/events")) == ops.event_list);
  const auto one = json_of(call(ops, "/api/v1/applications/tetris/events?resourceUID=p-1"));
  REQUIRE(one["items"].size() == 1);
  CHECK(one["items"][0]["reason"] == "Pulled");
  CHECK(json_of(call(ops, "/api/v1/applications/tetris/events?resourceName=web&resourceNamespace=game"))["items"].size() == 1);

  for (const char* view : {"resource-tree", "managed-resources", "events", "logs?podName=x", "revisions/abc/metadata"}) {
    auto missing = call(ops, std::string("/api/v1/applications/nope/") + view);
    INFO(view);
    CHECK(missing.response.result() == http::status::not_found);
    CHECK_THAT(std::string(missing.response.body()), Catch::Contains("nope"));
  }
}

TEST_CASE("logs: Argo CD's stream of result lines ending with last, whole when not followed", "[web][views]") {
  test::FakeOperations ops;
  ops.add("tetris");
  ops.pods = {"web-1"};
  ops.log_lines = {{.content = "listening on :80", .time_stamp = "2026-12-02T00:53:38.001500000Z", .pod_name = "web-1"},
                   {.content = "GET / 200", .time_stamp = "2026-12-02T00:53:40.000000000Z", .pod_name = "web-1"}};

  auto reply = call(ops, "/api/v1/applications/tetris/logs?podName=web-1&container=web&tailLines=10&sinceSeconds=60");
  REQUIRE(reply.response.result() == http::status::ok);
  CHECK_FALSE(reply.stream);
  CHECK(reply.response[http::field::content_type] == "application/json");
  const auto lines = lines_of(reply.response.body());
  REQUIRE(lines.size() == 3);
  CHECK(lines[0]["result"]["content"] == "listening on :80");
  CHECK(lines[0]["result"]["timeStamp"] == "2026-12-02T00:53:38Z");
  CHECK(lines[0]["result"]["timeStampStr"] == "2026-12-02T00:53:38.001500000Z");
  CHECK(lines[0]["result"]["podName"] == "web-1");
  CHECK(lines[0]["result"]["last"] == false);
  CHECK(lines[2]["result"]["last"] == true);
  REQUIRE(ops.log_requests.size() == 1);
  CHECK(ops.log_requests[0].container == "web");
  CHECK(ops.log_requests[0].tail_lines == 10);
  CHECK(ops.log_requests[0].since_seconds == 60);
  CHECK_FALSE(ops.log_requests[0].follow);

  // Argo CD's older path names the pod in it.
  CHECK(lines_of(call(ops, "/api/v1/applications/tetris/pods/web-1/logs").response.body()).size() == 3);

  auto foreign = call(ops, "/api/v1/applications/tetris/logs?podName=kube-apiserver");
  CHECK(foreign.response.result() == http::status::not_found);
  CHECK_THAT(std::string(foreign.response.body()), Catch::Contains("kube-apiserver"));
  auto no_pod = call(ops, "/api/v1/applications/tetris/logs");
  CHECK(no_pod.response.result() == http::status::bad_request);
  CHECK_THAT(std::string(no_pod.response.body()), Catch::Contains("podName"));
  auto bad_tail = call(ops, "/api/v1/applications/tetris/logs?podName=web-1&tailLines=ten");
  CHECK(bad_tail.response.result() == http::status::bad_request);
  CHECK_THAT(std::string(bad_tail.response.body()), Catch::Contains("tailLines"));
  CHECK(call(ops, "/api/v1/applications/tetris/logs?podName=web-1&follow=maybe").response.result() ==
        http::status::bad_request);
}

TEST_CASE("logs with follow=true: a stream whose producer pushes lines until stopped", "[web][views]") {
  test::FakeOperations ops;
  ops.add("tetris");
  ops.pods = {"web-1"};
  ops.log_lines = {{.content = "one", .time_stamp = "", .pod_name = "web-1"},
                   {.content = "two", .time_stamp = "", .pod_name = "web-1"}};

  // A pod outside the tree is refused before any stream starts.
  auto foreign = call(ops, "/api/v1/applications/tetris/logs?podName=other&follow=true");
  CHECK(foreign.response.result() == http::status::not_found);
  CHECK_FALSE(foreign.stream);

  auto reply = call(ops, "/api/v1/applications/tetris/logs?podName=web-1&follow=true");
  REQUIRE(reply.response.result() == http::status::ok);
  REQUIRE(reply.stream);
  auto sink = std::make_shared<RecordingSink>();
  reply.stream->start(sink);
  REQUIRE(test::eventually([&] { return sink->chunks().size() == 2; }));
  CHECK(Json::parse(sink->chunks()[0])["result"]["content"] == "one");
  CHECK(ops.log_requests.back().follow);
  reply.stream->stop();  // the client went: the follow ends, nothing more is pushed
  reply.stream.reset();  // joins the producer's thread
  CHECK(sink->chunks().size() == 2);
  CHECK_FALSE(sink->closed());
}

TEST_CASE("a followed log that ends closes the stream with the last entry, and a full sink stops it", "[web][views]") {
  test::FakeOperations ops;
  ops.add("tetris");
  ops.pods = {"web-1"};
  ops.log_lines = {{.content = "a", .time_stamp = "", .pod_name = "web-1"},
                   {.content = "b", .time_stamp = "", .pod_name = "web-1"},
                   {.content = "c", .time_stamp = "", .pod_name = "web-1"}};
  {
    // Not followed by the engine (it returns at once): the producer ends the stream itself.
    PodLogStream stream(ops, "tetris", {.pod_name = "web-1"});
    auto sink = std::make_shared<RecordingSink>();
    stream.start(sink);
    REQUIRE(test::eventually([&] { return sink->closed(); }));
    const auto chunks = sink->chunks();
    REQUIRE(chunks.size() == 4);
    CHECK(Json::parse(chunks.back())["result"]["last"] == true);
  }
  {
    // A client that stops reading: the sink refuses, the producer stops pushing and cancels the follow.
    PodLogStream stream(ops, "tetris", {.pod_name = "web-1", .follow = true});
    auto sink = std::make_shared<RecordingSink>(1);
    stream.start(sink);
    REQUIRE(test::eventually([&] { return sink->chunks().size() == 1; }));
  }  // the destructor returns: the engine's follow saw cancelled()
  {
    // An engine error after the head: an error object, then the end.
    PodLogStream stream(ops, "nope", {.pod_name = "web-1"});
    auto sink = std::make_shared<RecordingSink>();
    stream.start(sink);
    REQUIRE(test::eventually([&] { return sink->closed(); }));
    REQUIRE(sink->chunks().size() == 1);
    CHECK_THAT(Json::parse(sink->chunks()[0])["error"]["message"].get<std::string>(), Catch::Contains("nope"));
  }
}

TEST_CASE("revision metadata of a known revision, 404 naming an unknown one", "[web][views]") {
  test::FakeOperations ops;
  ops.add("tetris");
  ops.revisions["abc123"] = {{"author", "Dev <dev@example.com>"}, {"date", "2026-12-02T00:00:00Z"},
                             {"message", "bump image"}, {"tags", Json::array()}};
  auto known = call(ops, "/api/v1/applications/tetris/revisions/abc123/metadata");
  CHECK(known.response.result() == http::status::ok);
  CHECK(json_of(known)["message"] == "bump image");
  auto unknown = call(ops, "/api/v1/applications/tetris/revisions/feedbeef/metadata");
  CHECK(unknown.response.result() == http::status::not_found);
  CHECK_THAT(std::string(unknown.response.body()), Catch::Contains("feedbeef"));
}

}  // namespace gitmoor::web
