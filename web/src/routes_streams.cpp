// /api/v1/stream/...: server-sent events, Argo CD's watch endpoints. Served only to a client that asks for them
// with `Accept: text/event-stream` (a browser's EventSource, `curl -H`); any other client gets 400 saying so, since
// an endless response would hang a client that expects one JSON document.
#include <memory>

#include "api_routes.hpp"
#include "gitmoor/core/error.hpp"
#include "responses.hpp"
#include "sse_hub.hpp"

namespace gitmoor::web {

namespace {

bool accepts_event_stream(const Request& request) {
  const auto accept = request[http::field::accept];
  return std::string_view(accept.data(), accept.size()).find("text/event-stream") != std::string_view::npos;
}

Response event_stream_head(const Request& request) {
  Response head{http::status::ok, request.version()};
  head.set(http::field::server, "gitmoor");
  head.set(http::field::content_type, "text/event-stream");
  head.set(http::field::cache_control, "no-cache");
  head.set("X-Accel-Buffering", "no");  // nginx and friends: pass each event on at once
  head.keep_alive(request.keep_alive());
  return head;
}

Response not_an_event_stream_client(const Request& request) {
  return error_response(request, http::status::bad_request,
                        std::string(request.target()) + " is a server-sent event stream: send Accept: text/event-stream");
}

}  // namespace

void add_stream_routes(Router& router, ApiServices& services, const EventStreamOptions& options) {
  auto hub = std::make_shared<EventStreamHub>(services.operations, options);
  auto& operations = services.operations;
  router.add(http::verb::get, "/api/v1/stream/applications", Access::Read, [hub](RequestContext& context) -> Reply {
    if (!accepts_event_stream(context.request)) return not_an_event_stream_client(context.request);
    ApplicationFilter filter;
    try {
      filter = parse_application_filter(context.query);
    } catch (const core::InvalidInput& e) {
      return error_response(context.request, http::status::bad_request, e.what());
    }
    return Reply(event_stream_head(context.request), hub->applications(std::move(filter)));
  });
  router.add(http::verb::get, "/api/v1/stream/applications/{name}/resource-tree", Access::Read,
             [hub, &operations](RequestContext& context) -> Reply {
               if (!accepts_event_stream(context.request)) return not_an_event_stream_client(context.request);
               const auto& name = context.param("name");
               if (!operations.get_application(name)) {
                 return error_response(context.request, http::status::not_found, "application " + name + " not found");
               }
               return Reply(event_stream_head(context.request), hub->resource_tree(name));
             });
}

}  // namespace gitmoor::web
