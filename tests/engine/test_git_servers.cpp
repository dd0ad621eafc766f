// The Git source against real servers: `git daemon` (git://) and `git http-backend` with basic auth (http://).
#include <catch2/catch.hpp>

#include <spdlog/sinks/ringbuffer_sink.h>

#include "git_fixtures.hpp"
#include "gitmoor/core/logging.hpp"
#include "gitmoor/engine/git_source.hpp"

using namespace gitmoor;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

engine::GitErrorKind kind_of(const std::function<void()>& action, std::string* message = nullptr) {
  try {
    action();
  } catch (const engine::GitError& e) {
    if (message != nullptr) *message = e.what();
    return e.kind();
  }
  FAIL("expected a GitError");
  return engine::GitErrorKind::Other;
}

}  // namespace

TEST_CASE("git://: clone, resolve every kind of revision, detect and fetch a new commit, follow a force-push",
          "[engine][git][daemon]") {
  test::ScratchDir dir;
  test::GitRemote remote(dir.path() / "served", "tetris.git");
  test::GitDaemon daemon(dir.path() / "served");
  engine::GitSource source({.cache_dir = dir.path() / "cache"});
  const engine::Repository repository{.url = daemon.url("tetris.git"), .credentials = {}};

  remote.write("helm/tetris/values.yaml", "image:\n  tag: one\n");
  const std::string first = remote.commit("first");
  remote.tag("v1.0.0", true);
  remote.tag("light", false);

  auto poll = source.poll(repository, {"main", "HEAD", "v1.0.0", "light", first, first.substr(0, 7)});
  for (const auto& [revision, resolution] : poll.revisions) {
    INFO(revision);
    CHECK(resolution.value() == first);
  }
  CHECK(poll.fetched);
  CHECK(daemon.connections() == 2);  // ls-remote + fetch

  poll = source.poll(repository, {"main"});
  CHECK_FALSE(poll.fetched);
  CHECK(daemon.connections() == 3);  // ls-remote only

  remote.write("helm/tetris/values.yaml", "image:\n  tag: two\n");
  const std::string second = remote.commit("CI: bump image.tag");
  CHECK(source.resolve(repository, "main") == second);
  CHECK(source.counters().fetches == 2);
  CHECK(source.resolve(repository, "v1.0.0") == first);

  const std::string rewritten = remote.rewrite_last_commit("force-pushed");
  CHECK(source.resolve(repository, "main") == rewritten);
  auto checkout = source.checkout(repository, rewritten);
  CHECK(fs::exists(checkout->root() / "rewritten.txt"));

  std::string message;
  CHECK(kind_of([&] { (void)source.resolve(repository, "does-not-exist"); }, &message) ==
        engine::GitErrorKind::RevisionNotFound);
  CHECK_THAT(message, Contains("does-not-exist") && Contains(repository.url));
  CHECK(kind_of([&] { (void)source.resolve({.url = daemon.url("missing.git"), .credentials = {}}, "main"); },
                &message) == engine::GitErrorKind::RepositoryNotFound);
  CHECK_THAT(message, Contains("missing.git"));
}

