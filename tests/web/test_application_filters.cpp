// The list query (label selector, repo, sync, health, search, fields) and the sync/rollback bodies, as pure functions.
#include <catch2/catch.hpp>

#include "application_filters.hpp"
#include "gitmoor/core/error.hpp"
#include "sync_request_json.hpp"

namespace gitmoor::web {
namespace {

core::Json app(const std::string& name, core::Json labels, const std::string& repo, const std::string& sync,
               const std::string& health) {
  core::Json out{{"metadata", {{"name", name}}},
                 {"spec", {{"source", {{"repoURL", repo}}}}},
                 {"status", {{"sync", {{"status", sync}}}, {"health", {{"status", health}}}}}};
  if (!labels.is_null()) out["metadata"]["labels"] = std::move(labels);
  return out;
}

bool selects(const std::string& selector, const core::Json& labels) {
  return labels_match(parse_label_selector(selector), labels);
}

}  // namespace

TEST_CASE("label selectors follow Kubernetes syntax: =, ==, !=, in, notin, exists, !exists", "[web][filters]") {
  const core::Json labels{{"team", "games"}, {"env", "prod"}, {"example.com/tier", "1"}};
  CHECK(selects("", labels));
  CHECK(selects("team=games", labels));
  CHECK(selects("team==games", labels));
  CHECK_FALSE(selects("team=web", labels));
  CHECK(selects("team!=web", labels));
  CHECK_FALSE(selects("team!=games", labels));
  CHECK(selects("owner!=x", labels));  // a missing label is "not x"
  CHECK(selects("env in (prod, staging)", labels));
  CHECK_FALSE(selects("env in (staging)", labels));
  CHECK(selects("env notin (staging,dev)", labels));
  CHECK_FALSE(selects("env notin (prod)", labels));
  CHECK(selects("team", labels));
  CHECK_FALSE(selects("owner", labels));
  CHECK(selects("!owner", labels));
  CHECK_FALSE(selects("!team", labels));
  CHECK(selects("example.com/tier=1,team in (games),!owner", labels));
  CHECK_FALSE(selects("example.com/tier=1,team=web", labels));
  CHECK_FALSE(selects("team=games", core::Json()));  // an app without labels
  CHECK(selects("!team", core::Json()));
}

TEST_CASE("a bad label selector is refused naming the selector and the problem", "[web][filters]") {
  struct Case {
    const char* selector;
    const char* reason;
  };
  for (const auto& c : {Case{"team=", ""}, Case{"=games", "invalid label key"}, Case{"env in (a", "parenthesis"},
                        Case{"env in a,b", "parentheses"}, Case{"env within (a)", "unknown operator"},
                        Case{"team=ga mes", "invalid label value"}, Case{"a,,b", "empty requirement"},
                        Case{"-bad=x", "invalid label key"}}) {
    INFO(c.selector);
    if (std::string(c.selector) == "team=") {
      CHECK_NOTHROW(parse_label_selector(c.selector));  // an empty value is a valid value
      continue;
    }
    try {
      parse_label_selector(c.selector);
      FAIL("accepted");
    } catch (const core::InvalidInput& e) {
      CHECK_THAT(e.what(), Catch::Contains(c.selector) && Catch::Contains(c.reason));
    }
  }
}

TEST_CASE("the list filter combines selector, repo, sync, health, project, name and search", "[web][filters]") {
  const auto tetris = app("tetris", {{"team", "games"}}, "https://github.com/acme/tetris.git", "Synced", "Healthy");
  const auto pacman = app("pacman", {{"team", "games"}}, "git@github.com:acme/pacman", "OutOfSync", "Degraded");
  const auto shop = app("shop", core::Json(), "https://github.com/acme/shop", "OutOfSync", "Progressing");
  const auto names = [&](const std::string& query) {
    const auto filter = parse_application_filter(query);
    std::vector<std::string> out;
    for (const auto* a : {&tetris, &pacman, &shop}) {
      if (filter.matches(*a)) out.push_back((*a)["metadata"]["name"]);
    }
    return out;
  };
  using V = std::vector<std::string>;
  CHECK(names("") == V{"tetris", "pacman", "shop"});
  CHECK(names("selector=team%3Dgames") == V{"tetris", "pacman"});
  CHECK(names("selector=team+in+(games)") == V{"tetris", "pacman"});  // form-encoded spaces
  CHECK(names("selector=%21team") == V{"shop"});
  CHECK(names("repo=https%3A%2F%2Fgithub.com%2Facme%2Fpacman.git") == V{"pacman"});
  CHECK(names("sync=OutOfSync") == V{"pacman", "shop"});
  CHECK(names("health=Healthy&health=Degraded") == V{"tetris", "pacman"});
  CHECK(names("health=healthy,progressing") == V{"tetris", "shop"});
  CHECK(names("sync=OutOfSync&health=Degraded") == V{"pacman"});
  CHECK(names("search=a") == V{"pacman"});
  CHECK(names("search=tr") == V{"tetris"});
  CHECK(names("name=shop") == V{"shop"});
  CHECK(names("projects=default") == V{"tetris", "pacman", "shop"});
  CHECK(names("projects=other").empty());
}

TEST_CASE("fields keeps only the listed JSON paths, through the items list", "[web][filters]") {
  const core::Json list{{"items", {app("a", {{"x", "1"}}, "r", "Synced", "Healthy"), app("b", core::Json(), "r", "OutOfSync", "Missing")}},
                        {"metadata", {{"resourceVersion", "7"}}}};
  CHECK(keep_fields(list, {}) == list);
  const auto kept = keep_fields(list, {"items.metadata.name", "items.status.sync.status"});
  CHECK(kept == core::Json{{"items",
                            {{{"metadata", {{"name", "a"}}}, {"status", {{"sync", {{"status", "Synced"}}}}}},
                             {{"metadata", {{"name", "b"}}}, {"status", {{"sync", {{"status", "OutOfSync"}}}}}}}}});
  CHECK(keep_fields(list, {"metadata.resourceVersion"}) == core::Json{{"metadata", {{"resourceVersion", "7"}}}});
  CHECK(keep_fields(list, {"items.metadata.labels"})["items"] ==
        core::Json::array({{{"metadata", {{"labels", {{"x", "1"}}}}}}, core::Json::object()}));
  CHECK(keep_fields(list, {"nothing.here"}) == core::Json::object());
  CHECK(parse_fields("fields=items.metadata.name,items.spec&fields=metadata") ==
        std::vector<std::string>{"items.metadata.name", "items.spec", "metadata"});
}

TEST_CASE("sync bodies in Argo CD's shape: strategy, syncOptions.items, resources", "[web][sync-body]") {
  const auto argo = parse_sync_request(R"({"revision":"v2","prune":true,"dryRun":true,
      "strategy":{"apply":{"force":true}},
      "resources":[{"group":"apps","kind":"Deployment","name":"web","namespace":"game"}],
      "syncOptions":{"items":["ServerSideApply=true","CreateNamespace=true"]}})");
  CHECK(argo.revision == "v2");
  CHECK(argo.prune);
  CHECK(argo.dry_run);
  CHECK(argo.force);
  CHECK(argo.resources == std::vector<core::ResourceKey>{{"apps", "Deployment", "game", "web"}});
  CHECK(argo.sync_options == std::vector<std::string>{"ServerSideApply=true", "CreateNamespace=true"});

