// The Git source over ssh:// against a real OpenSSH server (sshd -i per connection, git-upload-pack): key
// authentication, known_hosts checking, and timeouts when the server stalls.
#include <catch2/catch.hpp>

#include <fstream>

#include "git_fixtures.hpp"
#include "gitmoor/engine/git_source.hpp"

using namespace gitmoor;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

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

engine::Repository over_ssh(const test::GitSshServer& server, const std::string& repository) {
  return {.url = server.url(repository),
          .credentials = {.ssh_private_key = server.client_key(), .known_hosts = server.known_hosts()}};
}

// A served repository with one commit, sshd in front of it, a Git source with its own cache, and the repository as
// that source reaches it (the server's client key and known_hosts).
struct SshRepository {
  test::ScratchDir dir;
  test::GitRemote remote{dir.path() / "served", "tetris.git"};
  std::string first = remote.commit("first");  // members start in this order: committed before sshd serves
  test::GitSshServer server{dir.path() / "served", dir.path() / "sshd"};
  engine::GitSource source{{.cache_dir = dir.path() / "cache"}};
  engine::Repository repository = over_ssh(server, "tetris.git");
};

}  // namespace

TEST_CASE("ssh://: clone with a private key and known_hosts, detect and fetch a new commit, resolve tags",
          "[engine][git][ssh]") {
  test::ScratchDir dir;
  test::GitRemote remote(dir.path() / "served", "tetris.git");
  test::GitSshServer server(dir.path() / "served", dir.path() / "sshd");
  engine::GitSource source({.cache_dir = dir.path() / "cache"});
  const auto repository = over_ssh(server, "tetris.git");

  remote.write("helm/tetris/values.yaml", "image:\n  tag: one\n");
  const std::string first = remote.commit("first");
  remote.tag("v1.0.0", true);
  const auto poll = source.poll(repository, {"main", "v1.0.0", first.substr(0, 8)});
  for (const auto& [revision, resolution] : poll.revisions) {
    INFO(revision << "\nsshd log:\n" << server.log());
    CHECK(resolution.value() == first);
  }
  CHECK(poll.fetched);
  CHECK_THAT(server.log(), Contains("Accepted publickey"));
  auto checkout = source.checkout(repository, first);
  CHECK(fs::exists(checkout->root() / "helm/tetris/values.yaml"));

  const auto connections = server.connections();
  CHECK_FALSE(source.poll(repository, {"main"}).fetched);
  CHECK(server.connections() == connections + 1);  // the remote check only

  remote.write("helm/tetris/values.yaml", "image:\n  tag: two\n");
  const std::string second = remote.commit("CI: bump image.tag");
  CHECK(source.resolve(repository, "main") == second);
  CHECK(source.counters().fetches == 2);
}

TEST_CASE("ssh://: a host key missing from known_hosts or different from it is refused, naming the host",
          "[engine][git][ssh]") {
  SshRepository fixture;
  auto& [dir, remote, first, server, source, repository] = fixture;
  std::string message;

  SECTION("the host is not in known_hosts") {
    repository.credentials.known_hosts = dir.path() / "empty_known_hosts";
    std::ofstream(repository.credentials.known_hosts) << "# no hosts\n";
    CHECK(kind_of([&] { (void)source.resolve(repository, "main"); }, message) ==
          engine::GitErrorKind::AuthenticationFailed);
    CHECK_THAT(message, Contains("the SSH host 127.0.0.1") && Contains("is not in") &&
                            Contains(repository.credentials.known_hosts.string()));
  }
  SECTION("known_hosts holds another key for this host and port (a man in the middle)") {
    test::generate_ssh_key(dir.path() / "impostor");
    repository.credentials.known_hosts = dir.path() / "wrong_known_hosts";
    test::write_known_hosts(repository.credentials.known_hosts, server.port(), dir.path() / "impostor.pub");
    CHECK(kind_of([&] { (void)source.resolve(repository, "main"); }, message) ==
          engine::GitErrorKind::AuthenticationFailed);
    CHECK_THAT(message, Contains("host key of 127.0.0.1 does not match known_hosts"));
  }
  CHECK_THAT(message, Contains(repository.url));
  // Refused before authenticating: the server never saw a key.
  CHECK_THAT(server.log(), !Contains("Accepted publickey") && !Contains("Failed publickey"));
  CHECK(source.counters().fetches == 0);
}

