#pragma once
// Durations as users write them everywhere in gitmoor (flags, Application specs): Go's time.ParseDuration
// spelling, e.g. `500ms`, `2s`, `1m`, `1h30m`, `1.5s`. A bare number is refused: the unit is never guessed.
#include <chrono>
#include <string>
#include <string_view>

namespace gitmoor::core {

// Throws core::InvalidInput naming `subject` (e.g. "--poll-interval" or "spec.syncPolicy.retry.backoff.duration").
std::chrono::milliseconds parse_duration(std::string_view text, std::string_view subject);

// The shortest spelling parse_duration reads back: 500ms, 2s, 1m, 1h30m.
std::string format_duration(std::chrono::milliseconds duration);

}  // namespace gitmoor::core
