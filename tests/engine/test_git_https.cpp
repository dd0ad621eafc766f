// The Git source over https:// against git http-backend behind a TLS terminator whose certificate a private CA
// signed: trusted through the repository's CA file, refused (clearly, naming the host) otherwise.
#include <catch2/catch.hpp>

#include "git_fixtures.hpp"
#include "gitmoor/engine/git_source.hpp"

using namespace gitmoor;
using Catch::Matchers::Contains;

namespace {

engine::GitErrorKind kind_of(const std::function<void()>& action, std::string& message) {
  try {
    action();
  } catch (const engine::GitError& e) {
    message = e.what();
    return e.kind();
  }
  FAIL("expected a GitError");
  return engine::GitErrorKind::Other;
}

}  // namespace

TEST_CASE("https://: a private CA's certificate is trusted through the repository's CA file, with basic auth",
          "[engine][git][https]") {
  test::ScratchDir dir;
  test::GitRemote remote(dir.path() / "served", "tetris.git");
  const std::string first = remote.commit("first");
  test::GitHttpServer backend(dir.path() / "served", "deployer", "s3cret-password");
  test::TestCertificateAuthority ca(dir.path() / "pki", "gitmoor-test-ca");
  test::GitHttpsServer server(backend, ca.issue("git-server", "IP:127.0.0.1"));
  engine::GitSource source({.cache_dir = dir.path() / "cache"});
  const engine::Repository repository{
      .url = server.url("tetris.git"),
      .credentials = {.username = "deployer", .password = "s3cret-password", .ca_file = ca.certificate()}};

  CHECK(source.resolve(repository, "main") == first);
  CHECK(server.forwarded() >= 2);  // ref advertisement and upload-pack went through TLS
  CHECK(backend.upload_packs() >= 1);
  remote.write("values.yaml", "image:\n  tag: two\n");
  const std::string second = remote.commit("second");
  CHECK(source.resolve(repository, "main") == second);

  std::string message;
  SECTION("wrong credentials over TLS are still an authentication failure") {
    auto wrong = repository;
    wrong.credentials.password = "not-the-password";
    CHECK(kind_of([&] { (void)source.resolve(wrong, "main"); }, message) ==
          engine::GitErrorKind::AuthenticationFailed);
    CHECK_THAT(message, Contains("rejected the configured credentials") && !Contains("not-the-password"));
  }
}

TEST_CASE("https://: an untrusted certificate is refused with an error naming the host, before any request",
          "[engine][git][https]") {
  test::ScratchDir dir;
  test::GitRemote remote(dir.path() / "served", "tetris.git");
  (void)remote.commit("first");
  test::GitHttpServer backend(dir.path() / "served", "deployer", "s3cret-password");
  test::TestCertificateAuthority ca(dir.path() / "pki", "gitmoor-test-ca");
  engine::GitSource source({.cache_dir = dir.path() / "cache"});
  engine::Repository repository{.url = "",
                                .credentials = {.username = "deployer", .password = "s3cret-password"}};
  std::string message;

  SECTION("no CA file: the system's authorities do not know the private CA") {
    test::GitHttpsServer server(backend, ca.issue("git-server", "IP:127.0.0.1"));
    repository.url = server.url("tetris.git");
    CHECK(kind_of([&] { (void)source.resolve(repository, "main"); }, message) ==
          engine::GitErrorKind::AuthenticationFailed);
    CHECK_THAT(message, Contains("TLS certificate of 127.0.0.1 is not trusted") && Contains("no CA file"));
    CHECK(server.forwarded() == 0);
  }
  SECTION("a CA file of another authority") {
    test::GitHttpsServer server(backend, ca.issue("git-server", "IP:127.0.0.1"));
    test::TestCertificateAuthority other(dir.path() / "other-pki", "another-ca");
    repository.url = server.url("tetris.git");
    repository.credentials.ca_file = other.certificate();
    CHECK(kind_of([&] { (void)source.resolve(repository, "main"); }, message) ==
          engine::GitErrorKind::AuthenticationFailed);
    CHECK_THAT(message, Contains("TLS certificate of 127.0.0.1 is not trusted") &&
                            Contains(other.certificate().string()));
    CHECK(server.forwarded() == 0);
  }
  SECTION("the trusted CA, but a certificate for another host name") {
    test::GitHttpsServer server(backend, ca.issue("elsewhere", "DNS:git.elsewhere.example"));
    repository.url = server.url("tetris.git");
    repository.credentials.ca_file = ca.certificate();
    CHECK(kind_of([&] { (void)source.resolve(repository, "main"); }, message) ==
          engine::GitErrorKind::AuthenticationFailed);
    CHECK_THAT(message, Contains("TLS certificate of 127.0.0.1 is not trusted") && Contains("mismatch"));
    CHECK(server.forwarded() == 0);
  }
  CHECK_THAT(message, Contains(repository.url) && !Contains("s3cret-password"));
  CHECK(backend.upload_packs() == 0);
}
