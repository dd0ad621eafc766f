#pragma once
// Times as kubectl shows them: relative ages ("5s", "3m", "2h", "4d") and RFC 3339 timestamps from the API.
#include <chrono>
#include <optional>
#include <string>

namespace gitmoor::cli {

using SystemTime = std::chrono::system_clock::time_point;

// The largest whole unit: under a minute in seconds, under an hour in minutes, under a day in hours, then days.
// A negative age (clock skew) reads "0s".
std::string human_age(std::chrono::seconds age);

// "2026-12-02T04:15:01Z" (fractions and a numeric offset accepted); nullopt when it is not such a timestamp.
std::optional<SystemTime> parse_timestamp(const std::string& text);

// human_age(now - timestamp), or "<unknown>" when the timestamp is empty or unreadable.
std::string age_since(const std::string& timestamp, SystemTime now);

// A duration between two timestamps as Go prints it for a short span ("5s", "1m12s"); "" when either is missing.
std::string elapsed_between(const std::string& start, const std::string& end);

}  // namespace gitmoor::cli
