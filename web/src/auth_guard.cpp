// The Guard of built-in authentication (AuthService::check decides), and starting the service: the two entry points
// of gitmoor/web/auth.hpp that the process wiring (cli/engine_runtime.cpp) calls.
#include "auth_service.hpp"

namespace gitmoor::web {

std::shared_ptr<AuthService> start_builtin_auth(std::unique_ptr<AuthObjects> objects, AuthOptions options) {
  auto service = std::make_shared<AuthService>(std::move(objects), std::move(options));
  service->start();
  return service;
}

namespace {

class AuthGuard : public Guard {
 public:
  explicit AuthGuard(std::shared_ptr<AuthService> auth) : auth_(std::move(auth)) {}
  Decision check(const Request& request, const ConnectionInfo&, Access access) override {
    return auth_->check(request, access);
  }

 private:
  std::shared_ptr<AuthService> auth_;
};

}  // namespace

bool auth_ready(const AuthService& auth) { return auth.ready(); }

std::shared_ptr<Guard> make_auth_guard(std::shared_ptr<AuthService> auth) {
  return std::make_shared<AuthGuard>(std::move(auth));
}

}  // namespace gitmoor::web
