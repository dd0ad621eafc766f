// Which Applications a Git push refreshes (engine/git_push.hpp): repository, branch, default branch and HEAD, tags,
// SHA-pinned apps, paths, manifest-generate-paths, and pushes without file lists.
#include <catch2/catch.hpp>

#include "gitmoor/engine/git_push.hpp"

using namespace gitmoor;
using core::Json;
using engine::GitPush;

namespace {

engine::Application app(const std::string& path, const std::string& revision,
                        const std::string& repo = "git@github.com:org/deploy.git", Json annotations = nullptr,
                        Json helm = nullptr) {
  Json source{{"repoURL", repo}, {"path", path}};
  if (!revision.empty()) source["targetRevision"] = revision;
  if (!helm.is_null()) source["helm"] = helm;
  Json metadata{{"name", "app"}};
  if (!annotations.is_null()) metadata["annotations"] = annotations;
  const Json object{{"apiVersion", "gitmoor.dev/v1alpha1"},
                    {"kind", "Application"},
                    {"metadata", metadata},
                    {"spec",
                     {{"source", source},
                      {"destination", {{"server", "https://kubernetes.default.svc"}, {"namespace", "x"}}}}}};
  return engine::parse_application(object, engine::ApplicationOrigin::File, "test");
}

GitPush push(const std::string& ref, std::optional<std::vector<std::string>> files = std::nullopt) {
  GitPush out;
  out.repository_urls = {"https://github.com/Org/Deploy", "https://github.com/Org/Deploy.git",
                         "git@github.com:Org/Deploy.git", "git://github.com/Org/Deploy.git"};
  out.ref = ref;
  out.default_branch = "main";
  out.changed_files = std::move(files);
  return out;
}

}  // namespace

TEST_CASE("git push: a branch push reaches apps on that branch, HEAD only for the default branch", "[git_push]") {
  const auto main_push = push("refs/heads/main");
  CHECK(engine::push_refreshes(main_push, app("a", "main")));
  CHECK(engine::push_refreshes(main_push, app("a", "refs/heads/main")));
  CHECK(engine::push_refreshes(main_push, app("a", "HEAD")));
  CHECK(engine::push_refreshes(main_push, app("a", "")));
  CHECK_FALSE(engine::push_refreshes(main_push, app("a", "develop")));
  CHECK_FALSE(engine::push_refreshes(main_push, app("a", "refs/tags/main")));

  const auto develop_push = push("refs/heads/develop");
  CHECK(engine::push_refreshes(develop_push, app("a", "develop")));
  CHECK_FALSE(engine::push_refreshes(develop_push, app("a", "HEAD")));
  CHECK_FALSE(engine::push_refreshes(develop_push, app("a", "")));
  CHECK_FALSE(engine::push_refreshes(develop_push, app("a", "main")));

  auto no_default = push("refs/heads/main");
  no_default.default_branch.clear();
  CHECK_FALSE(engine::push_refreshes(no_default, app("a", "HEAD")));
  CHECK(engine::push_refreshes(no_default, app("a", "main")));
}

TEST_CASE("git push: a tag push reaches apps on that tag, never apps pinned to a commit", "[git_push]") {
  const auto tag_push = push("refs/tags/v1.2.0");
  CHECK(engine::push_refreshes(tag_push, app("a", "v1.2.0")));
  CHECK(engine::push_refreshes(tag_push, app("a", "refs/tags/v1.2.0")));
  CHECK_FALSE(engine::push_refreshes(tag_push, app("a", "v1.1.0")));
  CHECK_FALSE(engine::push_refreshes(tag_push, app("a", "HEAD")));
  CHECK_FALSE(engine::push_refreshes(tag_push, app("a", "refs/heads/v1.2.0")));

  const std::string sha = "4f2a9c1e8b7d6a5f4e3d2c1b0a9f8e7d6c5b4a39";
  CHECK_FALSE(engine::push_refreshes(push("refs/heads/main"), app("a", sha)));
  CHECK_FALSE(engine::push_refreshes(push("refs/tags/" + sha), app("a", sha)));
  CHECK_FALSE(engine::push_refreshes(push("refs/pull/7/head"), app("a", "main")));
}

