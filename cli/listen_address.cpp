// See listen_address.hpp.
#include "listen_address.hpp"

#include <stdexcept>

#include "gitmoor/core/error.hpp"

namespace gitmoor::cli {

ListenAddress parse_listen_address(const std::string& listen, const std::string& flag) {
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos) throw core::InvalidInput(flag + " " + listen + ": expected host:port");
  ListenAddress address;
  address.host = listen.substr(0, colon);
  if (address.host.empty()) address.host = "0.0.0.0";
  if (address.host.size() > 2 && address.host.front() == '[') {
    address.host = address.host.substr(1, address.host.size() - 2);
  }
  try {
    const int port = std::stoi(listen.substr(colon + 1));
    if (port < 0 || port > 65535) throw std::out_of_range("port");
    address.port = static_cast<std::uint16_t>(port);
  } catch (const std::exception&) {
    throw core::InvalidInput(flag + " " + listen + ": the port is not a number from 0 to 65535");
  }
  return address;
}

}  // namespace gitmoor::cli
