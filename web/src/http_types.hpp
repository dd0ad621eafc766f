#pragma once
// The HTTP vocabulary shared by the server (http_server.cpp) and the routes: a parsed request, a complete response,
// and a Reply that is either a response or a stream (server-sent events, followed logs) written as it is produced.
#include <memory>
#include <string>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

namespace gitmoor::web {

using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;

// Where a stream's producer writes. The server owns it and gives it a bounded buffer: push() returns false once the
// client has gone or stopped reading (its buffer is full, and the connection is then dropped), telling the producer
// to stop. Thread-safe: producers push from their own threads.
class StreamSink {
 public:
  virtual ~StreamSink() = default;
  virtual bool push(std::string chunk) = 0;
  virtual void close() = 0;  // the producer has nothing more: the server ends the response
};

// The producing side of a streamed reply. start() is called once the head is written; stop() when the client is
// gone or the server stops (after which the producer must not touch the sink).
class StreamProducer {
 public:
  virtual ~StreamProducer() = default;
  virtual void start(std::shared_ptr<StreamSink> sink) = 0;
  virtual void stop() = 0;
};

// A route's answer. With `stream` set, `response` is only the head (status and headers, no Content-Length).
struct Reply {
  Response response;
  std::shared_ptr<StreamProducer> stream;

  Reply(Response r) : response(std::move(r)) {}  // NOLINT(google-explicit-constructor): a plain response is a Reply
  Reply(Response head, std::shared_ptr<StreamProducer> producer) : response(std::move(head)), stream(std::move(producer)) {}
};

}  // namespace gitmoor::web
