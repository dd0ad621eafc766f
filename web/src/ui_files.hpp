#pragma once
// What a file of the web UI (web/ui, a flat folder) may be called and the Content-Type it is served with. Shared by
// the build-time embedder (web/tools/ui_embed.cpp) and the server's --ui-dir mode (routes_ui.cpp), so both agree.
#include <string_view>

namespace gitmoor::web {

// A plain file name: letters, digits, '.', '_' and '-', not starting with '.' (no hidden files, no "..") and no '/':
// so a name taken from a URL can only ever name a file directly inside the UI folder.
inline bool is_ui_file_name(std::string_view name) {
  if (name.empty() || name.size() > 128 || name.front() == '.') return false;
  for (const char c : name) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                       c == '_' || c == '-';
    if (!plain) return false;
  }
  return true;
}

// By extension; an unknown one is application/octet-stream (with nosniff, a browser will not run it).
inline std::string_view ui_content_type(std::string_view name) {
  const auto dot = name.rfind('.');
  const auto ext = dot == std::string_view::npos ? std::string_view{} : name.substr(dot + 1);
  if (ext == "html") return "text/html; charset=utf-8";
  if (ext == "js" || ext == "mjs") return "text/javascript; charset=utf-8";
  if (ext == "css") return "text/css; charset=utf-8";
  if (ext == "svg") return "image/svg+xml";
  if (ext == "png") return "image/png";
  if (ext == "ico") return "image/x-icon";
  if (ext == "json" || ext == "map") return "application/json";
  if (ext == "txt") return "text/plain; charset=utf-8";
  if (ext == "woff2") return "font/woff2";
  return "application/octet-stream";
}

// The placeholder index.html references assets by ("%ASSETS%/main.js"), replaced with the hashed prefix.
inline constexpr std::string_view kUiAssetsPlaceholder = "%ASSETS%";

}  // namespace gitmoor::web
