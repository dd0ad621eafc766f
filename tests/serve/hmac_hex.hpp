#pragma once
// HMAC-SHA256 of a body, hex: what GitHub puts in X-Hub-Signature-256 (and gitmoor's signed notifications in
// X-Gitmoor-Signature-256) after "sha256=". Computed here with OpenSSL, independently of gitmoor's own code.
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <string>

namespace gitmoor::test {

inline std::string hmac_hex(const std::string& key, const std::string& body) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(body.data()),
       body.size(), digest, &length);
  std::string out;
  static constexpr char kHex[] = "0123456789abcdef";
  for (unsigned int i = 0; i < length; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 0xf]);
  }
  return out;
}

}  // namespace gitmoor::test