  CHECK(argo.apply_only);  // Argo CD's apply strategy: no hooks
  const auto hook = parse_sync_request(R"({"strategy":{"hook":{"force":true}}})");
  CHECK(hook.force);
  CHECK_FALSE(hook.apply_only);
  CHECK_FALSE(parse_sync_request(R"({"strategy":{"hook":{}}})").force);
  CHECK(parse_sync_request(R"({"force":true})").force);  // the earlier flat form
  CHECK(parse_sync_request(R"({"syncOptions":["Replace=true"]})").sync_options == std::vector<std::string>{"Replace=true"});
  const auto defaults = parse_sync_request("");
  CHECK_FALSE(defaults.force);
  CHECK(defaults.sync_options.empty());

  struct Case {
    const char* body;
    const char* names;
  };
  for (const auto& c : {Case{R"({"strategy":"apply"})", "strategy"}, Case{R"({"strategy":{"replace":{}}})", "strategy.replace"},
                        Case{R"({"strategy":{"apply":{"force":"yes"}}})", "strategy.apply: force"},
                        Case{R"({"syncOptions":{"items":["Prune"]}})", "syncOptions.items[0]"},
                        Case{R"({"syncOptions":{"items":[1]}})", "syncOptions.items[0]"},
                        Case{R"({"syncOptions":"Replace=true"})", "syncOptions"}}) {
    INFO(c.body);
    try {
      (void)parse_sync_request(c.body);
      FAIL("accepted");
    } catch (const core::InvalidInput& e) {
      CHECK_THAT(e.what(), Catch::Contains(c.names));
    }
  }
}

TEST_CASE("rollback bodies: id as a number or a numeric string, prune, dryRun", "[web][sync-body]") {
  const auto numeric = parse_rollback_request(R"({"id":3,"prune":true,"dryRun":true})");
  CHECK(numeric.id == 3);
  CHECK(numeric.prune);
  CHECK(numeric.dry_run);
  CHECK(parse_rollback_request(R"({"id":"12"})").id == 12);  // grpc-gateway writes int64 as a string
  CHECK(parse_rollback_request("").id == 0);
  for (const char* body : {R"({"id":"x"})", R"({"id":1.5})", R"({"id":true})", R"({"prune":"yes"})", "[]"}) {
    INFO(body);
    CHECK_THROWS_AS(parse_rollback_request(body), core::InvalidInput);
  }
}

}  // namespace gitmoor::web
