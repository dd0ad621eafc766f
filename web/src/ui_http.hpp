#pragma once
// The two request headers that decide how a static file is answered (RFC 9110): whether the client takes gzip
// (Accept-Encoding) and whether its cached copy is still current (If-None-Match).
#include <string_view>

namespace gitmoor::web {

// True when `accept_encoding` lists gzip (or x-gzip, or *) with a non-zero q: "gzip, deflate, br" yes,
// "gzip;q=0" and "identity" no, "*;q=0.5" yes.
bool accepts_gzip(std::string_view accept_encoding);

// True when `if_none_match` ("*", or a list of entity tags, weak W/ ones included: If-None-Match compares weakly)
// holds `etag` (quoted, as sent in ETag).
bool etag_matches(std::string_view if_none_match, std::string_view etag);

}  // namespace gitmoor::web
