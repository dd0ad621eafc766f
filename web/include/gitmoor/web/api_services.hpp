#pragma once
// What the HTTP API works with, handed to HttpServer by whoever wires the process (cli/engine_runtime.cpp). Each
// area of the API that needs more than the engine's Operations adds its part here.
#include <memory>

#include "gitmoor/engine/operations.hpp"

namespace gitmoor::web {

class Guard;  // web/src/router.hpp: authentication and authorization of each request

struct ApiServices {
  engine::Operations& operations;
  std::shared_ptr<Guard> guard;  // nullptr: no authentication (`--auth=none` on loopback, tests)
};

}  // namespace gitmoor::web
