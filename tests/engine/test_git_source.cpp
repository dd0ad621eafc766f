// The Git source over file:// — revisions, change detection, force-push, checkouts, damaged mirrors.
#include <catch2/catch.hpp>
#include <fstream>

#include "git_fixtures.hpp"
#include "gitmoor/engine/git_source.hpp"

using namespace gitmoor;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

struct SourceFixture {
  test::ScratchDir dir;
  test::GitRemote remote{dir.path() / "served", "app.git"};
  engine::GitSource source{{.cache_dir = dir.path() / "cache"}};
  engine::Repository repository{.url = remote.file_url(), .credentials = {}};
};

std::string read(const fs::path& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), {}};
}

}  // namespace

TEST_CASE("branch, tag, annotated tag, HEAD, full and short SHA resolve to their commits", "[engine][git]") {
  SourceFixture f;
  f.remote.write("app/cm.yaml", "a: 1\n");
  const std::string first = f.remote.commit("first");
  f.remote.tag("v1", false);
  f.remote.tag("v1-annotated", true);
  f.remote.write("app/cm.yaml", "a: 2\n");
  const std::string second = f.remote.commit("second");
  f.remote.branch("release");

  const auto result =
      f.source.poll(f.repository, {"main", "HEAD", "v1", "v1-annotated", first, first.substr(0, 8), "release",
                                   "refs/heads/main", "no-such-branch"});
  CHECK(result.fetched);
  CHECK(result.revisions.at("main").value() == second);
  CHECK(result.revisions.at("HEAD").value() == second);
  CHECK(result.revisions.at("refs/heads/main").value() == second);
  CHECK(result.revisions.at("release").value() == second);
  CHECK(result.revisions.at("v1").value() == first);
  CHECK(result.revisions.at("v1-annotated").value() == first);
  CHECK(result.revisions.at(first).value() == first);
  CHECK(result.revisions.at(first.substr(0, 8)).value() == first);
  REQUIRE_FALSE(result.revisions.at("no-such-branch").ok());
  try {
    (void)result.revisions.at("no-such-branch").value();
    FAIL("expected RevisionNotFound");
  } catch (const engine::GitError& e) {
    CHECK(e.kind() == engine::GitErrorKind::RevisionNotFound);
    CHECK_THAT(e.what(), Contains("no-such-branch") && Contains(f.remote.bare().string()));
  }
  CHECK(f.source.counters().remote_checks == 1);
  CHECK(f.source.counters().fetches == 1);
}

TEST_CASE("an unchanged remote costs one remote check and no fetch, a new commit is detected and fetched",
          "[engine][git]") {
  SourceFixture f;
  f.remote.write("app/cm.yaml", "a: 1\n");
  const std::string first = f.remote.commit("first");
  CHECK(f.source.resolve(f.repository, "main") == first);
  CHECK(f.source.counters().fetches == 1);
  CHECK(f.source.counters().clones == 1);

  for (int i = 0; i < 3; ++i) CHECK(f.source.resolve(f.repository, "main") == first);
  CHECK(f.source.counters().remote_checks == 4);
  CHECK(f.source.counters().fetches == 1);

  f.remote.write("app/cm.yaml", "a: 2\n");
  const std::string second = f.remote.commit("second");
  CHECK(f.source.resolve(f.repository, "main") == second);
  CHECK(f.source.counters().fetches == 2);
  // An old SHA that the mirror already has needs no fetch.
  CHECK(f.source.resolve(f.repository, first) == first);
  CHECK(f.source.counters().fetches == 2);
}

TEST_CASE("a force-pushed branch follows the rewritten history", "[engine][git]") {
  SourceFixture f;
  f.remote.commit("base");
  const std::string doomed = f.remote.commit("doomed");
  CHECK(f.source.resolve(f.repository, "main") == doomed);
  const std::string rewritten = f.remote.rewrite_last_commit("rewritten");
  REQUIRE(rewritten != doomed);
  CHECK(f.source.resolve(f.repository, "main") == rewritten);
  auto checkout = f.source.checkout(f.repository, rewritten);
  CHECK(read(checkout->root() / "rewritten.txt") == "rewritten");
}

