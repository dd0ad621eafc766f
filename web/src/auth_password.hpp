#pragma once
// Password hashes: scrypt (memory-hard, OpenSSL's EVP_PBE_scrypt) with a random salt, encoded as one string
// "$scrypt$ln=15,r=8,p=1$<salt>$<hash>" (base64url) so the cost can change without invalidating stored hashes.
#include <string>
#include <string_view>

#include "gitmoor/web/auth.hpp"

namespace gitmoor::web::auth {

std::string hash_password(std::string_view password, const PasswordHashOptions& options);
// Recomputes the hash with the stored parameters and salt and compares in constant time. A malformed `encoded`
// still costs one hash (with `options`) and is false, so timing does not tell a broken entry from a wrong password.
bool verify_password(std::string_view password, std::string_view encoded, const PasswordHashOptions& options);

}  // namespace gitmoor::web::auth
