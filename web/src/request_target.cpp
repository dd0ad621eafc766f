#include "request_target.hpp"

namespace gitmoor::web {

std::string percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && hex(text[i + 1]) >= 0 && hex(text[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex(text[i + 1]) * 16 + hex(text[i + 2])));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

Target split_target(std::string_view target) {
  const auto q = target.find('?');
  if (q == std::string_view::npos) return {std::string(target), ""};
  return {std::string(target.substr(0, q)), std::string(target.substr(q + 1))};
}

std::vector<std::string> query_values(const std::string& query, std::string_view name) {
  std::vector<std::string> values;
  std::size_t start = 0;
  while (start < query.size()) {
    auto end = query.find('&', start);
    if (end == std::string::npos) end = query.size();
    const std::string_view pair(query.data() + start, end - start);
    const auto eq = pair.find('=');
    if (percent_decode(pair.substr(0, eq)) == name) {
      values.push_back(eq == std::string_view::npos ? std::string() : percent_decode(pair.substr(eq + 1)));
    }
    start = end + 1;
  }
  return values;
}

std::optional<std::string> query_value(const std::string& query, std::string_view name) {
  auto values = query_values(query, name);
  if (values.empty()) return std::nullopt;
  return std::move(values.front());
}

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> segments;
  std::size_t start = 1;  // after the leading '/'
  while (start <= path.size()) {
    auto end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    segments.push_back(percent_decode(std::string_view(path).substr(start, end - start)));
    start = end + 1;
  }
  if (!segments.empty() && segments.back().empty()) segments.pop_back();  // a trailing slash
  return segments;
}

}  // namespace gitmoor::web
