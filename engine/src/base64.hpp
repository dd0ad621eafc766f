#pragma once
// Standard base64 (known_hosts keys, a Secret's data values).
#include <string>
#include <string_view>

namespace gitmoor::engine {

// The decoded bytes; empty when `text` is not base64.
[[nodiscard]] std::string base64_decode(std::string_view text);

}  // namespace gitmoor::engine
