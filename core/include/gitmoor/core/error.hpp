#pragma once
// The error vocabulary shared by every module. Inside a module, failures are typed exceptions whose message names
// its subject (a file and line, or `apps/Deployment game/backend`); boundaries (a reconcile step, an HTTP handler,
// main) catch them and turn them into conditions, HTTP errors or exit codes.
#include <stdexcept>
#include <string>

namespace gitmoor::core {

// Base of every gitmoor exception.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Input a user gave us is wrong (a manifest, a flag, an Application spec). Not retried.
class InvalidInput : public Error {
 public:
  using Error::Error;
};

// The environment failed (network, a child process, a file system). May succeed when retried.
class EnvironmentError : public Error {
 public:
  using Error::Error;
};

}  // namespace gitmoor::core
