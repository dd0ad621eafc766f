// See ui_http.hpp.
#include "ui_http.hpp"

#include <cctype>
#include <string>

namespace gitmoor::web {

namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The q of one coding's parameters (";q=0.5"); 1 when absent, 0 when malformed (refusing is the safe reading).
double quality(std::string_view parameters) {
  while (!parameters.empty()) {
    const auto semicolon = parameters.find(';');
    const auto parameter = trim(parameters.substr(0, semicolon));
    parameters = semicolon == std::string_view::npos ? std::string_view{} : parameters.substr(semicolon + 1);
    if (parameter.size() < 2 || (parameter[0] != 'q' && parameter[0] != 'Q') || parameter[1] != '=') continue;
    try {
      return std::stod(std::string(parameter.substr(2)));
    } catch (const std::exception&) {
      return 0;
    }
  }
  return 1;
}

}  // namespace

bool accepts_gzip(std::string_view accept_encoding) {
  bool gzip = false;
  bool wildcard = false;
  bool gzip_named = false;
  while (!accept_encoding.empty()) {
    const auto comma = accept_encoding.find(',');
    const auto item = trim(accept_encoding.substr(0, comma));
    accept_encoding = comma == std::string_view::npos ? std::string_view{} : accept_encoding.substr(comma + 1);
    const auto semicolon = item.find(';');
    const auto coding = lower(trim(item.substr(0, semicolon)));
    const double q = semicolon == std::string_view::npos ? 1 : quality(item.substr(semicolon + 1));
    if (coding == "gzip" || coding == "x-gzip") {
      gzip_named = true;
      gzip = gzip || q > 0;
    } else if (coding == "*") {
      wildcard = q > 0;
    }
  }
  return gzip_named ? gzip : wildcard;  // a coding named explicitly overrides "*"
}

bool etag_matches(std::string_view if_none_match, std::string_view etag) {
  while (!if_none_match.empty()) {
    const auto comma = if_none_match.find(',');
    auto tag = trim(if_none_match.substr(0, comma));
    if_none_match = comma == std::string_view::npos ? std::string_view{} : if_none_match.substr(comma + 1);
    if (tag == "*") return true;
    if (tag.substr(0, 2) == "W/") tag.remove_prefix(2);
    if (tag == etag) return true;
  }
  return false;
}

}  // namespace gitmoor::web