TEST_CASE("git push: only apps of the pushed repository, however its URL is written", "[git_push]") {
  const auto p = push("refs/heads/main");
  CHECK(engine::push_refreshes(p, app("a", "main", "https://github.com/org/deploy")));
  CHECK(engine::push_refreshes(p, app("a", "main", "ssh://git@github.com/ORG/deploy.git/")));
  CHECK_FALSE(engine::push_refreshes(p, app("a", "main", "https://github.com/org/deploy-prod")));
  CHECK_FALSE(engine::push_refreshes(p, app("a", "main", "https://gitlab.com/org/deploy")));
}

TEST_CASE("git push: only apps whose path holds a pushed file, all of them when the payload lists none",
          "[git_push]") {
  const auto touched_a = push("refs/heads/main", std::vector<std::string>{"apps/a/deploy.yaml", "README.md"});
  CHECK(engine::push_refreshes(touched_a, app("apps/a", "main")));
  CHECK(engine::push_refreshes(touched_a, app("./apps/a/", "main")));
  CHECK_FALSE(engine::push_refreshes(touched_a, app("apps/b", "main")));
  CHECK_FALSE(engine::push_refreshes(touched_a, app("apps/a-old", "main")));  // a sibling with a common prefix
  CHECK(engine::push_refreshes(touched_a, app(".", "main")));                 // the repository root holds all
  CHECK(engine::push_refreshes(touched_a, app("apps", "main")));

  const auto no_lists = push("refs/heads/main");
  CHECK(engine::push_refreshes(no_lists, app("apps/a", "main")));
  CHECK(engine::push_refreshes(no_lists, app("apps/b", "main")));

  // A Helm app's value files outside its folder count as its inputs.
  const auto touched_values = push("refs/heads/main", std::vector<std::string>{"values/prod.yaml"});
  CHECK(engine::push_refreshes(touched_values,
                               app("charts/web", "main", "git@github.com:org/deploy.git", nullptr,
                                   Json{{"valueFiles", Json::array({"../../values/prod.yaml"})}})));
  CHECK_FALSE(engine::push_refreshes(touched_values, app("charts/web", "main")));
}

TEST_CASE("git push: manifest-generate-paths replaces the app's path, relative or from the root", "[git_push]") {
  const auto annotated = [](const std::string& key, const std::string& value) {
    return app("apps/a", "main", "git@github.com:org/deploy.git", Json{{key, value}});
  };
  const std::string gitmoor_key = "gitmoor.dev/manifest-generate-paths";
  const std::string argo_key = "argocd.argoproj.io/manifest-generate-paths";

  const auto in_app = push("refs/heads/main", std::vector<std::string>{"apps/a/x.yaml"});
  const auto in_shared = push("refs/heads/main", std::vector<std::string>{"shared/base/cm.yaml"});
  const auto elsewhere = push("refs/heads/main", std::vector<std::string>{"docs/index.md"});

  const auto app_and_shared = annotated(gitmoor_key, ".;/shared");
  CHECK(engine::push_refreshes(in_app, app_and_shared));
  CHECK(engine::push_refreshes(in_shared, app_and_shared));
  CHECK_FALSE(engine::push_refreshes(elsewhere, app_and_shared));

  const auto relative = annotated(argo_key, "../../shared");  // Argo CD's name, relative to the app's path
  CHECK(engine::push_refreshes(in_shared, relative));
  CHECK_FALSE(engine::push_refreshes(in_app, relative));  // the annotation replaces the app's path

  const auto glob = annotated(gitmoor_key, "/shared/*/cm.yaml");
  CHECK(engine::push_refreshes(in_shared, glob));
  CHECK_FALSE(engine::push_refreshes(push("refs/heads/main", std::vector<std::string>{"shared/base/other.yaml"}), glob));

  CHECK(engine::refresh_paths(annotated(gitmoor_key, " . ; /shared ;; ../b ")) ==
        std::vector<std::string>{"apps/a", "shared", "apps/b"});
  CHECK(engine::refresh_paths(annotated(gitmoor_key, "")) == std::vector<std::string>{"apps/a"});
}
