// Refresh from a Git push (the webhook): the apps a push reaches are polled together on one thread of their own, so
// the HTTP thread answers at once and a monorepo's apps cost one remote check and at most one fetch, however many
// the push touched. Pushes arriving while a poll runs are gathered into the next one.
#include <algorithm>

#include "controller_impl.hpp"

namespace gitmoor::engine {

std::vector<std::string> Controller::Impl::refresh_for_push(const GitPush& push) {
  std::vector<std::string> names;
  std::size_t on_repository = 0;
  {
    std::lock_guard lock(mutex);
    for (const auto& [name, record] : apps) {
      if (!record->app.spec_errors.empty() || !push_targets(push, record->app)) continue;
      ++on_repository;
      if (push_refreshes(push, record->app)) names.push_back(name);  // apps is a sorted map: names stay sorted
    }
  }
  engine_log().info("push to {} ({}): {} application(s) on that revision, refreshing {}", push.subject(),
                    push.after.empty() ? "no commit" : push.after, on_repository, names.size());
  if (names.empty() || stopping) return names;
  {
    std::lock_guard lock(push_mutex);
    push_pending.insert(names.begin(), names.end());
    if (!push_thread.joinable()) push_thread = std::jthread([this](std::stop_token stop) { push_loop(stop); });
  }
  push_wake.notify_all();
  return names;
}

void Controller::Impl::push_loop(std::stop_token stop) {
  for (;;) {
    std::set<std::string> names;
    {
      std::unique_lock lock(push_mutex);
      if (!push_wake.wait(lock, stop, [this] { return !push_pending.empty(); })) return;  // stop requested
      names.swap(push_pending);
    }
    try {
      poll_pushed(names);
    } catch (const std::exception& e) {
      // A boundary like a worker's: the apps are polled again by their next refresh or the periodic poll.
      engine_log().error("poll after a push failed: {}", e.what());
    }
  }
}

// One poll of the pushed apps (ManifestPoller groups them by repository), then each is compared.
void Controller::Impl::poll_pushed(const std::set<std::string>& names) {
  std::vector<std::shared_ptr<AppRecord>> records;
  std::vector<AppSource> sources;
  {
    std::lock_guard lock(mutex);
    for (const auto& name : names) {
      auto it = apps.find(name);
      if (it == apps.end() || !it->second->app.spec_errors.empty()) continue;  // deleted or broken since
      records.push_back(it->second);
      sources.push_back(app_source(it->second->app));
    }
  }
  if (records.empty() || stopping) return;
  const auto results = poller.poll(sources);
  for (std::size_t i = 0; i < results.size() && i < records.size(); ++i) {
    {
      std::lock_guard lock(mutex);
      records[i]->take_poll(results[i]);
    }
    queue.add(records[i]->app.name);
  }
}

void Controller::Impl::stop_push_thread() {
  std::jthread thread;
  {
    std::lock_guard lock(push_mutex);
    thread = std::move(push_thread);
  }
  if (thread.joinable()) {
    thread.request_stop();
    thread.join();
  }
}

std::vector<std::string> Controller::refresh_for_push(const GitPush& push) { return impl_->refresh_for_push(push); }

}  // namespace gitmoor::engine
