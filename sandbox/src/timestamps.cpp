#include "timestamps.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <ctime>

namespace gitmoor::sandbox {

using SystemClock = std::chrono::system_clock;

std::optional<SystemClock::time_point> parse_rfc3339(const std::string& text) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0, n = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &s, &n) != 6 || n == 0) {
    return std::nullopt;
  }
  if (y >= 2262) return SystemClock::time_point::max();  // past what the clock's nanoseconds hold
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  auto at = SystemClock::from_time_t(timegm(&tm));
  auto i = static_cast<std::size_t>(n);
  if (i < text.size() && text[i] == '.') {
    long long nanos = 0;
    int digits = 0;
    for (++i; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); ++i) {
      if (digits < 9) {
        nanos = nanos * 10 + (text[i] - '0');
        ++digits;
      }
    }
    for (; digits < 9; ++digits) nanos *= 10;
    at += std::chrono::duration_cast<SystemClock::duration>(std::chrono::nanoseconds(nanos));
  }
  if (i < text.size() && (text[i] == 'Z' || text[i] == 'z')) {
    return i + 1 == text.size() ? std::optional(at) : std::nullopt;
  }
  int oh = 0, om = 0, used = 0;
  char sign = 0;
  if (i < text.size() && std::sscanf(text.c_str() + i, "%c%2d:%2d%n", &sign, &oh, &om, &used) == 3 &&
      (sign == '+' || sign == '-') && i + static_cast<std::size_t>(used) == text.size()) {
    auto offset = std::chrono::hours(oh) + std::chrono::minutes(om);
    return sign == '+' ? at - offset : at + offset;
  }
  return std::nullopt;
}

std::string format_rfc3339(SystemClock::time_point at, int fraction_digits) {
  auto nanos = std::chrono::duration_cast<std::chrono::nanoseconds>(at.time_since_epoch()).count();
  auto seconds = static_cast<std::time_t>(nanos / 1000000000);
  long long fraction = nanos % 1000000000;
  if (fraction < 0) {  // before the epoch: the second below, and a positive fraction of it
    --seconds;
    fraction += 1000000000;
  }
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char whole[32];
  std::strftime(whole, sizeof whole, "%Y-%m-%dT%H:%M:%S", &tm);
  if (fraction_digits <= 0) return std::string(whole) + "Z";
  char digits[16];
  std::snprintf(digits, sizeof digits, "%09lld", fraction);
  return std::string(whole) + "." + std::string(digits, static_cast<std::size_t>(std::min(fraction_digits, 9))) + "Z";
}

}  // namespace gitmoor::sandbox
