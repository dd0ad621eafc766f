// See pod_log_stream.hpp.
#include "pod_log_stream.hpp"

#include <chrono>
#include <ctime>

namespace gitmoor::web {

using core::Json;

namespace {

std::string seconds_of(const std::string& time_stamp) {
  if (time_stamp.empty()) return time_stamp;
  const auto dot = time_stamp.find('.');
  return dot == std::string::npos ? time_stamp : time_stamp.substr(0, dot) + "Z";
}

std::string now_rfc3339() {
  const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

}  // namespace

std::string log_entry_line(const engine::LogEntry& entry, bool last) {
  Json result{{"content", entry.content},
              {"timeStamp", seconds_of(entry.time_stamp)},
              {"timeStampStr", entry.time_stamp},
              {"podName", entry.pod_name},
              {"last", last}};
  // Replace, not throw, on invalid UTF-8: a log holds whatever the program wrote.
  return Json{{"result", std::move(result)}}.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
}

std::string last_log_line(const std::string& pod_name) {
  const std::string now = now_rfc3339();
  return log_entry_line({.content = "", .time_stamp = now, .pod_name = pod_name}, true);
}

PodLogStream::PodLogStream(const engine::Operations& operations, std::string app, engine::PodLogsRequest request)
    : operations_(operations), app_(std::move(app)), request_(std::move(request)) {}

PodLogStream::~PodLogStream() {
  stop();
  if (thread_.joinable()) thread_.join();
}

void PodLogStream::start(std::shared_ptr<StreamSink> sink) {
  {
    std::lock_guard lock(mutex_);
    sink_ = std::move(sink);
  }
  thread_ = std::jthread([this] { run(); });
}

void PodLogStream::stop() {
  stopped_ = true;
  std::lock_guard lock(mutex_);
  sink_.reset();
}

bool PodLogStream::push(std::string chunk) {
  std::lock_guard lock(mutex_);
  if (stopped_ || !sink_) return false;
  if (sink_->push(std::move(chunk))) return true;
  stopped_ = true;  // the client stopped reading: the server drops it
  return false;
}

void PodLogStream::run() {
  try {
    operations_.pod_logs(
        app_, request_, [this](const engine::LogEntry& entry) { return push(log_entry_line(entry)); },
        [this] { return stopped_.load(); });
    push(last_log_line(request_.pod_name));
  } catch (const std::exception& e) {
    // The head (200) is gone already: the error travels as grpc-gateway's stream error object.
    push(Json{{"error", {{"code", 13}, {"message", e.what()}}}}.dump(-1, ' ', false, Json::error_handler_t::replace) +
         "\n");
  }
  std::lock_guard lock(mutex_);
  if (!stopped_ && sink_) sink_->close();
}

}  // namespace gitmoor::web
