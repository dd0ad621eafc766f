#pragma once
// One HTTP(S) GET with a repository's credentials (basic auth, extra certificate authorities, `insecure`), bounded in
// size and time: what a Helm chart repository source needs for its index.yaml and chart archives.
#include <chrono>
#include <cstddef>
#include <string>

#include "gitmoor/engine/repository.hpp"

namespace gitmoor::engine {

struct HttpFetchOptions {
  std::size_t max_bytes = 64 * 1024 * 1024;
  std::chrono::seconds timeout{120};
  std::string if_none_match;  // an ETag from an earlier answer: 304 when unchanged
  // Sends the credentials. False for a URL on another host than the repository's (a chart archive on a CDN), as
  // helm does unless told to pass credentials on.
  bool send_credentials = true;
};

struct HttpFetchResult {
  long status = 0;
  std::string body;
  std::string etag;
  std::string effective_url;  // after redirects
};

// Throws core::EnvironmentError naming the URL (credentials removed) when the server cannot be reached, TLS fails,
// or the body is larger than allowed. Any HTTP status is returned.
HttpFetchResult http_fetch(const std::string& url, const RepositoryCredentials& credentials,
                           const HttpFetchOptions& options = {});

}  // namespace gitmoor::engine
