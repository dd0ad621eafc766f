// 1,000 Applications with 100 status changes per second (issue 14 acceptance): the real HTTP server (embedded UI,
// SSE hub, built-in auth) in this process over LoadOperations; the scenario records how soon the list is usable and
// how responsive it stays (tests/ui/scenarios/load.mjs). bench/ui_bench.cpp runs the same with more samples.
#include <catch2/catch.hpp>

#include <iostream>

#include "load_world.hpp"
#include "ui_runner.hpp"

using namespace gitmoor::test;

TEST_CASE("1,000 applications with 100 status changes per second: the list is usable within 1 s", "[ui]") {
  LoadServer server(1000, 100);
  UiFrontend ui(server.url());
  const auto before = server.changes();
  auto run = run_scenarios({"load"}, {{"GITMOOR_UI_URL", ui.url()}, {"GITMOOR_UI_PASSWORD", server.password()}});
  std::cout << "---- scenario load (" << run.outcome << ")\n" << run.output << std::flush;
  INFO("scenario load: " << run.outcome << "\n" << run.output);
  REQUIRE(run.exit_code == 0);
  // The changes streamed all along (at 100/s, the scenario takes several seconds).
  CHECK(server.changes() - before > 300);
}
