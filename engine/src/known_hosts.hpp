#pragma once
// OpenSSH known_hosts checking for ssh:// repositories: plain and hashed (`|1|salt|hash`) host patterns, `[host]:port`
// entries, key type plus key blob compared exactly.
#include <filesystem>
#include <string>
#include <string_view>

namespace gitmoor::engine {

enum class HostKeyMatch { Match, Mismatch, Unknown };

// `key_blob` is the raw public key as the server sent it (what known_hosts holds in base64).
[[nodiscard]] HostKeyMatch check_known_host(const std::filesystem::path& known_hosts, std::string_view host, int port,
                                            std::string_view key_type, std::string_view key_blob);

}  // namespace gitmoor::engine
