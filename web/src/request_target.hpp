#pragma once
// Reading a request target: path segments and query parameters, percent-decoded.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gitmoor::web {

// "%2D" → "-", "+" stays "+"; a malformed escape is kept as written.
std::string percent_decode(std::string_view text);

struct Target {
  std::string path;
  std::string query;
};
Target split_target(std::string_view target);

// The value of `name` in a query string; nullopt when absent, "" for `?name` alone. The first occurrence wins.
std::optional<std::string> query_value(const std::string& query, std::string_view name);
// Every value of a repeated parameter (`?resource=a&resource=b`).
std::vector<std::string> query_values(const std::string& query, std::string_view name);

// "/api/v1/applications/x/" → {"api", "v1", "applications", "x"} (decoded; a trailing slash is ignored).
std::vector<std::string> split_path(const std::string& path);

}  // namespace gitmoor::web
