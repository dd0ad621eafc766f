#pragma once
// The API's routes as a table: a method, a path pattern ("/api/v1/applications/{name}/sync"), the access it needs,
// and a handler. Each area of the API (applications, session and accounts, streams, webhook) adds its routes in
// its own file; the Router matches, asks the Guard whether the caller may, and calls the handler.
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/beast/http/verb.hpp>

#include "gitmoor/engine/operations.hpp"
#include "http_types.hpp"

namespace gitmoor::web {

// What a route needs. Public: anyone (health probes, login, the webhook, which checks its own signature).
// Read: an authenticated caller of any role (or anonymous when enabled). Write: the admin role.
enum class Access { Public, Read, Write };

enum class Role { ReadOnly, Admin };

// Who is calling, as the Guard established it.
struct Principal {
  std::string name;         // "admin", an account name, or "anonymous"
  Role role = Role::ReadOnly;
  std::string via;          // "bearer", "cookie", "anonymous", "none" (auth disabled)
};

// The connection a request came on (the server fills it in).
struct ConnectionInfo {
  std::string peer_address;  // the client's IP address, for per-client login throttling
  bool tls = false;          // cookies are marked Secure under TLS
};

// The request as a handler sees it.
struct RequestContext {
  const Request& request;
  const ConnectionInfo& connection;
  std::string path;
  std::string query;
  std::map<std::string, std::string> params;  // from the pattern's {placeholders}, percent-decoded
  Principal principal;

  [[nodiscard]] std::optional<std::string> query_value(std::string_view name) const;
  [[nodiscard]] std::vector<std::string> query_values(std::string_view name) const;
  [[nodiscard]] const std::string& param(const std::string& name) const { return params.at(name); }
};

// Decides who a request comes from and whether it may use a route of `access`; returns the principal, or the
// refusal to send (401, 403, 429). The default (no Guard) treats every caller as admin: `--auth=none`.
class Guard {
 public:
  virtual ~Guard() = default;
  struct Decision {
    std::optional<Principal> principal;  // set when allowed
    std::optional<Response> refusal;     // set when not
  };
  virtual Decision check(const Request& request, const ConnectionInfo& connection, Access access) = 0;
};

using Handler = std::function<Reply(RequestContext&)>;

class Router {
 public:
  void add(boost::beast::http::verb method, std::string pattern, Access access, Handler handler);

  // Never throws: no route is 404, a known path with another method 405 (with Allow), and a handler's exception
  // becomes 404 (engine::ApplicationNotFound), 409 (core::InvalidInput) or 500.
  Reply handle(const Request& request, const ConnectionInfo& connection, Guard* guard) const;

  // The table, for tests that must cover every route (the auth matrix).
  struct RouteInfo {
    boost::beast::http::verb method;
    std::string pattern;
    Access access;
  };
  [[nodiscard]] std::vector<RouteInfo> routes() const;

 private:
  struct Route {
    boost::beast::http::verb method;
    std::string pattern;
    std::vector<std::string> segments;  // "{name}" marks a parameter
    Access access;
    Handler handler;
  };
  std::vector<Route> routes_;
};

}  // namespace gitmoor::web
