#include <chrono>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "gitmoor/core/error.hpp"
#include "gitmoor/core/logging.hpp"

using namespace gitmoor::core;

TEST_CASE("logging parses levels and formats, naming a bad value", "[logging]") {
  CHECK(parse_log_level("debug") == spdlog::level::debug);
  CHECK(parse_log_level("off") == spdlog::level::off);
  CHECK(parse_log_format("json") == LogFormat::Json);
  CHECK(parse_log_format("text") == LogFormat::Text);
  CHECK_THROWS_WITH(parse_log_level("loud"), Catch::Contains("\"loud\""));
  CHECK_THROWS_AS(parse_log_format("xml"), InvalidInput);
}

TEST_CASE("logging JSON lines are valid JSON with escaped messages", "[logging]") {
  using namespace std::chrono;
  spdlog::details::log_msg msg(spdlog::source_loc{}, "engine", spdlog::level::warn,
                               "app \"tetris\": line1\nline2\t\x01 end");
  msg.time = system_clock::time_point(seconds(1700000000) + milliseconds(42));
  std::string line = format_json_log_line(msg);
  CHECK(line.find('\n') == std::string::npos);  // one record, one line
  auto parsed = nlohmann::json::parse(line);
  CHECK(parsed["time"] == "2023-11-14T22:13:20.042Z");
  CHECK(parsed["level"] == "warning");
  CHECK(parsed["logger"] == "engine");
  CHECK(parsed["msg"] == "app \"tetris\": line1\nline2\t\x01 end");
}

TEST_CASE("logging JSON lines survive invalid UTF-8", "[logging]") {
  spdlog::details::log_msg msg(spdlog::source_loc{}, "x", spdlog::level::info, "bad \xff\xfe bytes");
  auto parsed = nlohmann::json::parse(format_json_log_line(msg));
  CHECK_THAT(parsed["msg"].get<std::string>(), Catch::StartsWith("bad "));
}

TEST_CASE("logging named loggers follow the configured level", "[logging]") {
  configure_logging({.level = spdlog::level::err, .format = LogFormat::Text});
  auto log = logger("test-logger");
  CHECK(log->level() == spdlog::level::err);
  CHECK(logger("test-logger") == log);  // one logger per name
  configure_logging({.level = spdlog::level::debug, .format = LogFormat::Json});
  CHECK(log->level() == spdlog::level::debug);
  configure_logging({});
}
