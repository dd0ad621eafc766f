// See notify_hmac.hpp.
#include "notify_hmac.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace gitmoor::engine {

std::string hmac_sha256_hex(std::string_view key, std::string_view body) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(body.data()),
       body.size(), digest, &length);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0x0f];
  }
  return out;
}

std::string webhook_signature(std::string_view key, std::string_view body) {
  return "sha256=" + hmac_sha256_hex(key, body);
}

}  // namespace gitmoor::engine
