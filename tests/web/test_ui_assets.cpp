// The web UI as the binary serves it: the files of web/ui embedded at build time (gzip, ETags, the content-hashed
// prefix), index.html for the UI's own paths, the --ui-dir development mode confined to its folder, and the size
// budget of the whole UI.
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include <boost/beast/http/field.hpp>
#include <catch2/catch.hpp>
#include <unistd.h>

#include "api_routes.hpp"
#include "fake_operations.hpp"
#include "ui_assets.hpp"
#include "ui_http.hpp"

namespace gitmoor::web {
namespace {

namespace fs = std::filesystem;
namespace http = boost::beast::http;

const fs::path kUiSource = fs::path(GITMOOR_SOURCE_DIR) / "web" / "ui";

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string gunzip(std::string_view data) {
  z_stream stream{};
  REQUIRE(inflateInit2(&stream, 15 + 16) == Z_OK);
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  std::string out;
  char buffer[16384];
  int rc = Z_OK;
  while (rc == Z_OK) {
    stream.next_out = reinterpret_cast<Bytef*>(buffer);
    stream.avail_out = sizeof buffer;
    rc = inflate(&stream, Z_NO_FLUSH);
    out.append(buffer, sizeof buffer - stream.avail_out);
  }
  inflateEnd(&stream);
  REQUIRE(rc == Z_STREAM_END);
  return out;
}

std::string header(const Response& response, std::string_view name) {
  const auto it = response.find(boost::beast::string_view(name.data(), name.size()));
  return it == response.end() ? std::string() : std::string(it->value());
}

struct UiEnv {
  explicit UiEnv(fs::path dev_dir = {}) {
    ApiServices services{operations, nullptr};
    services.ui.dev_dir = std::move(dev_dir);
    api = std::make_unique<Api>(services);
  }
  Response get(const std::string& target, const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    Request request{http::verb::get, target, 11};
    for (const auto& [name, value] : headers) request.set(name, value);
    return api->handle(request).response;
  }
  test::FakeOperations operations;
  std::unique_ptr<Api> api;
};

// The names of web/ui's files (what the build embeds: no hidden files).
std::set<std::string> source_files() {
  std::set<std::string> names;
  for (const auto& entry : fs::directory_iterator(kUiSource)) {
    const auto name = entry.path().filename().string();
    if (name.front() != '.') names.insert(name);
  }
  return names;
}

// Every src= and href= of the page that points into the assets.
std::vector<std::string> asset_urls(const std::string& html) {
  std::vector<std::string> urls;
  static const std::regex attribute(R"re((?:src|href)="(/assets/[^"]*)")re");
  for (std::sregex_iterator it(html.begin(), html.end(), attribute), end; it != end; ++it) urls.push_back((*it)[1]);
  return urls;
}

struct TempDir {
  TempDir() : path(fs::temp_directory_path() / ("gitmoor-ui-" + std::to_string(::getpid()) + "-" +
                                                 std::to_string(counter++))) {
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
  static inline int counter = 0;
  fs::path path;
};

}  // namespace

TEST_CASE("every file of web/ui is embedded, gzipped to the same bytes, and the whole UI fits its 200 KB budget",
          "[web][ui]") {
  const auto prefix = std::string(ui_assets_prefix());
  CHECK(std::regex_match(prefix, std::regex("/assets/[0-9a-f]{12}")));
  std::set<std::string> embedded;
  std::size_t raw_total = 0;
  std::size_t gzip_total = 0;
  for (const auto& asset : ui_assets()) {
    INFO(asset.name);
    embedded.insert(std::string(asset.name));
    std::string expected = read_file(kUiSource / std::string(asset.name));
    if (asset.name == "index.html") {
      CHECK(expected.find("%ASSETS%") != std::string::npos);
      expected = std::regex_replace(expected, std::regex("%ASSETS%"), prefix);
    }
    CHECK(asset.raw == expected);  // the build embeds the files as they are now
    CHECK(gunzip(asset.gzip) == asset.raw);
    CHECK(std::regex_match(std::string(asset.etag), std::regex("\"[0-9a-f]{32}\"")));
    raw_total += asset.raw.size();
    gzip_total += asset.gzip.size();
  }
  CHECK(embedded == source_files());
  CHECK(find_ui_asset("index.html") != nullptr);
  CHECK(find_ui_asset("no-such.js") == nullptr);
  // The issue's budget: the whole UI under 200 KB gzipped. Printed so the figure is in the test log.
  std::cout << "web UI: " << embedded.size() << " files, " << raw_total << " bytes, " << gzip_total
            << " bytes gzipped (budget 204800)\n";
  CHECK(gzip_total < 200 * 1024);
}

TEST_CASE("index.html has no inline script and every asset URL it names is served", "[web][ui]") {
  UiEnv env;
  const auto page = env.get("/");
  REQUIRE(page.result() == http::status::ok);
  const std::string html = page.body();
  // Every <script> loads a file (src=) and holds nothing: the CSP (script-src 'self') would block an inline one.
  std::size_t scripts = 0;
  for (auto at = html.find("<script"); at != std::string::npos; at = html.find("<script", at + 1)) {
    ++scripts;
    const auto close = html.find('>', at);
    REQUIRE(close != std::string::npos);
    const std::string tag = html.substr(at, close - at);
    INFO(tag);
    CHECK(tag.find(" src=\"") != std::string::npos);
    CHECK(html.compare(close + 1, 9, "</script>") == 0);
  }
  CHECK(scripts >= 1);
  CHECK_FALSE(std::regex_search(html, std::regex(R"(\son[a-z]+=)")));  // no inline event handlers
  CHECK(html.find("%ASSETS%") == std::string::npos);
  const auto urls = asset_urls(html);
  CHECK(urls.size() >= 2);
  for (const auto& url : urls) {
    INFO(url);
    CHECK(url.rfind(std::string(ui_assets_prefix()) + "/", 0) == 0);
    const auto asset = env.get(url);
    CHECK(asset.result() == http::status::ok);
    CHECK(header(asset, "Cache-Control") == "public, max-age=31536000, immutable");
  }
}

TEST_CASE("each asset: its content type, gzip when accepted, ETag and 304, immutable only under the current hash",
          "[web][ui]") {
  UiEnv env;
  const std::string prefix(ui_assets_prefix());
  const std::map<std::string, std::string> types{{"js", "text/javascript; charset=utf-8"},
                                                 {"css", "text/css; charset=utf-8"},
                                                 {"html", "text/html; charset=utf-8"},
                                                 {"svg", "image/svg+xml"}};
  for (const auto& asset : ui_assets()) {
    const std::string name(asset.name);
    INFO(name);
    const auto extension = name.substr(name.rfind('.') + 1);
    if (types.count(extension)) CHECK(std::string(asset.content_type) == types.at(extension));

    const auto zipped = env.get(prefix + "/" + name, {{"Accept-Encoding", "gzip, deflate, br"}});
    REQUIRE(zipped.result() == http::status::ok);
    CHECK(header(zipped, "Content-Type") == asset.content_type);
    CHECK(header(zipped, "Content-Encoding") == "gzip");
    CHECK(header(zipped, "Vary") == "Accept-Encoding");
    CHECK(header(zipped, "Cache-Control") == "public, max-age=31536000, immutable");
    CHECK(gunzip(zipped.body()) == asset.raw);
    const auto zipped_etag = header(zipped, "ETag");
    CHECK(zipped_etag == asset.gzip_etag);

    const auto plain = env.get(prefix + "/" + name);  // no Accept-Encoding: the raw bytes
    CHECK(header(plain, "Content-Encoding").empty());
    CHECK(plain.body() == asset.raw);
    CHECK(header(plain, "ETag") == asset.etag);
    CHECK(env.get(prefix + "/" + name, {{"Accept-Encoding", "gzip;q=0, identity"}}).body() == asset.raw);

    // The browser's revalidation: its ETag (weak or strong, either representation) gets 304 without a body.
    for (const auto& tag : {zipped_etag, "W/" + zipped_etag, "\"other\", " + header(plain, "ETag")}) {
      const auto again = env.get(prefix + "/" + name, {{"Accept-Encoding", "gzip"}, {"If-None-Match", tag}});
      CHECK(again.result() == http::status::not_modified);
      CHECK(again.body().empty());
      CHECK(header(again, "ETag") == zipped_etag);
      CHECK(header(again, "Cache-Control") == "public, max-age=31536000, immutable");
    }
    CHECK(env.get(prefix + "/" + name, {{"If-None-Match", "\"stale\""}}).result() == http::status::ok);

    // A page of an older build asks under its own hash: the file is served, but never as immutable.
    const auto old = env.get("/assets/000000000000/" + name);
    CHECK(old.result() == http::status::ok);
    CHECK(old.body() == asset.raw);
    CHECK(header(old, "Cache-Control") == "no-cache");
  }
  CHECK(env.get(prefix + "/no-such.js").result() == http::status::not_found);
  CHECK(env.get(prefix + "/..").result() == http::status::not_found);
  CHECK(env.get(prefix + "/%2e%2e%2fCMakeLists.txt").result() == http::status::not_found);
  CHECK(env.get(prefix).result() == http::status::not_found);
}

TEST_CASE("the UI's paths answer index.html, revalidated by ETag, and other paths keep the router's 404", "[web][ui]") {
  UiEnv env;
  const auto* index = find_ui_asset("index.html");
  REQUIRE(index != nullptr);
  for (const std::string path : {"/", "/login", "/applications", "/applications/tetris", "/applications/tetris?node=x"}) {
    INFO(path);
    const auto page = env.get(path, {{"Accept-Encoding", "gzip"}});
    REQUIRE(page.result() == http::status::ok);
    CHECK(header(page, "Content-Type") == "text/html; charset=utf-8");
    CHECK(header(page, "Cache-Control") == "no-cache");
    CHECK(gunzip(page.body()) == index->raw);
    const auto again = env.get(path, {{"Accept-Encoding", "gzip"}, {"If-None-Match", header(page, "ETag")}});
    CHECK(again.result() == http::status::not_modified);
    CHECK(header(again, "Cache-Control") == "no-cache");
  }
  CHECK(env.get("/index.html").result() == http::status::not_found);
  CHECK(env.get("/settings").result() == http::status::not_found);
  CHECK(env.get("/applications/tetris/extra").result() == http::status::not_found);
  CHECK(env.get("/api/v1/nothing").result() == http::status::not_found);
}

TEST_CASE("with --ui-dir, the server serves the folder's files as they are now, and only plain file names from it", "[web][ui]") {
  TempDir dir;
  const auto ui = dir.path / "ui";
  fs::create_directories(ui / "sub");
  std::ofstream(ui / "index.html") << R"(<script type="module" src="%ASSETS%/main.js"></script>)";
  std::ofstream(ui / "main.js") << "export const version = 1;\n";
  std::ofstream(ui / ".hidden.js") << "hidden";
  std::ofstream(ui / "sub" / "x.js") << "nested";
  std::ofstream(dir.path / "secret.txt") << "outside";
  fs::create_symlink(dir.path / "secret.txt", ui / "link.txt");
  UiEnv env(ui);

  const auto page = env.get("/applications/tetris");
  REQUIRE(page.result() == http::status::ok);
  CHECK(page.body() == R"(<script type="module" src="/assets/dev/main.js"></script>)");
  CHECK(header(page, "Cache-Control") == "no-store");
  CHECK(header(page, "Content-Type") == "text/html; charset=utf-8");
  const auto script = env.get("/assets/dev/main.js", {{"Accept-Encoding", "gzip"}});
  CHECK(script.body() == "export const version = 1;\n");
  CHECK(header(script, "Content-Type") == "text/javascript; charset=utf-8");
  CHECK(header(script, "Cache-Control") == "no-store");
  // Edited: the next request has it, no rebuild, no restart.
  std::ofstream(ui / "main.js") << "export const version = 2;\n";
  CHECK(env.get("/assets/dev/main.js").body() == "export const version = 2;\n");
  CHECK(env.get("/assets/anything/main.js").body() == "export const version = 2;\n");

  for (const std::string target :
       {"/assets/dev/..", "/assets/dev/%2e%2e", "/assets/dev/..%2Fsecret.txt", "/assets/dev/%2E%2E%2Fsecret.txt",
        "/assets/dev/sub%2Fx.js", "/assets/dev/.hidden.js", "/assets/dev/link.txt", "/assets/dev/missing.js",
        "/assets/dev/%2Fetc%2Fpasswd", "/assets/dev/sub"}) {
    INFO(target);
    const auto refused = env.get(target);
    CHECK(refused.result() == http::status::not_found);
    CHECK(refused.body().find("outside") == std::string::npos);
    CHECK(refused.body().find("nested") == std::string::npos);
  }
}

TEST_CASE("Accept-Encoding and If-None-Match are read as RFC 9110 says", "[web][ui]") {
  CHECK(accepts_gzip("gzip"));
  CHECK(accepts_gzip("deflate, gzip;q=0.5, br"));
  CHECK(accepts_gzip("GZIP"));
  CHECK(accepts_gzip("x-gzip"));
  CHECK(accepts_gzip("*"));
  CHECK_FALSE(accepts_gzip(""));
  CHECK_FALSE(accepts_gzip("identity"));
  CHECK_FALSE(accepts_gzip("gzip;q=0"));
  CHECK_FALSE(accepts_gzip("gzip; q=0.0, *"));  // named explicitly: the wildcard does not bring it back
  CHECK_FALSE(accepts_gzip("br, *;q=0"));

  CHECK(etag_matches("\"abc\"", "\"abc\""));
  CHECK(etag_matches("W/\"abc\"", "\"abc\""));
  CHECK(etag_matches("\"x\", \"abc\"", "\"abc\""));
  CHECK(etag_matches("*", "\"abc\""));
  CHECK_FALSE(etag_matches("\"abcd\"", "\"abc\""));
  CHECK_FALSE(etag_matches("abc", "\"abc\""));
  CHECK_FALSE(etag_matches("", "\"abc\""));
}

TEST_CASE("with authentication disabled, userinfo lets the UI in as admin", "[web][ui]") {
  UiEnv env;
  const auto info = core::Json::parse(env.get("/api/v1/session/userinfo").body());
  CHECK(info == core::Json{{"loggedIn", true}, {"username", "admin"}, {"authDisabled", true}});
}

TEST_CASE("GET .../resource answers a tree object's live manifest as a JSON string, 404 outside the tree",
          "[web][ui]") {
  UiEnv env;
  env.operations.add("tetris");
  const core::Json pod{{"apiVersion", "v1"}, {"kind", "Pod"}, {"metadata", {{"name", "web-0"}, {"namespace", "game"}}}};
  env.operations.live_objects["/Pod/game/web-0"] = pod;

  const auto found = env.get("/api/v1/applications/tetris/resource?namespace=game&resourceName=web-0&kind=Pod"
                             "&group=&version=v1");
  REQUIRE(found.result() == http::status::ok);
  const auto body = core::Json::parse(found.body());
  REQUIRE(body["manifest"].is_string());
  CHECK(core::Json::parse(body["manifest"].get<std::string>()) == pod);
  REQUIRE(env.operations.resource_requests.size() == 1);
  const auto& ref = env.operations.resource_requests[0];
  CHECK((ref.group == "" && ref.version == "v1" && ref.kind == "Pod" && ref.ns == "game" && ref.name == "web-0"));

  const auto outside = env.get("/api/v1/applications/tetris/resource?namespace=kube-system&resourceName=x&kind=Secret");
  CHECK(outside.result() == http::status::not_found);
  CHECK(env.get("/api/v1/applications/tetris/resource?kind=Pod").result() == http::status::bad_request);
  CHECK(env.get("/api/v1/applications/nothing/resource?kind=Pod&resourceName=web-0").result() ==
        http::status::not_found);
}

}  // namespace gitmoor::web
