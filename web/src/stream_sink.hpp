#pragma once
// The server's StreamSink: a bounded queue between a producer (on its own thread) and the connection that writes
// the streamed response. Bounded in bytes: a client that reads slower than it is fed fills it, and the next push()
// fails the stream (the server then drops the connection), so one slow client never costs more than the bound.
#include <cstddef>
#include <functional>
#include <mutex>
#include <string>

#include "http_types.hpp"

namespace gitmoor::web {

class BoundedStreamSink final : public StreamSink {
 public:
  // `wake` is called (never under the sink's lock) when the writer has something to look at: data after an empty
  // queue, the end, or a failure.
  BoundedStreamSink(std::size_t max_bytes, std::function<void()> wake);

  // Producer side (any thread).
  bool push(std::string chunk) override;  // false once failed: the client is gone, too slow, or the server stops
  void close() override;

  // Writer side.
  struct Batch {
    std::string data;     // everything queued, in order
    bool closed = false;  // the producer has nothing more (after `data`)
    bool failed = false;  // drop the connection: the client is gone or did not keep up
  };
  Batch take();
  // The client is gone (or the server drops it): pushes fail from now on and the queue is freed.
  void fail();
  [[nodiscard]] bool failed() const;
  [[nodiscard]] bool overflowed() const;

 private:
  const std::size_t max_bytes_;
  const std::function<void()> wake_;
  mutable std::mutex mutex_;
  std::string queued_;
  bool closed_ = false;
  bool failed_ = false;
  bool overflowed_ = false;
};

}  // namespace gitmoor::web
