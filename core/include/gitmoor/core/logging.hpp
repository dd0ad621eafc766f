#pragma once
// Logging through spdlog: human-readable text on a terminal, JSON lines in a cluster (one object per line with
// time, level, logger and msg, for log shippers).
#include <memory>
#include <string>
#include <string_view>

#include <spdlog/spdlog.h>

namespace gitmoor::core {

enum class LogFormat { Text, Json };

struct LogOptions {
  spdlog::level::level_enum level = spdlog::level::info;
  LogFormat format = LogFormat::Text;
};

// Parses "trace|debug|info|warn|error|critical|off"; throws InvalidInput naming the value otherwise.
spdlog::level::level_enum parse_log_level(std::string_view text);
// Parses "text|json"; throws InvalidInput naming the value otherwise.
LogFormat parse_log_format(std::string_view text);

// Configures the default logger (stderr) and every logger made later by logger().
void configure_logging(const LogOptions& options);

// A named logger ("engine", "sandbox", ...) sharing the default logger's sinks and level.
std::shared_ptr<spdlog::logger> logger(const std::string& name);

// Formats one record as a JSON line (without the newline): {"time":...,"level":...,"logger":...,"msg":...}.
std::string format_json_log_line(const spdlog::details::log_msg& msg);

}  // namespace gitmoor::core
