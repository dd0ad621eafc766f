#include "router.hpp"

namespace gitmoor::sandbox {

std::string url_decode(std::string_view text) {
  auto hex = [](char h) -> int {
    if (h >= '0' && h <= '9') return h - '0';
    if (h >= 'a' && h <= 'f') return h - 'a' + 10;
    if (h >= 'A' && h <= 'F') return h - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%' && i + 2 < text.size() && hex(text[i + 1]) >= 0 && hex(text[i + 2]) >= 0) {
      out += static_cast<char>(hex(text[i + 1]) * 16 + hex(text[i + 2]));
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

std::map<std::string, std::string> parse_query(std::string_view query) {
  std::map<std::string, std::string> out;
  while (!query.empty()) {
    auto amp = query.find('&');
    std::string_view part = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (part.empty()) continue;
    auto eq = part.find('=');
    std::string key = url_decode(part.substr(0, eq));
    std::string value = eq == std::string_view::npos ? "" : url_decode(part.substr(eq + 1));
    out[key] = value;
  }
  return out;
}

Target parse_target(std::string_view target) {
  Target t;
  auto q = target.find('?');
  t.path = std::string(target.substr(0, q));
  if (q != std::string_view::npos) t.query = parse_query(target.substr(q + 1));
  std::vector<std::string> segs;
  std::string_view p = t.path;
  while (!p.empty()) {
    auto slash = p.find('/');
    std::string_view seg = p.substr(0, slash);
    p = slash == std::string_view::npos ? std::string_view{} : p.substr(slash + 1);
    if (!seg.empty()) segs.push_back(url_decode(seg));
  }
  using K = Target::Kind;
  if (segs.empty()) return t;
  const std::string& first = segs[0];
  if (segs.size() == 1 && (first == "healthz" || first == "livez" || first == "readyz")) {
    t.kind = K::Health;
  } else if (segs.size() == 1 && first == "version") {
    t.kind = K::Version;
  } else if (first == "openapi") {
    if (segs.size() >= 2 && segs[1] == "v2") t.kind = K::OpenApiV2;
    if (segs.size() >= 2 && segs[1] == "v3") t.kind = K::OpenApiV3;
  } else if (first == "sandbox") {
    t.kind = K::Admin;
    t.rest.assign(segs.begin() + 1, segs.end());
  } else if (first == "api") {
    if (segs.size() == 1) {
      t.kind = K::ApiRoot;
    } else {
      t.version = segs[1];
      t.kind = segs.size() == 2 ? K::GroupVersion : K::Resource;
      t.rest.assign(segs.begin() + 2, segs.end());
    }
  } else if (first == "apis") {
    if (segs.size() == 1) {
      t.kind = K::ApisRoot;
    } else if (segs.size() == 2) {
      t.kind = K::ApiGroup;
      t.group = segs[1];
    } else {
      t.group = segs[1];
      t.version = segs[2];
      t.kind = segs.size() == 3 ? K::GroupVersion : K::Resource;
      t.rest.assign(segs.begin() + 3, segs.end());
    }
  }
  if (t.kind == K::Resource && !t.rest.empty() && t.rest[0] == "watch") {
    t.watch_prefix = true;
    t.rest.erase(t.rest.begin());
    if (t.rest.empty()) t.kind = K::NotFound;
  }
  return t;
}

bool split_resource_path(const std::vector<std::string>& rest,
                         const std::function<bool(const std::string&)>& is_namespaced_resource, ResourcePath& out) {
  out = {};
  std::size_t i = 0;
  if (rest.size() >= 3 && rest[0] == "namespaces" && is_namespaced_resource(rest[2])) {
    out.ns = rest[1];
    i = 2;
  }
  if (i >= rest.size()) return false;
  out.resource = rest[i];
  if (i + 1 < rest.size()) out.name = rest[i + 1];
  if (i + 2 < rest.size()) out.subresource = rest[i + 2];
  return i + 3 >= rest.size();
}

}  // namespace gitmoor::sandbox
