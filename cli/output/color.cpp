// Status colours; see color.hpp.
#include "output/color.hpp"

#include <unistd.h>

#include <map>

namespace gitmoor::cli {

Palette Palette::for_stdout(const std::function<std::optional<std::string>(const std::string&)>& getenv) {
  return Palette(::isatty(1) == 1 && !getenv("NO_COLOR"));
}

std::string Palette::status(const std::string& value) const {
  if (!enabled_ || value.empty()) return value;
  static const std::map<std::string, const char*> colours = {
      {"Synced", "32"},     {"Healthy", "32"},   {"Succeeded", "32"}, {"Pruned", "32"},
      {"OutOfSync", "33"},  {"Progressing", "34"}, {"Running", "34"},   {"Terminating", "33"},
      {"Degraded", "31"},   {"Failed", "31"},    {"Error", "31"},     {"SyncFailed", "31"},
      {"Missing", "90"},    {"Unknown", "90"},   {"Suspended", "90"}, {"PruneSkipped", "33"}};
  const auto it = colours.find(value);
  if (it == colours.end()) return value;
  return std::string("\033[") + it->second + "m" + value + "\033[0m";
}

}  // namespace gitmoor::cli
