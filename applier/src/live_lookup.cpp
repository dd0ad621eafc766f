#include "live_lookup.hpp"

#include <cstdio>

namespace gitmoor::applier {

std::string url_encode(const std::string& text) {
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

std::vector<core::Object> list_objects(Client& client, const ApiResource& resource, const std::string& ns,
                                       const std::string& label_selector) {
  std::vector<core::Object> out;
  std::string next;
  do {
    std::string path = resource.path(ns) + "?limit=500";
    if (!label_selector.empty()) path += "&labelSelector=" + url_encode(label_selector);
    if (!next.empty()) path += "&continue=" + url_encode(next);
    auto list = client.request_json({.method = "GET", .path = path});
    for (auto& item : list.value("items", core::Json::array())) {
      item["apiVersion"] = resource.gvk.api_version();
      item["kind"] = resource.gvk.kind;
      out.emplace_back(std::move(item));
    }
    next = list.value("metadata", core::Json::object()).value("continue", "");
  } while (!next.empty());
  return out;
}

}  // namespace gitmoor::applier
