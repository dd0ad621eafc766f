#pragma once
// The HTTP API as a plain function: a parsed request in, the response out, no I/O. The server (http_server.cpp)
// only moves bytes; tests call handle_request directly.
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "gitmoor/engine/operations.hpp"

namespace gitmoor::web {

using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;

// Routes `request` to `operations`. Never throws: unknown paths are 404, wrong methods 405, bad bodies 400, an
// unknown Application 404, a conflicting operation 409 and any other failure 500, each with a JSON
// {"error": "..."} body. Version and keep-alive follow the request.
Response handle_request(engine::Operations& operations, const Request& request);

}  // namespace gitmoor::web
