#pragma once
// Calls an in-process ApiServer (no sockets) with JSON in and out.
#include <string>

#include <nlohmann/json.hpp>

#include "gitmoor/sandbox/api_server.hpp"

namespace gitmoor::test {

// An API server without the simulated controllers: only what the test writes happens.
inline sandbox::ApiOptions quiet() {
  sandbox::ApiOptions options;
  options.controllers = false;
  return options;
}

struct Reply {
  int status = 0;
  nlohmann::json body;
  sandbox::Response raw;
};

inline Reply call(sandbox::ApiServer& api, const std::string& method, const std::string& target,
                  const nlohmann::json& body = nullptr, const std::string& content_type = "application/json") {
  sandbox::Request r;
  r.method = method;
  r.target = target;
  if (!body.is_null()) {
    r.body = body.is_string() ? body.get<std::string>() : body.dump();
    r.headers["content-type"] = content_type;
  }
  Reply reply;
  reply.raw = api.handle(r);
  reply.status = reply.raw.status;
  if (!reply.raw.watch && !reply.raw.body.empty()) {
    reply.body = nlohmann::json::parse(reply.raw.body, nullptr, false);
  }
  return reply;
}

inline nlohmann::json configmap(const std::string& name, const nlohmann::json& data = {{"a", "1"}},
                                const nlohmann::json& labels = nullptr) {
  nlohmann::json cm{{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", {{"name", name}}}, {"data", data}};
  if (!labels.is_null()) cm["metadata"]["labels"] = labels;
  return cm;
}

}  // namespace gitmoor::test