TEST_CASE("http:// with basic auth: right credentials fetch, wrong or missing ones fail clearly and never leak",
          "[engine][git][http]") {
  test::ScratchDir dir;
  test::GitRemote remote(dir.path() / "served", "tetris.git");
  const std::string secret = "hunter2-Sup3rSecret";
  test::GitHttpServer server(dir.path() / "served", "deployer", secret);
  engine::GitSource source({.cache_dir = dir.path() / "cache"});
  const std::string first = remote.commit("first");
  remote.tag("v1", true);

  engine::Repository repository{.url = server.url("tetris.git"),
                                .credentials = {.username = "deployer", .password = secret}};
  CHECK(source.resolve(repository, "main") == first);
  CHECK(source.resolve(repository, "v1") == first);
  CHECK(server.upload_packs() >= 1);
  const auto fetches = server.upload_packs();
  CHECK(source.resolve(repository, "main") == first);
  CHECK(server.upload_packs() == fetches);  // unchanged: a ref advertisement, no upload-pack

  SECTION("a token as the password, with the conventional user name") {
    test::GitHttpServer token_server(dir.path() / "served", "x-access-token", "ghp_0123456789abcdef");
    engine::Repository with_token{.url = token_server.url("tetris.git"),
                                  .credentials = {.password = "ghp_0123456789abcdef"}};
    CHECK(source.resolve(with_token, "main") == first);
  }
  SECTION("a wrong password") {
    // Everything the engine logs meanwhile, at every level, is captured to look for the secret.
    auto engine_log = core::logger("engine");
    auto captured = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(256);
    engine_log->sinks().push_back(captured);
    const auto level = engine_log->level();
    engine_log->set_level(spdlog::level::trace);
    engine::Repository wrong{.url = repository.url,
                             .credentials = {.username = "deployer", .password = "wrong-" + secret}};
    std::string message;
    CHECK(kind_of([&] { (void)source.resolve(wrong, "main"); }, &message) ==
          engine::GitErrorKind::AuthenticationFailed);
    engine_log->sinks().pop_back();
    engine_log->set_level(level);
    const auto lines = captured->last_formatted();
    CHECK_FALSE(lines.empty());
    for (const auto& line : lines) CHECK_THAT(line, !Contains(secret));
    CHECK_THAT(message, Contains(repository.url) && Contains("rejected"));
    CHECK_THAT(message, !Contains(secret));
    CHECK(server.rejected() >= 1);
  }
  SECTION("no credentials at all") {
    std::string message;
    CHECK(kind_of([&] { (void)source.resolve({.url = repository.url, .credentials = {}}, "main"); }, &message) ==
          engine::GitErrorKind::AuthenticationFailed);
    CHECK_THAT(message, Contains("requires credentials"));
  }
  SECTION("credentials inside the URL are redacted from errors") {
    const std::string url = "http://deployer:wrong-" + secret + "@" + server.url("tetris.git").substr(7);
    std::string message;
    CHECK(kind_of([&] { (void)source.resolve({.url = url, .credentials = {}}, "main"); }, &message) ==
          engine::GitErrorKind::AuthenticationFailed);
    CHECK_THAT(message, !Contains(secret) && Contains("***@127.0.0.1"));
  }
  SECTION("a repository the server does not have") {
    CHECK(kind_of([&] {
            (void)source.resolve({.url = server.url("nope.git"), .credentials = repository.credentials}, "main");
          }) == engine::GitErrorKind::RepositoryNotFound);
  }
}

TEST_CASE("network failures: refused connections and silent servers fail within the configured timeout",
          "[engine][git][network]") {
  test::ScratchDir dir;
  engine::GitSource source({.cache_dir = dir.path() / "cache",
                            .connect_timeout = std::chrono::milliseconds(1500),
                            .io_timeout = std::chrono::milliseconds(1500),
                            .operation_timeout = std::chrono::seconds(5)});

  SECTION("nothing listens") {
    const std::string url = "git://127.0.0.1:" + std::to_string(test::closed_port()) + "/x.git";
    std::string message;
    CHECK(kind_of([&] { (void)source.resolve({.url = url, .credentials = {}}, "main"); }, &message) ==
          engine::GitErrorKind::NetworkUnreachable);
    CHECK_THAT(message, Contains(url) && Contains("refused"));
  }
  SECTION("a server that accepts and never answers, over git:// and http://") {
    test::SilentServer silent;
    for (const std::string scheme : {"git", "http"}) {
      const std::string url = scheme + "://127.0.0.1:" + std::to_string(silent.port()) + "/x.git";
      const auto start = std::chrono::steady_clock::now();
      std::string message;
      CHECK(kind_of([&] { (void)source.resolve({.url = url, .credentials = {}}, "main"); }, &message) ==
            engine::GitErrorKind::Timeout);
      CHECK_THAT(message, Contains("1500 ms"));
      // Not a timing assertion: a bound proving the configured timeout, not the kernel's, ended the wait.
      CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(30));
    }
  }
  SECTION("an unroutable address") {
    const auto start = std::chrono::steady_clock::now();
    const engine::Repository unroutable{.url = "git://10.255.255.1/x.git", .credentials = {}};
    const auto kind = kind_of([&] { (void)source.resolve(unroutable, "main"); });
    CHECK((kind == engine::GitErrorKind::Timeout || kind == engine::GitErrorKind::NetworkUnreachable));
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(30));
  }
}
