// See credential_watch.hpp.
#include "credential_watch.hpp"

#include "gitmoor/core/logging.hpp"

namespace gitmoor::engine {

namespace {

spdlog::logger& log() {
  static const auto logger = core::logger("engine");
  return *logger;
}

applier::ApiResource core_resource(const char* kind, const char* plural) {
  return applier::ApiResource{.gvk = {.group = "", .version = "v1", .kind = kind},
                              .resource = plural,
                              .namespaced = true,
                              .verbs = {"list", "watch"}};
}

constexpr auto kRetryInterval = std::chrono::seconds(10);

}  // namespace

CredentialWatch::CredentialWatch(applier::Client& client, std::string ns, RepositoryCredentialStore& store,
                                 Changed changed)
    : client_(client), ns_(std::move(ns)), store_(store), changed_(std::move(changed)) {}

CredentialWatch::~CredentialWatch() { stop(); }

void CredentialWatch::start() {
  retry_.start([this] { return try_start(); }, kRetryInterval);
}

bool CredentialWatch::try_start() {
  const std::vector<applier::WatchTarget> targets{
      {.resource = core_resource("Secret", "secrets"), .ns = ns_, .label_selector = std::string(kSecretTypeSelector)},
      {.resource = core_resource("Secret", "secrets"), .ns = ns_,
       .label_selector = std::string(kArgoSecretTypeSelector)},
      {.resource = core_resource("ConfigMap", "configmaps"), .ns = ns_, .label_selector = "",
       .field_selector = "metadata.name=" + std::string(kKnownHostsConfigMap)}};
  // One cache per target: a Secret carrying both labels is in two of them, and a label taken off one must not make
  // it disappear from the other.
  std::vector<std::unique_ptr<applier::LiveCache>> caches;
  try {
    for (const auto& target : targets) {
      caches.push_back(std::make_unique<applier::LiveCache>(client_, std::vector<applier::WatchTarget>{target}));
      caches.back()->on_change([this](applier::LiveEvent, const core::Object&) { rebuild(); });
      caches.back()->start();
    }
  } catch (const std::exception& e) {
    for (auto& cache : caches) cache->stop();
    log().error("repository credentials: cannot list Secrets and ConfigMap {} in namespace {} (tried again every {} s;"
                " repositories that need credentials fail until then): {}",
                kKnownHostsConfigMap, ns_, kRetryInterval.count(), e.what());
    return false;
  }
  {
    std::lock_guard lock(mutex_);
    caches_ = std::move(caches);
  }
  rebuild();
  return true;
}

void CredentialWatch::stop() {
  retry_.stop();
  std::vector<std::unique_ptr<applier::LiveCache>> caches;
  {
    std::lock_guard lock(mutex_);
    caches = std::move(caches_);
    caches_.clear();
  }
  // Outside the lock: a watch thread may be waiting for it in rebuild(), and stopping joins the watch threads.
  for (auto& cache : caches) cache->stop();
}

void CredentialWatch::rebuild() {
  std::lock_guard lock(mutex_);
  if (caches_.size() != 3) return;  // still starting, or stopped
  std::vector<CredentialSecret> secrets;
  std::set<std::string> seen;  // a Secret with both labels comes from two caches
  std::set<std::string> problems;
  for (std::size_t i = 0; i < 2; ++i) {
    for (const auto& object : caches_[i]->objects()) {
      try {
        auto secret = parse_credential_secret(object.json());
        if (secret && seen.insert(secret->subject()).second) secrets.push_back(std::move(*secret));
      } catch (const std::exception& e) {
        problems.insert(e.what());
      }
    }
  }
  std::optional<std::string> known_hosts;
  for (const auto& object : caches_[2]->objects()) {
    const auto data = object.json().value("data", core::Json::object());
    if (const auto it = data.find(std::string(kKnownHostsKey)); it != data.end() && it->is_string()) {
      known_hosts = it->get<std::string>();
    } else {
      problems.insert("ConfigMap " + ns_ + "/" + std::string(kKnownHostsConfigMap) + " has no key " +
                      std::string(kKnownHostsKey) + ": no SSH host keys from it");
    }
  }
  for (const auto& problem : problems) {
    if (logged_.count(problem) == 0) log().error("repository credentials: {}", problem);
  }
  logged_ = std::move(problems);
  CredentialChange change;
  try {
    change = store_.update(std::move(secrets), std::move(known_hosts));
  } catch (const std::exception& e) {
    log().error("repository credentials: {}", e.what());
    return;
  }
  if (change.empty()) return;
  std::string names;
  for (const auto& subject : change.secrets) names += (names.empty() ? "" : ", ") + subject;
  log().info("repository credentials changed: {}{}{}", names, names.empty() || !change.known_hosts ? "" : ", ",
             change.known_hosts ? "ConfigMap " + ns_ + "/" + std::string(kKnownHostsConfigMap) : "");
  if (changed_) changed_(change);
}

}  // namespace gitmoor::engine
