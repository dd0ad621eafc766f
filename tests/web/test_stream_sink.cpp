// The bounded queue behind every streamed response: it takes what fits, fails once a client falls behind by more
// than its bound, and wakes the writer when there is something to do.
#include <atomic>

#include <catch2/catch.hpp>

#include "stream_sink.hpp"

namespace gitmoor::web {

TEST_CASE("a stream sink holds up to its bound, then fails and frees what it held", "[web][stream]") {
  std::atomic<int> wakes{0};
  BoundedStreamSink sink(10, [&] { ++wakes; });
  CHECK(sink.push("12345"));
  CHECK(wakes == 1);  // data after an empty queue
  CHECK(sink.push("678"));
  CHECK(wakes == 1);  // the writer has not taken the first yet: no second wake
  auto batch = sink.take();
  CHECK(batch.data == "12345678");
  CHECK_FALSE(batch.failed);

  CHECK(sink.push("1234567890"));
  CHECK_FALSE(sink.push("x"));  // past the bound with the queue not taken: the client did not keep up
  CHECK(sink.overflowed());
  CHECK(sink.take().failed);
  CHECK_FALSE(sink.push("more"));
}

TEST_CASE("a chunk larger than the bound is taken into an empty queue (a snapshot), not after it", "[web][stream]") {
  BoundedStreamSink sink(4, [] {});
  CHECK(sink.push("a snapshot larger than the bound"));
  CHECK_FALSE(sink.push("x"));
}

TEST_CASE("close ends the stream after what was queued, fail drops it", "[web][stream]") {
  BoundedStreamSink closing(100, [] {});
  closing.push("last words");
  closing.close();
  CHECK_FALSE(closing.push("after the end"));
  auto batch = closing.take();
  CHECK(batch.data == "last words");
  CHECK(batch.closed);

  BoundedStreamSink dropped(100, [] {});
  dropped.push("never sent");
  dropped.fail();
  CHECK(dropped.take().failed);
  CHECK_FALSE(dropped.overflowed());
}

}  // namespace gitmoor::web
