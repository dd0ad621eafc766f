#pragma once
// GitHub's webhook signature: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the exact body, keyed by the
// webhook's secret>`. The check is constant-time in the signature, so timing tells an attacker nothing about it.
#include <string>
#include <string_view>

namespace gitmoor::web {

// The lower-case hex HMAC-SHA256 of `body` keyed by `secret`.
[[nodiscard]] std::string hmac_sha256_hex(std::string_view secret, std::string_view body);

// True when `header` is `sha256=` followed by the HMAC of `body` under `secret` (hex, either case). False for an
// empty secret, a missing or malformed header, or any other algorithm (the SHA-1 `X-Hub-Signature` is not accepted).
[[nodiscard]] bool github_signature_valid(std::string_view secret, std::string_view body, std::string_view header);

}  // namespace gitmoor::web
