#pragma once
// Keeps a RepositoryCredentialStore current from the cluster: the Secrets labelled as repository credentials (by
// gitmoor's label and by Argo CD's) and the gitmoor-ssh-known-hosts ConfigMap in the apps namespace, listed then
// watched, so a Secret added, changed or deleted takes effect without a restart. What it asks the API server for
// (docker/install/role.yaml grants exactly this):
//   secrets     list, watch   labelSelector gitmoor.dev/secret-type in (...), argocd.argoproj.io/secret-type in (...)
//   configmaps  list, watch   fieldSelector metadata.name=gitmoor-ssh-known-hosts
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "gitmoor/applier/client.hpp"
#include "gitmoor/applier/live_cache.hpp"
#include "start_retry.hpp"
#include "gitmoor/engine/repository_credentials.hpp"

namespace gitmoor::engine {

class CredentialWatch {
 public:
  using Changed = std::function<void(const CredentialChange&)>;

  // `changed` is called (from a watch thread) after every update that changed something.
  CredentialWatch(applier::Client& client, std::string ns, RepositoryCredentialStore& store, Changed changed);
  ~CredentialWatch();
  CredentialWatch(const CredentialWatch&) = delete;
  CredentialWatch& operator=(const CredentialWatch&) = delete;

  // Lists and starts watching; the store holds the cluster's credentials when this returns. Never throws: when the
  // lists fail (no permission, API server away) the error is logged and they are tried again in the background.
  void start();
  void stop();

 private:
  bool try_start();
  void rebuild();

  applier::Client& client_;
  std::string ns_;
  RepositoryCredentialStore& store_;
  Changed changed_;
  std::mutex mutex_;  // one rebuild at a time; guards caches_ and logged_
  std::vector<std::unique_ptr<applier::LiveCache>> caches_;  // gitmoor label, Argo CD label, ConfigMap
  std::set<std::string> logged_;  // problems already logged (a bad Secret is reported once per change)
  StartRetry retry_;
};

}  // namespace gitmoor::engine
