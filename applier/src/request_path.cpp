#include "request_path.hpp"

#include <vector>

namespace gitmoor::applier {

RequestKind classify_request(std::string_view method, std::string_view target) {
  const auto q = target.find('?');
  const std::string_view path = target.substr(0, q);
  const std::string_view query = q == std::string_view::npos ? std::string_view{} : target.substr(q + 1);
  std::vector<std::string_view> segs;
  for (std::size_t pos = 0; pos < path.size();) {
    auto next = path.find('/', pos);
    if (next == std::string_view::npos) next = path.size();
    if (next > pos) segs.push_back(path.substr(pos, next - pos));
    pos = next + 1;
  }
  std::string group;
  std::size_t start = 0;
  if (segs.size() >= 2 && segs[0] == "api") {
    start = 2;
  } else if (segs.size() >= 3 && segs[0] == "apis") {
    group = std::string(segs[1]);
    start = 3;
  } else {
    return {.verb = "discovery", .resource = ""};
  }
  std::vector<std::string_view> rest(segs.begin() + static_cast<std::ptrdiff_t>(start), segs.end());
  if (rest.empty()) return {.verb = "discovery", .resource = ""};
  std::string_view resource, name, sub;
  if (rest[0] == "namespaces" && rest.size() >= 3) {
    resource = rest[2];
    if (rest.size() >= 4) name = rest[3];
    if (rest.size() >= 5) sub = rest[4];
  } else {
    resource = rest[0];
    if (rest.size() >= 2) name = rest[1];
    if (rest.size() >= 3) sub = rest[2];
  }
  RequestKind out;
  out.resource = std::string(resource) + (group.empty() ? "" : "." + group) + (sub.empty() ? "" : "/" + std::string(sub));
  if (method == "GET") {
    out.verb = !name.empty() ? "get" : (query.find("watch=true") != std::string_view::npos ? "watch" : "list");
  } else if (method == "POST") {
    out.verb = "create";
  } else if (method == "PUT") {
    out.verb = "update";
  } else if (method == "PATCH") {
    out.verb = "patch";
  } else if (method == "DELETE") {
    out.verb = name.empty() ? "deletecollection" : "delete";
  } else {
    out.verb = std::string(method);
  }
  return out;
}

}  // namespace gitmoor::applier
