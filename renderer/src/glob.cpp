#include "glob.hpp"

#include <fnmatch.h>

namespace gitmoor::renderer {

std::vector<std::string> expand_braces(std::string_view pattern) {
  const auto open = pattern.find('{');
  if (open == std::string_view::npos) return {std::string(pattern)};
  int depth = 0;
  std::size_t close = std::string_view::npos;
  std::vector<std::string_view> alternatives;
  std::size_t start = open + 1;
  for (std::size_t i = open; i < pattern.size(); ++i) {
    if (pattern[i] == '{') {
      ++depth;
    } else if (pattern[i] == '}') {
      if (--depth == 0) {
        close = i;
        alternatives.push_back(pattern.substr(start, i - start));
        break;
      }
    } else if (pattern[i] == ',' && depth == 1) {
      alternatives.push_back(pattern.substr(start, i - start));
      start = i + 1;
    }
  }
  if (close == std::string_view::npos) return {std::string(pattern)};  // unbalanced: literal
  std::vector<std::string> out;
  const std::string prefix(pattern.substr(0, open));
  const std::string_view suffix = pattern.substr(close + 1);
  for (auto alternative : alternatives) {
    std::string combined = prefix + std::string(alternative) + std::string(suffix);
    for (auto& expanded : expand_braces(combined)) out.push_back(std::move(expanded));
  }
  return out;
}

bool glob_matches(std::string_view pattern, std::string_view path) {
  const std::string subject(path);
  for (const auto& alternative : expand_braces(pattern)) {
    if (fnmatch(alternative.c_str(), subject.c_str(), 0) == 0) return true;
  }
  return false;
}

}  // namespace gitmoor::renderer
