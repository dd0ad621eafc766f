// `gitmoor demo`: a sandbox cluster, a real Git repository made from the example monorepo, the example Application,
// the engine and its HTTP endpoints — on a laptop, with nothing else installed. Ctrl-C stops everything.
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "commands.hpp"
#include "demo_repository.hpp"
#include "engine_runtime.hpp"
#include "stop_signals.hpp"
#include "gitmoor/applier/kubeconfig.hpp"
#include "gitmoor/applier/resource_manager.hpp"
#include "gitmoor/core/duration.hpp"
#include "gitmoor/core/error.hpp"
#include "gitmoor/core/yaml.hpp"
#include "gitmoor/sandbox/sandbox.hpp"
#include "gitmoor/web/auth.hpp"

namespace gitmoor::cli {

namespace fs = std::filesystem;
using core::Json;

namespace {

fs::path from_env_or(const char* variable, const char* fallback) {
  const char* value = std::getenv(variable);
  return value != nullptr && *value != '\0' ? fs::path(value) : fs::path(fallback);
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw core::EnvironmentError(path.string() + ": cannot be read");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The example Application: Argo CD's fields, the reference user's policy (automated prune and selfHeal).
Json demo_application(const std::string& repo_url) {
  return Json{
      {"apiVersion", "gitmoor.dev/v1alpha1"},
      {"kind", "Application"},
      {"metadata", {{"name", "tetris"}, {"namespace", "gitmoor"}}},
      {"spec",
       {{"project", "default"},
        {"source", {{"repoURL", repo_url}, {"targetRevision", "main"}, {"path", "helm/tetris"}}},
        {"destination", {{"server", "https://kubernetes.default.svc"}, {"namespace", "game"}}},
        {"syncPolicy",
         {{"automated", {{"prune", true}, {"selfHeal", true}}}, {"syncOptions", Json::array({"CreateNamespace=true"})}}}}}};
}

// The generated admin password, read back from the Secret the engine created on its first start (the demo prints
// it: a laptop demo has no other secret store). Waits for the engine's auth bootstrap.
std::string initial_admin_password(const applier::ClusterConfig& cluster) {
  applier::Client client(cluster);
  const auto objects = web::kubernetes_auth_objects(client, "gitmoor");
  for (int attempt = 0; attempt < 300; ++attempt) {
    if (const auto secret = objects->get_secret(web::kInitialAdminSecret); secret && secret->data.count("password")) {
      return secret->data.at("password");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  throw core::EnvironmentError("Secret gitmoor/gitmoor-initial-admin-secret was not created within 30 s");
}

}  // namespace

void register_demo(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("demo", "Run gitmoor against an embedded sandbox cluster and the example repository");
  struct Args {
    std::string listen = "127.0.0.1:8080";
    std::string workdir;
    std::string poll_interval = "2s";
    std::string examples;
    std::string pod_ready_delay = "1s";
    std::string ui_dir;
  };
  auto args = std::make_shared<Args>();
  cmd->add_option("--listen", args->listen, "host:port of the engine's HTTP endpoints")->capture_default_str();
  cmd->add_option("--workdir", args->workdir, "Folder for the demo's repository, kubeconfig and caches "
                                              "(default: $XDG_STATE_HOME/gitmoor-demo or ~/.local/state/gitmoor-demo)");
  cmd->add_option("--poll-interval", args->poll_interval, "How often the demo repository is polled")
      ->capture_default_str();
  cmd->add_option("--examples", args->examples, "The examples folder (default: $GITMOOR_EXAMPLES_DIR or the built-in)");
  cmd->add_option("--pod-ready-delay", args->pod_ready_delay, "How long simulated Pods take to become Ready")
      ->capture_default_str();
  cmd->add_option("--ui-dir", args->ui_dir, "Development: serve the web UI from this folder (web/ui), read on every "
                                            "request, instead of the files built into the binary");

  cmd->callback([args, &exit_code] {
    fs::path workdir = args->workdir;
    if (workdir.empty()) {
      const char* state = std::getenv("XDG_STATE_HOME");
      const char* home = std::getenv("HOME");
      workdir = state != nullptr && *state != '\0' ? fs::path(state) / "gitmoor-demo"
                                                   : fs::path(home != nullptr ? home : "/tmp") / ".local/state/gitmoor-demo";
    }
    const fs::path examples = args->examples.empty() ? from_env_or("GITMOOR_EXAMPLES_DIR", GITMOOR_EXAMPLES_DIR)
                                                     : fs::path(args->examples);
    const fs::path install = from_env_or("GITMOOR_INSTALL_DIR", GITMOOR_INSTALL_DIR);
    const auto poll_interval = core::parse_duration(args->poll_interval, "--poll-interval");
    auto http = parse_listen(args->listen, "--listen");
    const auto ui_dir = ui_folder(args->ui_dir);
    fs::create_directories(workdir);
    workdir = fs::canonical(workdir);

    block_stop_signals();
    const fs::path repo = workdir / "tetris";
    const std::string head = create_demo_repository(examples / "tetris", repo);

    sandbox::SandboxOptions sandbox_options;
    sandbox_options.pod_ready_delay = core::parse_duration(args->pod_ready_delay, "--pod-ready-delay");
    auto cluster = sandbox::Sandbox::start(sandbox_options);
    const fs::path kubeconfig = cluster->write_kubeconfig(workdir / "kubeconfig");

    // The Application resource type, its namespace and the example Application, applied like any manifest.
    const auto cluster_config = applier::load_kubeconfig({.paths = {kubeconfig}, .context = ""});
    {
      applier::Client client(cluster_config);
      applier::ResourceManager manager(client);
      auto objects = core::parse_manifests(read_file(install / "applications.gitmoor.dev.yaml"));
      objects.emplace_back(Json{{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", "gitmoor"}}}});
      objects.emplace_back(demo_application("file://" + repo.string()));
      const auto applied = manager.apply_all(std::move(objects), {.app = "", .ns = "gitmoor"});
      if (applied.failed()) throw core::EnvironmentError("demo setup failed:\n" + applied.format_text());
    }

    EngineRuntimeOptions options;
    options.controller.apps_namespace = "gitmoor";
    options.controller.poll_interval = poll_interval;
    options.controller.cache_dir = workdir / "cache";
    options.http = http;
    options.auth = web::AuthOptions{};
    options.ui.dev_dir = ui_dir;
    EngineRuntime runtime(cluster_config, options);
    runtime.start();

    const std::string url = runtime.url();
    const std::string password = initial_admin_password(cluster_config);
    // The password Secret is written first and the engine reads its settings a moment later: the printed login
    // command works once it has.
    for (int attempt = 0; attempt < 300 && !web::auth_ready(*runtime.auth()); ++attempt) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    // The hint runs this very binary: `make demo` does not put gitmoor on the PATH.
    std::error_code no_self;
    const fs::path self = fs::read_symlink("/proc/self/exe", no_self);
    const std::string gitmoor = no_self ? std::string("gitmoor") : self.string();
    std::cout << "\ngitmoor demo is running.\n\n"
              << "  web UI        " << url << "/  (user admin, password below)\n"
              << "  engine API    " << url << "/api/v1/applications\n"
              << "  cluster       " << cluster->url() << " (sandbox)\n"
              << "  kubeconfig    " << kubeconfig.string() << "\n"
              << "  repository    " << repo.string() << " (branch main, head " << head.substr(0, 12) << ")\n"
              << "  admin password " << password << "  (Secret gitmoor/gitmoor-initial-admin-secret)\n\n"
              << "Log in with the CLI (the API needs a token), then look around:\n\n"
              << "  echo '" << password << "' | " << gitmoor << " login " << url << " --username admin --password-stdin\n"
              << "  " << gitmoor << " app list\n"
              << "  " << gitmoor << " app get tetris -o tree\n\n"
              << "Four things to try (in another terminal):\n\n"
              << "  export KUBECONFIG=" << kubeconfig.string() << "\n\n"
              << "  1. Drift and self-heal: scale the frontend by hand and watch gitmoor put it back to 2.\n"
              << "     (The backend's replicas belong to its HorizontalPodAutoscaler; gitmoor leaves them alone.)\n"
              << "       kubectl -n game scale deployment game-frontend --replicas=5\n"
              << "       kubectl -n game get deployment game-frontend -w\n\n"
              << "  2. CI's image bump: change the image tags and commit; the Deployments roll out.\n"
              << "       cd " << repo.string() << "\n"
              << "       sed -i 's/tag: \"0.1.0\"/tag: \"0.2.0\"/' helm/tetris/values.yaml\n"
              << "       git commit -am 'ci: image.tag 0.2.0'\n"
              << "       " << gitmoor << " app get tetris --refresh   # Synced to the new commit, the Deployments Healthy\n\n"
              << "  3. Prune: delete a template and commit; its objects are deleted from the cluster.\n"
              << "       git rm -q helm/tetris/templates/redis.yaml && git commit -m 'drop redis'\n"
              << "       kubectl -n game get deployments,services\n\n"
              << "  4. Watch the backend scale: load its Pods (simulated CPU); its HorizontalPodAutoscaler adds Pods,\n"
              << "     and removes them once the load is off and its 5-minute stabilisation window has passed.\n"
              << "       " << gitmoor << " sandbox load -n game -l app.kubernetes.io/name=game-backend --cpu 90%\n"
              << "       kubectl -n game get hpa game-backend-hpa -w\n"
              << "       kubectl -n game top pods\n"
              << "       " << gitmoor << " sandbox load -n game -l app.kubernetes.io/name=game-backend --cpu default\n\n"
              << "Ctrl-C stops everything." << std::endl;
    wait_for_stop_signal();
    std::cout << "stopping" << std::endl;
    runtime.stop();
    cluster->stop();
    exit_code = kExitOk;
  });
}

}  // namespace gitmoor::cli
