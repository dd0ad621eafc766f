// See auth_password.hpp.
#include "auth_password.hpp"

#include <openssl/evp.h>

#include <optional>
#include <sstream>
#include <vector>

#include "auth_crypto.hpp"
#include "gitmoor/core/error.hpp"

namespace gitmoor::web::auth {

namespace {

constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kHashBytes = 32;

std::string scrypt(std::string_view password, std::string_view salt, const PasswordHashOptions& options) {
  const std::uint64_t n = std::uint64_t{1} << options.log2_n;
  const std::uint64_t memory = 128 * n * static_cast<std::uint64_t>(options.r) * static_cast<std::uint64_t>(options.p);
  std::string out(kHashBytes, '\0');
  if (EVP_PBE_scrypt(password.data(), password.size(), reinterpret_cast<const unsigned char*>(salt.data()),
                     salt.size(), n, static_cast<std::uint64_t>(options.r), static_cast<std::uint64_t>(options.p),
                     memory + (std::uint64_t{1} << 20), reinterpret_cast<unsigned char*>(out.data()),
                     out.size()) != 1) {
    throw core::EnvironmentError("authentication: scrypt failed (ln=" + std::to_string(options.log2_n) + ")");
  }
  return out;
}

struct Encoded {
  PasswordHashOptions options;
  std::string salt;
  std::string hash;
};

std::vector<std::string> split(std::string_view text, char separator) {
  std::vector<std::string> parts;
  std::string part;
  std::istringstream in{std::string(text)};
  while (std::getline(in, part, separator)) parts.push_back(part);
  return parts;
}

std::optional<Encoded> decode(std::string_view encoded) {
  // "", "scrypt", "ln=15,r=8,p=1", salt, hash
  const auto parts = split(encoded, '$');
  if (parts.size() != 5 || !parts[0].empty() || parts[1] != "scrypt") return std::nullopt;
  Encoded result;
  int found = 0;
  for (const auto& param : split(parts[2], ',')) {
    const auto eq = param.find('=');
    if (eq == std::string::npos) return std::nullopt;
    int value = 0;
    try {
      value = std::stoi(param.substr(eq + 1));
    } catch (const std::exception&) {
      return std::nullopt;
    }
    const auto key = param.substr(0, eq);
    if (key == "ln" && value >= 1 && value <= 22) {
      result.options.log2_n = value, ++found;
    } else if (key == "r" && value >= 1 && value <= 32) {
      result.options.r = value, ++found;
    } else if (key == "p" && value >= 1 && value <= 16) {
      result.options.p = value, ++found;
    } else {
      return std::nullopt;
    }
  }
  auto salt = base64url_decode(parts[3]);
  auto hash = base64url_decode(parts[4]);
  if (found != 3 || !salt || !hash || hash->size() != kHashBytes) return std::nullopt;
  result.salt = std::move(*salt);
  result.hash = std::move(*hash);
  return result;
}

}  // namespace

std::string hash_password(std::string_view password, const PasswordHashOptions& options) {
  const auto salt = random_bytes(kSaltBytes);
  return "$scrypt$ln=" + std::to_string(options.log2_n) + ",r=" + std::to_string(options.r) +
         ",p=" + std::to_string(options.p) + "$" + base64url_encode(salt) + "$" +
         base64url_encode(scrypt(password, salt, options));
}

bool verify_password(std::string_view password, std::string_view encoded, const PasswordHashOptions& options) {
  const auto stored = decode(encoded);
  if (!stored) {
    (void)scrypt(password, std::string(kSaltBytes, '\0'), options);
    return false;
  }
  return equal_constant_time(scrypt(password, stored->salt, stored->options), stored->hash);
}

}  // namespace gitmoor::web::auth
