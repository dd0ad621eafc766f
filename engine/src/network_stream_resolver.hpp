#pragma once
// Name resolution within the connect timeout. getaddrinfo blocks for as long as the system's resolver retries
// (resolv.conf's timeout × attempts × servers: 10 s or far more against a dead DNS server) and cannot be cancelled,
// so it runs on a helper thread and the connecting thread waits only until the timeout; a late answer is freed by
// the helper. Numeric addresses are converted on the calling thread, with no helper.
#include <chrono>
#include <memory>
#include <string>

#include <netdb.h>

namespace gitmoor::engine {

using AddressList = std::unique_ptr<addrinfo, decltype(&freeaddrinfo)>;

struct ResolvedHost {
  AddressList addresses{nullptr, &freeaddrinfo};
  int error = 0;           // getaddrinfo's code when it answered with an error
  bool timed_out = false;  // no answer within the timeout
};

// getaddrinfo's signature, so tests can inject a slow resolver.
using ResolveFunction = int (*)(const char* host, const char* service, const addrinfo* hints, addrinfo** out);

[[nodiscard]] ResolvedHost resolve_host(const std::string& host, const std::string& port, const addrinfo& hints,
                                        std::chrono::milliseconds timeout, ResolveFunction resolve = &getaddrinfo);

}  // namespace gitmoor::engine
