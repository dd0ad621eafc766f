#include <catch2/catch.hpp>

#include "gitmoor/renderer/render_cache.hpp"
#include "render_fixtures.hpp"

using namespace gitmoor;

TEST_CASE("an unchanged (commit, path, parameters) key never runs helm again", "[renderer][cache]") {
  renderer::RenderCache cache;
  renderer::RenderRequest request{.repo_root = test::source_dir() / "examples/tetris",
                                  .app_path = "helm/tetris",
                                  .commit = "0123456789abcdef0123456789abcdef01234567",
                                  .helm = {.release_name = "tetris", .ns = "game"}};
  const auto runs_before = renderer::tool_runs();
  const auto first = cache.render(request);
  CHECK(renderer::tool_runs() == runs_before + 1);
  for (int i = 0; i < 5; ++i) CHECK(cache.render(request) == first);
  CHECK(renderer::tool_runs() == runs_before + 1);
  CHECK(cache.stats().hits == 5);

  SECTION("a new commit, another parameter or another namespace renders again") {
    auto other = request;
    other.commit = "fedcba9876543210fedcba9876543210fedcba98";
    (void)cache.render(other);
    other = request;
    other.helm.parameters = {{.name = "image.tag", .value = "abc123"}};
    const auto with_tag = cache.render(other);
    other = request;
    other.helm.ns = "staging";
    (void)cache.render(other);
    CHECK(renderer::tool_runs() == runs_before + 4);
    CHECK(cache.size() == 4);
    bool tagged = false;
    for (const auto& o : with_tag->objects) {
      if (o.name() == "game-backend" && o.kind() == "Deployment") {
        tagged = o.json()["spec"]["template"]["spec"]["containers"][0]["image"] ==
                 "docker.io/tetris/game-backend:abc123";
      }
    }
    CHECK(tagged);
  }
}

TEST_CASE("a local tree without a commit is rendered every time", "[renderer][cache]") {
  renderer::RenderCache cache;
  renderer::RenderRequest request{.repo_root = test::render_fixtures(), .app_path = "directory/plain"};
  (void)cache.render(request);
  (void)cache.render(request);
  CHECK(cache.stats().misses == 2);
  CHECK(cache.size() == 0);
}

TEST_CASE("the cache keeps at most max_entries, least recently used out first", "[renderer][cache]") {
  renderer::RenderCache cache({.max_entries = 2});
  renderer::RenderRequest request{.repo_root = test::render_fixtures(), .app_path = "directory/plain"};
  for (const char* commit : {"a", "b", "a", "c"}) {
    request.commit = commit;
    (void)cache.render(request);
  }
  CHECK(cache.size() == 2);
  request.commit = "a";
  (void)cache.render(request);
  CHECK(cache.stats().hits == 2);  // the second "a" and this one: "b" went out, not "a"
}
