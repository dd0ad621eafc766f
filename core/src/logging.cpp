#include "gitmoor/core/logging.hpp"

#include <chrono>
#include <ctime>
#include <mutex>

#include <nlohmann/json.hpp>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>

#include "gitmoor/core/error.hpp"

namespace gitmoor::core {
namespace {

// Writes one JSON object per line to stderr. The message is escaped by nlohmann::json, so any text is safe.
class JsonLinesSink final : public spdlog::sinks::base_sink<std::mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    std::string line = format_json_log_line(msg);
    line.push_back('\n');
    std::fwrite(line.data(), 1, line.size(), stderr);
  }
  void flush_() override { std::fflush(stderr); }
};

std::mutex g_mutex;
LogOptions g_options;

spdlog::sink_ptr make_sink(LogFormat format) {
  if (format == LogFormat::Json) return std::make_shared<JsonLinesSink>();
  auto sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  sink->set_formatter(std::make_unique<spdlog::pattern_formatter>("%Y-%m-%dT%H:%M:%S.%eZ %^%-5l%$ [%n] %v",
                                                                  spdlog::pattern_time_type::utc));
  return sink;
}

}  // namespace

spdlog::level::level_enum parse_log_level(std::string_view text) {
  static constexpr std::string_view kNames[] = {"trace", "debug", "info", "warn", "error", "critical", "off"};
  for (std::size_t i = 0; i < std::size(kNames); ++i) {
    if (text == kNames[i]) return static_cast<spdlog::level::level_enum>(i);
  }
  throw InvalidInput("log level \"" + std::string(text) +
                     "\": expected one of trace, debug, info, warn, error, critical, off");
}

LogFormat parse_log_format(std::string_view text) {
  if (text == "text") return LogFormat::Text;
  if (text == "json") return LogFormat::Json;
  throw InvalidInput("log format \"" + std::string(text) + "\": expected text or json");
}

void configure_logging(const LogOptions& options) {
  std::lock_guard lock(g_mutex);
  g_options = options;
  auto sink = make_sink(options.format);
  // Existing named loggers switch to the new sink too, so configuration may come after they were made.
  spdlog::apply_all([&](const std::shared_ptr<spdlog::logger>& l) {
    l->sinks().assign({sink});
    l->set_level(options.level);
  });
  auto root = std::make_shared<spdlog::logger>("gitmoor", sink);
  root->set_level(options.level);
  spdlog::set_default_logger(root);
}

std::shared_ptr<spdlog::logger> logger(const std::string& name) {
  if (auto existing = spdlog::get(name)) return existing;
  std::lock_guard lock(g_mutex);
  if (auto existing = spdlog::get(name)) return existing;
  auto made = std::make_shared<spdlog::logger>(name, spdlog::default_logger()->sinks().begin(),
                                               spdlog::default_logger()->sinks().end());
  made->set_level(spdlog::default_logger()->level());
  spdlog::register_logger(made);
  return made;
}

std::string format_json_log_line(const spdlog::details::log_msg& msg) {
  using namespace std::chrono;
  auto since_epoch = msg.time.time_since_epoch();
  auto secs = duration_cast<seconds>(since_epoch);
  auto millis = duration_cast<milliseconds>(since_epoch - secs).count();
  std::time_t t = secs.count();
  std::tm tm{};
  gmtime_r(&t, &tm);
  char stamp[96];
  std::snprintf(stamp, sizeof stamp, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(millis));
  nlohmann::ordered_json line;
  line["time"] = stamp;
  auto level = spdlog::level::to_string_view(msg.level);
  line["level"] = std::string(level.data(), level.size());
  line["logger"] = std::string(msg.logger_name.data(), msg.logger_name.size());
  // error_handler_t::replace: a message with invalid UTF-8 still becomes a valid line instead of throwing.
  line["msg"] = std::string(msg.payload.data(), msg.payload.size());
  return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace gitmoor::core
