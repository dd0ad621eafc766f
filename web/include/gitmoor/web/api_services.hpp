#pragma once
// What the HTTP API works with, handed to HttpServer by whoever wires the process (cli/engine_runtime.cpp). Each
// area of the API that needs more than the engine's Operations adds its part here.
#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "gitmoor/engine/operations.hpp"

namespace gitmoor::web {

class Guard;  // web/src/router.hpp: authentication and authorization of each request
class AuthService;  // web/src/auth_service.hpp: sessions, accounts and API keys (gitmoor/web/auth.hpp)

// POST /api/webhook (routes_webhook.cpp).
struct WebhookOptions {
  // The secret GitHub signs pushes with (Secret gitmoor-secret, key webhook.github.secret); "" or unset: none is
  // configured and every webhook is refused. Called per request: the caller caches.
  std::function<std::string()> github_secret;
  std::size_t max_body_bytes = std::size_t{1} << 20;  // larger bodies get 413 (--webhook-max-payload-size)
};

// The web UI (routes_ui.cpp): embedded in the binary, or read from a folder for development.
struct UiOptions {
  // `gitmoor serve --ui-dir`: serve web/ui from this folder, read per request (edit, reload, no rebuild), with
  // nothing cached. Empty: the files embedded at build time.
  std::filesystem::path dev_dir;
};

struct ApiServices {
  engine::Operations& operations;
  std::shared_ptr<Guard> guard;  // nullptr: no authentication (`--auth=none` on loopback, tests)
  WebhookOptions webhook{};
  std::shared_ptr<AuthService> auth{};  // the session and account routes; nullptr with `--auth=none`
  UiOptions ui{};
};

}  // namespace gitmoor::web
