// Ages and timestamps; see age.hpp.
#include "output/age.hpp"

#include <cstdio>
#include <ctime>

namespace gitmoor::cli {

std::string human_age(std::chrono::seconds age) {
  const auto s = age.count();
  if (s < 60) return std::to_string(s < 0 ? 0 : s) + "s";
  if (s < 3600) return std::to_string(s / 60) + "m";
  if (s < 86400) return std::to_string(s / 3600) + "h";
  return std::to_string(s / 86400) + "d";
}

std::optional<SystemTime> parse_timestamp(const std::string& text) {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, used = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &year, &month, &day, &hour, &minute, &second, &used) <
          6 ||
      used < 19) {
    return std::nullopt;
  }
  std::size_t i = static_cast<std::size_t>(used);
  if (i < text.size() && text[i] == '.') {
    ++i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;  // fractions do not change an age
  }
  long offset = 0;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
    int oh = 0, om = 0;
    if (std::sscanf(text.c_str() + i + 1, "%2d:%2d", &oh, &om) != 2) return std::nullopt;
    offset = (text[i] == '+' ? 1 : -1) * (oh * 3600L + om * 60L);
  } else if (i >= text.size() || (text[i] != 'Z' && text[i] != 'z')) {
    return std::nullopt;
  }
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  const std::time_t t = timegm(&tm) - offset;
  return std::chrono::system_clock::from_time_t(t);
}

std::string age_since(const std::string& timestamp, SystemTime now) {
  const auto t = parse_timestamp(timestamp);
  if (!t) return "<unknown>";
  return human_age(std::chrono::duration_cast<std::chrono::seconds>(now - *t));
}

std::string elapsed_between(const std::string& start, const std::string& end) {
  const auto a = parse_timestamp(start);
  const auto b = parse_timestamp(end);
  if (!a || !b) return "";
  auto s = std::chrono::duration_cast<std::chrono::seconds>(*b - *a).count();
  if (s < 0) s = 0;
  std::string out;
  if (s >= 3600) out += std::to_string(s / 3600) + "h";
  if (s >= 60) out += std::to_string(s % 3600 / 60) + "m";
  out += std::to_string(s % 60) + "s";
  return out;
}

}  // namespace gitmoor::cli
