#include "known_hosts.hpp"

#include <fstream>
#include <sstream>
#include <vector>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "base64.hpp"

namespace gitmoor::engine {

namespace {

bool hashed_host_matches(std::string_view pattern, const std::string& name) {
  // |1|base64(salt)|base64(HMAC-SHA1(salt, name))
  const auto second = pattern.find('|', 3);
  if (second == std::string_view::npos) return false;
  const std::string salt = base64_decode(pattern.substr(3, second - 3));
  const std::string expected = base64_decode(pattern.substr(second + 1));
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha1(), salt.data(), static_cast<int>(salt.size()), reinterpret_cast<const unsigned char*>(name.data()),
       name.size(), digest, &length);
  return expected == std::string(reinterpret_cast<char*>(digest), length);
}

bool host_matches(std::string_view patterns, const std::string& name) {
  if (patterns.starts_with("|1|")) return hashed_host_matches(patterns, name);
  std::size_t start = 0;
  while (start <= patterns.size()) {
    auto comma = patterns.find(',', start);
    if (comma == std::string_view::npos) comma = patterns.size();
    if (patterns.substr(start, comma - start) == name) return true;
    start = comma + 1;
  }
  return false;
}

}  // namespace

HostKeyMatch check_known_host(const std::filesystem::path& known_hosts, std::string_view host, int port,
                              std::string_view key_type, std::string_view key_blob) {
  std::ifstream in(known_hosts);
  const std::string name = port == 22 ? std::string(host) : "[" + std::string(host) + "]:" + std::to_string(port);
  HostKeyMatch result = HostKeyMatch::Unknown;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string hosts, type, key;
    fields >> hosts;
    if (hosts.starts_with("@")) continue;  // @cert-authority / @revoked markers are not supported: skip
    fields >> type >> key;
    if (!host_matches(hosts, name)) continue;
    if (type == key_type && base64_decode(key) == key_blob) return HostKeyMatch::Match;
    result = HostKeyMatch::Mismatch;
  }
  return result;
}

}  // namespace gitmoor::engine
