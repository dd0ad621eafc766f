// The web UI in a real browser (issue 14 acceptance) against the real thing: the sandbox cluster, a git daemon with
// examples/tetris, and `gitmoor serve --auth builtin` serving the embedded UI. Each TEST_CASE sets the world up once
// and runs a few scenarios (tests/ui/scenarios/*.mjs, Node + playwright-core + Debian's chromium); the scenarios
// print their timings and write screenshots (light and dark) into <build>/ui-screenshots.
#include <catch2/catch.hpp>

#include "tetris_world.hpp"

using namespace gitmoor::test;

TEST_CASE("login, the list, the tree, logs, and no Secret value on any page or response", "[ui]") {
  TetrisWorld world;
  // login: redirect to /login, wrong password, login, tile Synced/Healthy, summary, table view
  // tree: Deployment → ReplicaSet → 2 Pods, StatefulSet → Pod, Services, HPA, health; logs and follow
  // secret: the postgres password in no page text, DOM or response body
  world.run({"login", "tree", "secret"});
}

TEST_CASE("the Content-Security-Policy holds in the browser on every view", "[ui]") {
  TetrisWorld world;
  world.run({"csp"});
}

TEST_CASE("drift shows OutOfSync live, the diff and a sync with prune, then commits roll the Pods and HTML stays text",
          "[ui]") {
  TetrisWorld world;
  // drift: kubectl scale → tile and node OutOfSync (timed), the Diff shows replicas, Sync with prune → Synced
  // commits: an image-tag commit → a history row and the Pods rolled; an <img onerror> commit message stays text
  world.run({"drift", "commits"});
}
