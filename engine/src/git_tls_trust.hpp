#pragma once
// Trust for one repository's HTTPS server beyond the system's certificate authorities: libgit2 1.5 (mbedTLS here)
// only knows a process-wide CA list, so a repository's own CA file (a private Git host) is checked here, from the
// certificate-check callback, against the leaf certificate libgit2 hands over.
#include <filesystem>
#include <string>
#include <string_view>

namespace gitmoor::engine {

// Empty when `der` (the server's certificate) chains to a certificate in `ca_file` (PEM) and names `host` (a DNS
// name or an IP address); otherwise why not, e.g. `unable to get local issuer certificate`.
[[nodiscard]] std::string certificate_untrusted_reason(std::string_view der, const std::filesystem::path& ca_file,
                                                       const std::string& host);

}  // namespace gitmoor::engine
