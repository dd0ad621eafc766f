#pragma once
// A notification receiver for tests: a real HTTP/1.1 server on 127.0.0.1:0 (Beast, one thread per connection, so a
// request held open does not stop the others) that records every request and answers with what the test's handler
// says: a status and body, or "hang" (hold the request until release() or the receiver's end).
#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

namespace gitmoor::test {

struct ReceivedRequest {
  std::string method;
  std::string target;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
};

struct ReceiverAnswer {
  int status = 200;
  std::string body = "{}";
  bool hang = false;  // hold the request open until release()
};

class HttpReceiver {
 public:
  using Handler = std::function<ReceiverAnswer(const ReceivedRequest&)>;
  explicit HttpReceiver(Handler handler = {});
  ~HttpReceiver();
  HttpReceiver(const HttpReceiver&) = delete;
  HttpReceiver& operator=(const HttpReceiver&) = delete;

  [[nodiscard]] std::string url() const;  // http://127.0.0.1:<port>
  [[nodiscard]] std::vector<ReceivedRequest> requests() const;  // every request received, in order
  [[nodiscard]] std::size_t hanging() const;                    // requests held open now
  void set_handler(Handler handler);
  void release();  // answers the held requests (with 200) and stops holding new ones

 private:
  void accept_loop();
  void serve(boost::asio::ip::tcp::socket socket);

  Handler handler_;
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  unsigned short port_ = 0;
  mutable std::mutex mutex_;
  std::condition_variable released_cv_;
  bool released_ = false;
  std::atomic<bool> stopping_{false};
  std::size_t hanging_ = 0;
  std::vector<ReceivedRequest> requests_;
  std::thread acceptor_thread_;
  std::vector<std::thread> connections_;
  std::vector<int> sockets_;  // open connections, shut down at the end so no thread waits on a client
};

}  // namespace gitmoor::test