TEST_CASE("ssh://: a client key the server does not authorize is an authentication failure",
          "[engine][git][ssh]") {
  SshRepository fixture;
  auto& [dir, remote, first, server, source, repository] = fixture;
  test::generate_ssh_key(dir.path() / "stranger");
  repository.credentials.ssh_private_key = dir.path() / "stranger";

  std::string message;
  CHECK(kind_of([&] { (void)source.resolve(repository, "main"); }, message) ==
        engine::GitErrorKind::AuthenticationFailed);
  CHECK_THAT(message, Contains(repository.url) && Contains("rejected the configured credentials"));
  CHECK_THAT(message, !Contains("stranger"));  // the key's location is configuration, not an answer from the host
  CHECK_THAT(server.log(), !Contains("Accepted publickey"));
}

TEST_CASE("ssh://: a passphrase-protected key works with its passphrase and fails without leaking it",
          "[engine][git][ssh]") {
  test::ScratchDir dir;
  test::GitRemote remote(dir.path() / "served", "tetris.git");
  const std::string first = remote.commit("first");
  test::GitSshServer server(dir.path() / "served", dir.path() / "sshd");
  const std::string passphrase = "correct-horse-battery";
  test::generate_ssh_key(dir.path() / "deploy_key", passphrase);
  server.authorize(dir.path() / "deploy_key.pub");
  engine::GitSource source({.cache_dir = dir.path() / "cache"});
  auto repository = over_ssh(server, "tetris.git");
  repository.credentials.ssh_private_key = dir.path() / "deploy_key";

  SECTION("the right passphrase") {
    repository.credentials.ssh_passphrase = passphrase;
    INFO(server.log());
    CHECK(source.resolve(repository, "main") == first);
  }
  SECTION("a wrong passphrase") {
    repository.credentials.ssh_passphrase = "wrong-" + passphrase;
    std::string message;
    CHECK(kind_of([&] { (void)source.resolve(repository, "main"); }, message) ==
          engine::GitErrorKind::AuthenticationFailed);
    CHECK_THAT(message, Contains(repository.url) && Contains("SSH private key cannot be used") &&
                            Contains("passphrase") && !Contains(passphrase));
  }
}

TEST_CASE("ssh://: a server that stalls before or after the SSH handshake fails within the io timeout",
          "[engine][git][ssh][network]") {
  test::ScratchDir dir;
  test::GitRemote remote(dir.path() / "served", "tetris.git");
  (void)remote.commit("first");
  engine::GitSource source({.cache_dir = dir.path() / "cache",
                            .connect_timeout = std::chrono::milliseconds(3000),
                            // Long enough for sshd to start and log in on a loaded machine, short next to the deadline.
                            .io_timeout = std::chrono::milliseconds(3000),
                            .operation_timeout = std::chrono::seconds(60)});
  std::string message;
  const auto start = std::chrono::steady_clock::now();

  SECTION("accepted by the kernel, never a banner") {
    test::SilentServer silent;
    test::generate_ssh_key(dir.path() / "key");
    const engine::Repository repository{
        .url = "ssh://git@127.0.0.1:" + std::to_string(silent.port()) + "/tetris.git",
        .credentials = {.ssh_private_key = dir.path() / "key", .known_hosts = dir.path() / "known_hosts"}};
    CHECK(kind_of([&] { (void)source.resolve(repository, "main"); }, message) == engine::GitErrorKind::Timeout);
    CHECK_THAT(message, Contains(repository.url));
  }
  SECTION("logged in, then the command never answers") {
    test::GitSshServer stalling(dir.path() / "served", dir.path() / "sshd", {.stall_after_login = true});
    const auto repository = over_ssh(stalling, "tetris.git");
    CHECK(kind_of([&] { (void)source.resolve(repository, "main"); }, message) == engine::GitErrorKind::Timeout);
    CHECK_THAT(message, Contains(repository.url));
    CHECK_THAT(stalling.log(), Contains("Accepted publickey"));
  }
  CHECK_THAT(message, Contains("no data from 127.0.0.1:") && Contains("within 3000 ms"));
  // Not a timing assertion: a bound showing the io timeout, not the 60 s operation deadline, ended the wait.
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(45));
}
