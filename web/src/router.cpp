#include "router.hpp"

#include <set>

#include <boost/beast/http/field.hpp>

#include "gitmoor/core/error.hpp"
#include "request_target.hpp"
#include "responses.hpp"

namespace gitmoor::web {

std::optional<std::string> RequestContext::query_value(std::string_view name) const {
  return web::query_value(query, name);
}

std::vector<std::string> RequestContext::query_values(std::string_view name) const {
  return web::query_values(query, name);
}

void Router::add(http::verb method, std::string pattern, Access access, Handler handler) {
  Route route{method, pattern, split_path(pattern), access, std::move(handler)};
  routes_.push_back(std::move(route));
}

std::vector<Router::RouteInfo> Router::routes() const {
  std::vector<RouteInfo> out;
  for (const auto& route : routes_) out.push_back({route.method, route.pattern, route.access});
  return out;
}

namespace {

bool is_param(const std::string& segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

// Matches `segments` against a pattern's; fills `params`. A parameter never matches an empty segment.
bool match(const std::vector<std::string>& pattern, const std::vector<std::string>& segments,
           std::map<std::string, std::string>& params) {
  if (pattern.size() != segments.size()) return false;
  std::map<std::string, std::string> found;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (is_param(pattern[i])) {
      if (segments[i].empty()) return false;
      found[pattern[i].substr(1, pattern[i].size() - 2)] = segments[i];
    } else if (pattern[i] != segments[i]) {
      return false;
    }
  }
  params = std::move(found);
  return true;
}

std::string subject(const Request& request) {
  return std::string(request.method_string()) + " " + std::string(request.target());
}

}  // namespace

Reply Router::handle(const Request& request, const ConnectionInfo& connection, Guard* guard) const {
  const auto [path, query] = split_target(std::string_view(request.target().data(), request.target().size()));
  const auto segments = split_path(path);
  const Route* found = nullptr;
  std::map<std::string, std::string> params;
  std::set<std::string> allowed;
  for (const auto& route : routes_) {
    std::map<std::string, std::string> candidate;
    if (!match(route.segments, segments, candidate)) continue;
    if (route.method == request.method()) {
      found = &route;
      params = std::move(candidate);
      break;
    }
    allowed.insert(std::string(http::to_string(route.method)));
  }
  if (!found) {
    if (allowed.empty()) return error_response(request, http::status::not_found, "no route for " + path);
    std::string list;
    for (const auto& method : allowed) list += (list.empty() ? "" : ", ") + method;
    return method_not_allowed(request, list);
  }
  RequestContext context{request, connection, path, query, std::move(params), Principal{"admin", Role::Admin, "none"}};
  try {
    if (guard && found->access != Access::Public) {
      auto decision = guard->check(request, connection, found->access);
      if (decision.refusal) return std::move(*decision.refusal);
      context.principal = std::move(*decision.principal);
    }
    return found->handler(context);
  } catch (const engine::ApplicationNotFound& e) {
    return error_response(request, http::status::not_found, e.what());
  } catch (const core::InvalidInput& e) {  // an operation is running (sync) or none is (terminate)
    return error_response(request, http::status::conflict, e.what());
  } catch (const std::exception& e) {
    return error_response(request, http::status::internal_server_error, subject(request) + ": " + e.what());
  } catch (...) {
    return error_response(request, http::status::internal_server_error, subject(request) + ": unknown error");
  }
}

}  // namespace gitmoor::web
