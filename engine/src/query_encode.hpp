#pragma once
// Percent-encoding of a value put into a Kubernetes API URL's path segment or query (RFC 3986 unreserved kept).
#include <cctype>
#include <string>

namespace gitmoor::engine {

inline std::string query_encode(const std::string& text) {
  static constexpr const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace gitmoor::engine
