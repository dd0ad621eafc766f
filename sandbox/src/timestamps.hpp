#pragma once
// RFC 3339 times as the API server reads and writes them: metav1.Time (`2026-12-02T00:53:38Z`), MicroTime (six
// fraction digits) and RFC3339Nano (nine, as `kubectl logs --timestamps` prints). One parser and one formatter for
// the whole sandbox.
#include <chrono>
#include <optional>
#include <string>

namespace gitmoor::sandbox {

// `2026-12-02T00:53:38Z`, with optional fraction and a `Z` or `±hh:mm` offset; nullopt when the text is not one.
// Years past what the clock holds (2262 and later) give the latest time point.
std::optional<std::chrono::system_clock::time_point> parse_rfc3339(const std::string& text);

// UTC with `fraction_digits` (0, 6 or 9) digits of the second: 0 for metav1.Time, 6 for MicroTime, 9 for RFC3339Nano.
std::string format_rfc3339(std::chrono::system_clock::time_point at, int fraction_digits = 0);

}  // namespace gitmoor::sandbox
