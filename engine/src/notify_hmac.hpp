#pragma once
// HMAC-SHA256 of a webhook body, as the receiver checks it (GitHub's X-Hub-Signature-256 convention).
#include <string>
#include <string_view>

namespace gitmoor::engine {

// Lower-case hex of HMAC-SHA256(key, body).
std::string hmac_sha256_hex(std::string_view key, std::string_view body);

// The signature header's value: "sha256=<hex>".
std::string webhook_signature(std::string_view key, std::string_view body);

}  // namespace gitmoor::engine
