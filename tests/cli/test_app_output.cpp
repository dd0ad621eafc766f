// The CLI's output: aligned tables, ages, colours, and Argo CD's application views (checked against snapshots in
// tests/testdata/cli; GITMOOR_UPDATE_SNAPSHOTS=1 rewrites them).
#include <catch2/catch.hpp>

#include <fstream>

#include "gitmoor/core/object.hpp"
#include "output/age.hpp"
#include "output/application_view.hpp"
#include "output/color.hpp"
#include "output/table.hpp"
#include "snapshot.hpp"
#include "test_paths.hpp"

using namespace gitmoor::cli;
using gitmoor::core::Json;
using gitmoor::test::snapshot;

namespace {

Json fixture(const std::string& name) {
  std::ifstream in(gitmoor::test::testdata_dir() / "cli" / name);
  return Json::parse(in);
}

const Palette plain(false);

}  // namespace

TEST_CASE("tables align columns with three spaces and leave no trailing blanks", "[cli]") {
  Table table({"NAME", "STATUS", "MESSAGE"});
  table.add({"tetris", "Synced", ""});
  table.add({"a", "OutOfSync", "drift"});
  CHECK(table.str() ==
        "NAME     STATUS      MESSAGE\n"
        "tetris   Synced\n"
        "a        OutOfSync   drift\n");
}

TEST_CASE("table widths ignore colour sequences and count UTF-8 characters once", "[cli]") {
  const Palette colour(true);
  CHECK(colour.status("Synced") == "\033[32mSynced\033[0m");
  CHECK(display_width(colour.status("Degraded")) == 8);
  CHECK(display_width("└─Pod/x") == 7);
  Table table({"KIND/NAME", "HEALTH"});
  table.add({"└─Pod/x", colour.status("Healthy")});
  table.add({"Deployment/y", "Healthy"});
  const auto text = table.str();
  CHECK_THAT(text, Catch::Contains("└─Pod/x        \033[32mHealthy"));
  CHECK_THAT(text, Catch::Contains("Deployment/y   Healthy"));
  CHECK(Palette(false).status("Synced") == "Synced");
}

TEST_CASE("ages are in the largest whole unit like kubectl", "[cli]") {
  using std::chrono::seconds;
  CHECK(human_age(seconds(0)) == "0s");
  CHECK(human_age(seconds(5)) == "5s");
  CHECK(human_age(seconds(59)) == "59s");
  CHECK(human_age(seconds(180)) == "3m");
  CHECK(human_age(seconds(2 * 3600 + 59)) == "2h");
  CHECK(human_age(seconds(4 * 86400 + 3600)) == "4d");
  CHECK(human_age(seconds(-3)) == "0s");
  const auto t = parse_timestamp("2026-12-02T04:15:01Z");
  REQUIRE(t);
  CHECK(age_since("2026-12-02T04:12:01Z", *t) == "3m");
  CHECK(age_since("2026-12-02T06:15:01.123+02:00", *t) == "0s");  // the same instant
  CHECK(age_since("yesterday", *t) == "<unknown>");
  CHECK(elapsed_between("2026-12-02T04:00:00Z", "2026-12-02T04:01:12Z") == "1m12s");
  CHECK(elapsed_between("2026-12-02T04:00:00Z", "") == "");
}

TEST_CASE("app list shows Argo CD's columns, sync policy and conditions", "[cli]") {
  auto app = fixture("app_tetris.json");
  CHECK(sync_policy_label(app) == "Auto-Prune");
  CHECK(conditions_label(app) == "SyncError");
  auto manual = app;
  manual["spec"].erase("syncPolicy");
  manual["metadata"]["name"] = "manual";
  manual["status"]["conditions"] = Json::array();
  manual["status"]["sync"]["status"] = "Synced";
  manual["status"]["health"] = {{"status", "Healthy"}};
  CHECK(sync_policy_label(manual) == "Manual");
  CHECK(conditions_label(manual) == "<none>");
  auto automated = manual;
  automated["spec"]["syncPolicy"] = {{"automated", {{"selfHeal", true}}}};
  CHECK(sync_policy_label(automated) == "Auto");
  const auto text = app_list_table({app, manual}, plain);
  CHECK(text == snapshot("cli/app_list.txt", text));
}

TEST_CASE("app get prints the summary block and the resource table", "[cli]") {
  const auto app = fixture("app_tetris.json");
  const auto text = app_summary(app, plain) + "\n" + resource_table(app, plain);
  CHECK_THAT(text, Catch::Contains("Sync Status:        OutOfSync from main (0123456)"));
  CHECK_THAT(text, Catch::Contains("Sync Policy:        Automated (Prune)"));
  CHECK(text == snapshot("cli/app_get.txt", text));
}

TEST_CASE("app get -o tree puts owned children under their owners", "[cli]") {
  const auto text = resource_tree(fixture("app_tetris.json"), fixture("tree_tetris.json"), plain);
  CHECK_THAT(text, Catch::Contains("└─ReplicaSet/game-backend-5d9f"));
  CHECK_THAT(text, Catch::Contains("  ├─Pod/game-backend-5d9f-abcde"));
  CHECK_THAT(text, Catch::Contains("  └─Pod/game-backend-5d9f-fghij"));
  CHECK(text == snapshot("cli/app_tree.txt", text));
}

TEST_CASE("app sync prints the per-resource result and app history the deployments", "[cli]") {
  const auto app = fixture("app_tetris.json");
  const auto text = operation_summary(app, plain) + "\n" + sync_result_table(app, plain) + "\n" + history_table(app);
  CHECK_THAT(text, Catch::Contains("PreSync"));
  CHECK(text == snapshot("cli/app_sync.txt", text));
}

TEST_CASE("app diff prints a unified diff per resource under Argo CD's header", "[cli]") {
  const Json live = {{"apiVersion", "apps/v1"}, {"kind", "Deployment"}, {"spec", {{"replicas", 5}}}};
  Json desired = live;
  desired["spec"]["replicas"] = 2;
  const Json item = {{"group", "apps"},
                     {"kind", "Deployment"},
                     {"namespace", "tetris"},
                     {"name", "game-frontend"},
                     {"normalizedLiveState", live.dump()},
                     {"predictedLiveState", desired.dump()},
                     {"targetState", desired.dump()}};
  const auto text = managed_resource_diff(item);
  CHECK_THAT(text, Catch::StartsWith("\n===== apps/Deployment tetris/game-frontend ======\n"));
  CHECK_THAT(text, Catch::Contains("-  replicas: 5"));
  CHECK_THAT(text, Catch::Contains("+  replicas: 2"));
  CHECK(text == snapshot("cli/app_diff.txt", text));

  auto same = item;
  same["predictedLiveState"] = live.dump();
  CHECK(managed_resource_diff(same).empty());

  // A resource to be created (no live state) diffs against nothing; the target state stands in for a missing
  // predicted state.
  auto missing = item;
  missing["normalizedLiveState"] = "null";
  missing.erase("predictedLiveState");
  CHECK_THAT(managed_resource_diff(missing), Catch::Contains("+kind: Deployment"));
}
