// See duration.hpp.
#include "gitmoor/core/duration.hpp"

#include <cctype>
#include <cmath>

#include "gitmoor/core/error.hpp"

namespace gitmoor::core {

std::chrono::milliseconds parse_duration(std::string_view text, std::string_view subject) {
  const auto fail = [&](const std::string& why) {
    return InvalidInput(std::string(subject) + ": " + why + " (expected a duration like 500ms, 2s, 1m or 1h30m)");
  };
  if (text.empty()) throw fail("empty duration");
  double total_ms = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t number_start = i;
    while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) != 0 || text[i] == '.')) ++i;
    if (i == number_start) throw fail("\"" + std::string(text) + "\" has no number at position " + std::to_string(i));
    const std::string number(text.substr(number_start, i - number_start));
    double value = 0;
    try {
      std::size_t used = 0;
      value = std::stod(number, &used);
      if (used != number.size()) throw std::invalid_argument(number);
    } catch (const std::exception&) {
      throw fail("\"" + number + "\" is not a number");
    }
    const std::size_t unit_start = i;
    while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i])) != 0) ++i;
    const std::string_view unit = text.substr(unit_start, i - unit_start);
    double scale = 0;
    if (unit == "ms") scale = 1;
    else if (unit == "s") scale = 1000;
    else if (unit == "m") scale = 60'000;
    else if (unit == "h") scale = 3'600'000;
    else if (unit.empty()) throw fail("\"" + std::string(text) + "\" has no unit");
    else throw fail("unknown unit \"" + std::string(unit) + "\" in \"" + std::string(text) + "\"");
    total_ms += value * scale;
  }
  return std::chrono::milliseconds(static_cast<long long>(std::llround(total_ms)));
}

std::string format_duration(std::chrono::milliseconds duration) {
  long long ms = duration.count();
  if (ms == 0) return "0s";
  std::string out;
  if (ms < 0) {
    out = "-";
    ms = -ms;
  }
  if (ms % 1000 != 0 && ms < 1000) return out + std::to_string(ms) + "ms";
  const long long hours = ms / 3'600'000;
  const long long minutes = ms / 60'000 % 60;
  const long long seconds_ms = ms % 60'000;
  if (hours > 0) out += std::to_string(hours) + "h";
  if (minutes > 0) out += std::to_string(minutes) + "m";
  if (seconds_ms > 0) {
    if (seconds_ms % 1000 == 0) {
      out += std::to_string(seconds_ms / 1000) + "s";
    } else {
      std::string s = std::to_string(seconds_ms / 1000) + "." + std::to_string(1000 + seconds_ms % 1000).substr(1);
      while (s.back() == '0') s.pop_back();
      out += s + "s";
    }
  }
  return out;
}

}  // namespace gitmoor::core
