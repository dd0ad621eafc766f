// Credentials changed (a Secret added, changed or deleted; the known-hosts ConfigMap edited): every app takes the
// credentials that match its URL now, and the apps whose credentials moved are refreshed at once, so a user who adds
// the missing Secret sees the app recover without waiting for the next poll.
#include "controller_impl.hpp"

namespace gitmoor::engine {

namespace {

bool is_ssh(const std::string& url) {
  return url.starts_with("ssh://") || (url.find("://") == std::string::npos && url.find('@') != std::string::npos);
}

}  // namespace

void Controller::Impl::credentials_changed(const CredentialChange& change) {
  std::vector<std::string> affected;
  {
    std::lock_guard lock(mutex);
    for (const auto& [name, record] : apps) {
      auto& current = record->app.repository.credentials;
      auto fresh = credentials.credentials_for(record->app.source.repo_url);
      // Same paths and values can still mean new file contents (a rotated SSH key): the Secret's name says so.
      const bool moved = fresh != current || change.secrets.count(current.source) != 0 ||
                         (change.known_hosts && is_ssh(record->app.source.repo_url));
      current = std::move(fresh);
      if (!moved) continue;
      record->needs_poll = true;
      affected.push_back(name);
    }
  }
  for (const auto& name : affected) queue.add(name);
}

}  // namespace gitmoor::engine
