#pragma once
// Colour only where a person reads it: stdout is a terminal and NO_COLOR (https://no-color.org) is not set.
#include <functional>
#include <optional>
#include <string>

namespace gitmoor::cli {

class Palette {
 public:
  explicit Palette(bool enabled) : enabled_(enabled) {}
  // For stdout: isatty(1) and NO_COLOR unset or empty.
  static Palette for_stdout(const std::function<std::optional<std::string>(const std::string&)>& getenv);

  [[nodiscard]] bool enabled() const { return enabled_; }
  // A sync, health or operation status in its colour (Synced/Healthy/Succeeded green, OutOfSync/Progressing yellow
  // or blue, Degraded/Failed/Error/SyncFailed red, Missing/Unknown/Suspended grey); as is when disabled.
  [[nodiscard]] std::string status(const std::string& value) const;

 private:
  bool enabled_;
};

}  // namespace gitmoor::cli
