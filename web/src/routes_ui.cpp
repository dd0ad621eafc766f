// The web UI's pages and assets. index.html answers every path the UI routes itself (/, /login, /applications,
// /applications/{name}); it names its scripts and styles under /assets/<content hash>/, which never change and are
// cached for a year, while index.html is revalidated on every load (no-cache, ETag) so a new build is picked up at
// once. Public: the page must load before anyone logs in; it holds no data (the API behind it checks the caller).
#include <filesystem>
#include <fstream>
#include <sstream>

#include <boost/beast/http/field.hpp>

#include "api_routes.hpp"
#include "responses.hpp"
#include "ui_assets.hpp"
#include "ui_files.hpp"
#include "ui_http.hpp"

namespace gitmoor::web {

namespace {

namespace fs = std::filesystem;

constexpr const char* kImmutable = "public, max-age=31536000, immutable";
constexpr const char* kRevalidate = "no-cache";  // may be stored, but asked again (If-None-Match) before each use
constexpr const char* kDevPrefix = "/assets/dev";

std::string_view header(const Request& request, http::field field) {
  const auto it = request.find(field);
  if (it == request.end()) return {};
  return {it->value().data(), it->value().size()};
}

Response head_of(const Request& request, http::status status) {
  Response response{status, request.version()};
  response.set(http::field::server, "gitmoor");
  response.keep_alive(request.keep_alive());
  return response;
}

// An embedded file: gzipped when the client takes it, 304 when its copy is current.
Response asset_response(const Request& request, const UiAsset& asset, std::string_view cache_control) {
  const bool gzip = accepts_gzip(header(request, http::field::accept_encoding));
  const auto etag = gzip ? asset.gzip_etag : asset.etag;
  const auto if_none_match = header(request, http::field::if_none_match);
  const bool current = !if_none_match.empty() && (etag_matches(if_none_match, asset.etag) ||
                                                  etag_matches(if_none_match, asset.gzip_etag));
  Response response = head_of(request, current ? http::status::not_modified : http::status::ok);
  response.set(http::field::cache_control, beast_view(cache_control));
  response.set(http::field::etag, beast_view(etag));
  response.set(http::field::vary, "Accept-Encoding");
  if (!current) {
    response.set(http::field::content_type, beast_view(asset.content_type));
    if (gzip) response.set(http::field::content_encoding, "gzip");
    response.body() = std::string(gzip ? asset.gzip : asset.raw);
  }
  response.prepare_payload();
  return response;
}

// --ui-dir: the file read now, never cached, raw (a development server on loopback gains nothing from gzip).
Response dev_file_response(const Request& request, const fs::path& folder, const std::string& name) {
  // Only a plain name of a file directly in the folder: a URL cannot reach "..", a subfolder, a hidden file or a
  // symbolic link out of it.
  const fs::path path = folder / name;
  std::error_code error;
  if (!is_ui_file_name(name) || !fs::is_regular_file(fs::symlink_status(path, error))) {
    return error_response(request, http::status::not_found, "no UI file " + name + " in " + folder.string());
  }
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in) return error_response(request, http::status::internal_server_error, path.string() + ": cannot be read");
  std::string body = text.str();
  if (name == "index.html") {
    for (auto at = body.find(kUiAssetsPlaceholder); at != std::string::npos;
         at = body.find(kUiAssetsPlaceholder, at + std::string_view(kDevPrefix).size())) {
      body.replace(at, kUiAssetsPlaceholder.size(), kDevPrefix);
    }
  }
  auto response = make_response(request, http::status::ok, std::move(body), ui_content_type(name));
  response.set(http::field::cache_control, "no-store");
  return response;
}

}  // namespace

void add_ui_routes(Router& router, ApiServices& services) {
  const fs::path dev_dir = services.ui.dev_dir;
  const auto index = [dev_dir](RequestContext& context) -> Reply {
    if (!dev_dir.empty()) return dev_file_response(context.request, dev_dir, "index.html");
    const auto* page = find_ui_asset("index.html");
    if (page == nullptr) return error_response(context.request, http::status::not_found, "no web UI in this build");
    return asset_response(context.request, *page, kRevalidate);
  };
  for (const auto* path : {"/", "/login", "/applications", "/applications/{name}"}) {
    router.add(http::verb::get, path, Access::Public, index);
  }

  router.add(http::verb::get, "/assets/{hash}/{file}", Access::Public, [dev_dir](RequestContext& context) -> Reply {
    const auto& name = context.param("file");
    if (!dev_dir.empty()) return dev_file_response(context.request, dev_dir, name);
    const auto* asset = find_ui_asset(name);
    if (asset == nullptr) return error_response(context.request, http::status::not_found, "no UI file " + name);
    const bool current = "/assets/" + context.param("hash") == ui_assets_prefix();
    // Another hash is a page from before an upgrade (a tab left open, or a module it imports late): the file of this
    // build by the same name is its best chance of working, but it is not that hash's content, so it must not be
    // cached as if it were; no-cache makes the browser ask again, by ETag, next time.
    return asset_response(context.request, *asset, current ? kImmutable : kRevalidate);
  });
}

}  // namespace gitmoor::web
