#pragma once
// The web UI (web/ui) as embedded into the binary at build time by web/tools/ui_embed.cpp: each file's raw and
// gzipped bytes, its Content-Type and ETag, and the content-hashed URL prefix the assets are served under.
#include <span>
#include <string_view>

namespace gitmoor::web {

struct UiAsset {
  std::string_view name;          // "main.js": a plain file name (ui_files.hpp)
  std::string_view content_type;  // "text/javascript; charset=utf-8"
  std::string_view raw;           // index.html with %ASSETS% already replaced by ui_assets_prefix()
  std::string_view gzip;          // the same bytes, gzipped (level 9, no timestamp)
  std::string_view etag;          // "\"<32 hex of the SHA-256 of raw>\"", quoted as in the header
  std::string_view gzip_etag;     // the gzipped representation's: "\"<same>-gzip\""
};

// Every embedded file, sorted by name (generated).
std::span<const UiAsset> ui_assets();
// "/assets/<first 12 hex of a SHA-256 over every file>" (generated): changes whenever any file does.
std::string_view ui_assets_prefix();
// The file called `name`, or nullptr.
const UiAsset* find_ui_asset(std::string_view name);

}  // namespace gitmoor::web