TEST_CASE("a commit's tree is checked out once, read-only, shared, and removed when unused", "[engine][git]") {
  SourceFixture f;
  f.remote.write("helm/a/values.yaml", "x: 1\n");
  f.remote.write("scripts/run.sh", "#!/bin/sh\n");
  fs::permissions(f.remote.work() / "scripts/run.sh", fs::perms::owner_exec, fs::perm_options::add);
  const std::string commit = f.remote.commit("tree");
  REQUIRE(f.source.resolve(f.repository, "main") == commit);

  auto a = f.source.checkout(f.repository, commit);
  auto b = f.source.checkout(f.repository, commit);
  CHECK(a == b);
  CHECK(f.source.counters().checkouts == 1);
  CHECK(read(a->root() / "helm/a/values.yaml") == "x: 1\n");
  const auto perms = fs::status(a->root() / "helm/a/values.yaml").permissions();
  CHECK((perms & fs::perms::owner_write) == fs::perms::none);
  CHECK((fs::status(a->root() / "scripts/run.sh").permissions() & fs::perms::owner_exec) != fs::perms::none);

  const fs::path root = a->root();
  a.reset();
  CHECK(fs::exists(root));
  b.reset();
  CHECK_FALSE(fs::exists(root));
  auto again = f.source.checkout(f.repository, commit);
  CHECK(f.source.counters().checkouts == 2);
  CHECK(read(again->root() / "helm/a/values.yaml") == "x: 1\n");
}

TEST_CASE("a damaged mirror is cloned again", "[engine][git]") {
  SourceFixture f;
  const std::string first = f.remote.commit("first");
  REQUIRE(f.source.resolve(f.repository, "main") == first);
  const fs::path mirror = f.source.mirror_path(f.repository.url);

  std::size_t expected_clones = 1;
  SECTION("unreadable repository files") {
    expected_clones = 2;
    std::ofstream(mirror / "HEAD", std::ios::trunc) << "garbage\n";
    fs::remove_all(mirror / "objects");
  }
  SECTION("objects lost while refs still point at them") {
    fs::remove_all(mirror / "objects");
    fs::create_directories(mirror / "objects/pack");
    fs::create_directories(mirror / "objects/info");
    // The refs still name lost objects: the fetch wants what the object database lacks and so heals it.
  }
  SECTION("a pack file overwritten with garbage, its index intact") {
    expected_clones = 2;
    for (const auto& entry : fs::directory_iterator(mirror / "objects/pack")) {
      if (entry.path().extension() != ".pack") continue;
      const auto size = fs::file_size(entry.path());
      fs::permissions(entry.path(), fs::perms::owner_write, fs::perm_options::add);
      std::fstream pack(entry.path(), std::ios::in | std::ios::out | std::ios::binary);
      pack.seekp(12);
      pack << std::string(static_cast<std::size_t>(size) - 32, 'x');
    }
    // Nothing moved remotely: the damage shows only when the commit is read.
    CHECK(f.source.resolve(f.repository, first) == first);
    (void)f.source.checkout(f.repository, first);
  }
  const std::string second = f.remote.commit("second");
  CHECK(f.source.resolve(f.repository, "main") == second);
  auto checkout = f.source.checkout(f.repository, second);
  CHECK(fs::exists(checkout->root()));
  CHECK(f.source.counters().clones == expected_clones);
}

TEST_CASE("a repository that does not exist is reported as such", "[engine][git]") {
  SourceFixture f;
  engine::Repository missing{.url = "file://" + (f.dir.path() / "nowhere.git").string(), .credentials = {}};
  try {
    (void)f.source.resolve(missing, "main");
    FAIL("expected a GitError");
  } catch (const engine::GitError& e) {
    CHECK(e.kind() == engine::GitErrorKind::RepositoryNotFound);
    CHECK_THAT(e.what(), Contains("nowhere.git"));
  }
}

TEST_CASE("credentials in a URL never appear in messages", "[engine][git]") {
  CHECK(engine::redact_url("https://user:s3cret@example.com/a.git") == "https://***@example.com/a.git");
  CHECK(engine::redact_url("https://ghp_token123@example.com/a.git") == "https://***@example.com/a.git");
  CHECK(engine::redact_url("ssh://git@example.com/a.git") == "ssh://git@example.com/a.git");
  CHECK(engine::redact_url("git@example.com:a.git") == "git@example.com:a.git");
  CHECK(engine::redact_url("https://example.com/a@b.git") == "https://example.com/a@b.git");
}
