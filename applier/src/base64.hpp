#pragma once
// Base64 for kubeconfig *-data fields (standard alphabet, padding optional, whitespace ignored).
#include <optional>
#include <string>
#include <string_view>

namespace gitmoor::applier {

std::optional<std::string> decode_base64(std::string_view text);
std::string encode_base64(std::string_view data);

}  // namespace gitmoor::applier
