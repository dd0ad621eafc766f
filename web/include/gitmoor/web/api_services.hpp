#pragma once
// What the HTTP API works with, handed to HttpServer by whoever wires the process (cli/engine_runtime.cpp). Each
// area of the API that needs more than the engine's Operations adds its part here.
#include <memory>

#include "gitmoor/engine/operations.hpp"

namespace gitmoor::web {

class Guard;  // web/src/router.hpp: authentication and authorization of each request
class AuthService;  // web/src/auth_service.hpp: sessions, accounts and API keys (gitmoor/web/auth.hpp)

struct ApiServices {
  engine::Operations& operations;
  std::shared_ptr<Guard> guard;  // nullptr: no authentication (`--auth=none` on loopback, tests)
  std::shared_ptr<AuthService> auth{};  // the session and account routes; nullptr with `--auth=none`
};

}  // namespace gitmoor::web
