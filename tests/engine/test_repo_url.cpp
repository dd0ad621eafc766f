// Repository URLs normalized for the webhook: every way GitHub (and users) write a repository maps to one form.
#include <catch2/catch.hpp>

#include "gitmoor/engine/repo_url.hpp"

using gitmoor::engine::normalize_repo_url;
using gitmoor::engine::same_repository;

TEST_CASE("repo url: https, http, ssh, scp-like and git:// spellings of one GitHub repository are the same",
          "[repo_url]") {
  const std::string canonical = "github.com/org/repo";
  for (const char* url : {
           "https://github.com/org/repo",
           "https://github.com/Org/Repo",
           "https://github.com/org/repo.git",
           "https://github.com/org/repo/",
           "https://github.com/org/repo.git/",
           "HTTPS://GitHub.COM/Org/Repo.GIT",
           "http://github.com/org/repo",
           "https://github.com:443/org/repo",
           "https://x-access-token:ghp_secret@github.com/org/repo.git",
           "ssh://git@github.com/org/repo.git",
           "ssh://git@github.com:22/org/repo",
           "git@github.com:org/repo.git",
           "git@github.com:Org/Repo",
           "github.com:org/repo.git",
           "git://github.com/org/repo.git",
           "git://github.com:9418/org/repo",
           "  https://github.com/org/repo\n",
           "https://github.com/org/repo?x=1#readme",
       }) {
    INFO(url);
    CHECK(normalize_repo_url(url) == canonical);
    CHECK(same_repository(url, "https://github.com/org/repo"));
  }
}

TEST_CASE("repo url: a non-default port, another host, path or repository stays different", "[repo_url]") {
  CHECK(normalize_repo_url("https://git.example.com:8443/org/repo.git") == "git.example.com:8443/org/repo");
  CHECK(normalize_repo_url("git://127.0.0.1:34567/deploy") == "127.0.0.1:34567/deploy");
  CHECK(normalize_repo_url("ssh://git@[::1]:2222/org/repo") == "[::1]:2222/org/repo");
  CHECK_FALSE(same_repository("https://github.com/org/repo", "https://github.com/org/repo2"));
  CHECK_FALSE(same_repository("https://github.com/org/repo", "https://gitlab.com/org/repo"));
  CHECK_FALSE(same_repository("https://github.com/org/repo", "https://github.com/other/repo"));
  CHECK_FALSE(same_repository("https://git.example.com:8443/org/repo", "https://git.example.com/org/repo"));
  CHECK_FALSE(same_repository("https://github.com/org/repo", "https://github.com/org/repo/sub"));
  CHECK_FALSE(same_repository("", ""));
  CHECK_FALSE(same_repository("https://github.com/org/repo", ""));
}

TEST_CASE("repo url: local repositories keep their case and their .git folder name", "[repo_url]") {
  CHECK(normalize_repo_url("file:///srv/Git/deploy/") == "file:///srv/Git/deploy");
  CHECK(normalize_repo_url("/srv/Git/deploy") == "file:///srv/Git/deploy");
  CHECK(same_repository("/srv/git/deploy", "file:///srv/git/deploy"));
  CHECK_FALSE(same_repository("file:///srv/git/Deploy", "file:///srv/git/deploy"));
  CHECK_FALSE(same_repository("file:///srv/git/deploy.git", "file:///srv/git/deploy"));
}
