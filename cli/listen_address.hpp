#pragma once
// `--listen host:port` as every serving command takes it (`gitmoor sandbox`, `serve`, `demo`).
#include <cstdint>
#include <string>

namespace gitmoor::cli {

struct ListenAddress {
  std::string host;        // `[::1]` unbracketed; empty (`:8080`) means every address, 0.0.0.0
  std::uint16_t port = 0;  // 0: any free port
};

// Throws core::InvalidInput naming `flag` when there is no port or it is not a number from 0 to 65535.
ListenAddress parse_listen_address(const std::string& listen, const std::string& flag);

}  // namespace gitmoor::cli
