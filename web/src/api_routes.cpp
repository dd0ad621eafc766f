#include "api_routes.hpp"

#include <string_view>
#include <vector>

#include <boost/beast/http/field.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/verb.hpp>

#include "gitmoor/core/error.hpp"
#include "gitmoor/core/object.hpp"
#include "sync_request_json.hpp"

namespace gitmoor::web {

namespace http = boost::beast::http;

namespace {

// Boost 1.74's Beast speaks boost::string_view.
boost::beast::string_view beast_view(std::string_view text) { return {text.data(), text.size()}; }

Response make_response(const Request& request, http::status status, std::string body, std::string_view content_type) {
  Response response{status, request.version()};
  response.set(http::field::server, "gitmoor");
  response.set(http::field::content_type, beast_view(content_type));
  response.keep_alive(request.keep_alive());
  response.body() = std::move(body);
  response.prepare_payload();
  return response;
}

Response json_response(const Request& request, http::status status, const core::Json& body) {
  // Replace, not throw, on invalid UTF-8 (a name from the URL may hold any bytes).
  return make_response(request, status, body.dump(-1, ' ', false, core::Json::error_handler_t::replace),
                       "application/json");
}

Response error_response(const Request& request, http::status status, const std::string& message) {
  return json_response(request, status, {{"error", message}});
}

Response method_not_allowed(const Request& request, std::string_view allowed) {
  auto response = error_response(request, http::status::method_not_allowed,
                                 std::string(request.method_string()) + " " + std::string(request.target()) +
                                     ": method not allowed (use " + std::string(allowed) + ")");
  response.set(http::field::allow, beast_view(allowed));
  return response;
}

// "%2D" → "-"; a malformed escape is kept as written (the name then matches no Application).
std::string percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && hex(text[i + 1]) >= 0 && hex(text[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex(text[i + 1]) * 16 + hex(text[i + 2])));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

struct Target {
  std::string path;
  std::string query;
};

Target split_target(std::string_view target) {
  const auto q = target.find('?');
  if (q == std::string_view::npos) return {std::string(target), ""};
  return {std::string(target.substr(0, q)), std::string(target.substr(q + 1))};
}

// The value of `name` in a query string; nullopt when absent, "" for `?name` alone.
std::optional<std::string> query_value(const std::string& query, std::string_view name) {
  std::size_t start = 0;
  while (start <= query.size()) {
    auto end = query.find('&', start);
    if (end == std::string::npos) end = query.size();
    const std::string_view pair(query.data() + start, end - start);
    const auto eq = pair.find('=');
    if (percent_decode(pair.substr(0, eq)) == name) {
      return eq == std::string_view::npos ? std::string() : percent_decode(pair.substr(eq + 1));
    }
    start = end + 1;
  }
  return std::nullopt;
}

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> segments;
  std::size_t start = 1;  // after the leading '/'
  while (start <= path.size()) {
    auto end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    segments.push_back(percent_decode(std::string_view(path).substr(start, end - start)));
    start = end + 1;
  }
  if (!segments.empty() && segments.back().empty()) segments.pop_back();  // a trailing slash
  return segments;
}

Response list_applications(engine::Operations& operations, const Request& request) {
  core::Json items = core::Json::array();
  for (auto& app : operations.list_applications()) items.push_back(std::move(app));
  return json_response(request, http::status::ok, {{"items", std::move(items)}});
}

Response get_application(engine::Operations& operations, const Request& request, const std::string& name) {
  auto app = operations.get_application(name);
  if (!app) return error_response(request, http::status::not_found, "application " + name + " not found");
  return json_response(request, http::status::ok, *app);
}

// POST /api/v1/applications/{name}/{refresh|sync|terminate}
Response application_action(engine::Operations& operations, const Request& request, const std::string& name,
                            const std::string& action, const std::string& query) {
  if (action == "refresh") {
    const auto hard = query_value(query, "hard");
    if (hard && *hard != "true" && *hard != "false" && !hard->empty()) {
      return error_response(request, http::status::bad_request,
                            "refresh of application " + name + ": hard must be true or false, not \"" + *hard + "\"");
    }
    const bool is_hard = hard && *hard != "false";
    operations.refresh(name, is_hard);
    return json_response(request, http::status::accepted,
                         {{"application", name}, {"refresh", is_hard ? "hard" : "normal"}});
  }
  if (action == "sync") {
    engine::SyncRequest sync;
    try {
      sync = parse_sync_request(request.body());
    } catch (const core::InvalidInput& e) {
      return error_response(request, http::status::bad_request, "application " + name + ": " + e.what());
    }
    operations.sync(name, sync);
    return json_response(request, http::status::accepted, {{"application", name}, {"operation", "sync"}});
  }
  operations.terminate(name);
  return json_response(request, http::status::accepted, {{"application", name}, {"operation", "terminate"}});
}

Response route(engine::Operations& operations, const Request& request) {
  const auto [path, query] = split_target(std::string_view(request.target().data(), request.target().size()));
  const auto method = request.method();
  if (path == "/healthz") {
    if (method != http::verb::get) return method_not_allowed(request, "GET");
    return make_response(request, http::status::ok, "ok", "text/plain");
  }
  if (path == "/readyz") {
    if (method != http::verb::get) return method_not_allowed(request, "GET");
    if (operations.ready()) return make_response(request, http::status::ok, "ok", "text/plain");
    return make_response(request, http::status::service_unavailable,
                         "not ready: the engine is still loading Applications and filling its caches",
                         "text/plain");
  }
  const auto segments = split_path(path);
  // api, v1, applications[, name[, action]]
  if (segments.size() < 3 || segments[0] != "api" || segments[1] != "v1" || segments[2] != "applications" ||
      segments.size() > 5) {
    return error_response(request, http::status::not_found, "no route for " + path);
  }
  if (segments.size() == 3) {
    if (method != http::verb::get) return method_not_allowed(request, "GET");
    return list_applications(operations, request);
  }
  const auto& name = segments[3];
  if (name.empty()) return error_response(request, http::status::not_found, "no route for " + path);
  if (segments.size() == 4) {
    if (method != http::verb::get) return method_not_allowed(request, "GET");
    return get_application(operations, request, name);
  }
  const auto& action = segments[4];
  if (action != "refresh" && action != "sync" && action != "terminate") {
    return error_response(request, http::status::not_found, "no route for " + path);
  }
  if (method != http::verb::post) return method_not_allowed(request, "POST");
  return application_action(operations, request, name, action, query);
}

}  // namespace

Response handle_request(engine::Operations& operations, const Request& request) {
  try {
    return route(operations, request);
  } catch (const engine::ApplicationNotFound& e) {
    return error_response(request, http::status::not_found, e.what());
  } catch (const core::InvalidInput& e) {  // an operation is running (sync) or none is (terminate)
    return error_response(request, http::status::conflict, e.what());
  } catch (const std::exception& e) {
    return error_response(request, http::status::internal_server_error,
                          std::string(request.method_string()) + " " + std::string(request.target()) + ": " + e.what());
  } catch (...) {
    return error_response(request, http::status::internal_server_error,
                          std::string(request.method_string()) + " " + std::string(request.target()) +
                              ": unknown error");
  }
}

}  // namespace gitmoor::web
