#pragma once
// The logs of a Pod as Argo CD's API streams them: one JSON object per line, {"result": LogEntry}, ending with an
// entry whose "last" is true. log_entry_line() formats a line; PodLogStream produces a followed log (follow=true)
// on its own thread, pushing each line into the server's sink until the log ends or the client goes.
#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "gitmoor/engine/operations.hpp"
#include "http_types.hpp"

namespace gitmoor::web {

// `{"result":{"content":...,"timeStamp":...,"timeStampStr":...,"podName":...,"last":...}}` and a newline.
// timeStamp is the kubelet's time to the second (metav1.Time), timeStampStr the whole of it.
std::string log_entry_line(const engine::LogEntry& entry, bool last = false);
// The closing entry: no content, "last": true.
std::string last_log_line(const std::string& pod_name);

class PodLogStream final : public StreamProducer {
 public:
  // `operations` must outlive the stream (the server stops streams before the engine goes).
  PodLogStream(const engine::Operations& operations, std::string app, engine::PodLogsRequest request);
  ~PodLogStream() override;

  void start(std::shared_ptr<StreamSink> sink) override;
  // Returns at once: the reading thread notices within ~100 ms and never touches the sink again.
  void stop() override;

 private:
  void run();
  bool push(std::string chunk);  // false once stopped or the sink refuses

  const engine::Operations& operations_;
  std::string app_;
  engine::PodLogsRequest request_;
  std::mutex mutex_;  // guards sink_ against stop()
  std::shared_ptr<StreamSink> sink_;
  std::atomic<bool> stopped_{false};
  std::jthread thread_;
};

}  // namespace gitmoor::web
