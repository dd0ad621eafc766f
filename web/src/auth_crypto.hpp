#pragma once
// The few cryptographic primitives authentication needs, on OpenSSL: random bytes, HMAC-SHA256, a constant-time
// comparison, and base64 (standard for Kubernetes Secret data, URL-safe unpadded for JWTs).
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gitmoor::web::auth {

std::string random_bytes(std::size_t count);  // throws core::EnvironmentError when OpenSSL's RNG fails
std::string random_token(std::size_t bytes);  // random bytes as base64url: passwords, ids, keys
std::string hmac_sha256(std::string_view key, std::string_view data);
bool equal_constant_time(std::string_view a, std::string_view b);  // CRYPTO_memcmp; different lengths are unequal

std::string base64_encode(std::string_view data);
std::optional<std::string> base64_decode(std::string_view text);
std::string base64url_encode(std::string_view data);
std::optional<std::string> base64url_decode(std::string_view text);

// RFC 3339 in UTC with milliseconds ("2026-12-02T04:15:05.123Z"), and back (nullopt when malformed).
using Clock = std::chrono::system_clock;
std::string format_rfc3339(Clock::time_point time);
std::optional<Clock::time_point> parse_rfc3339(std::string_view text);
// Milliseconds since the epoch, the precision sessions and password changes are compared at.
std::int64_t epoch_millis(Clock::time_point time);

}  // namespace gitmoor::web::auth
